import Foundation
import KnutepunktConfig
import KnutepunktLogging
import Logging
import Testing

/// Configuration layered file < environment < flags, the operations keys (`http`, `logLevel`, `logFormat`), and the
/// mistakes `knutepunkt config check` catches before a daemon starts.
@Suite struct LayeredConfigurationTests {
    static func load(
        _ text: String,
        environment: [String: String] = [:],
        settings: [String] = []
    ) throws -> Result<DaemonConfiguration, ConfigErrors> {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(text.hasPrefix("hub:") ? "hub.yaml" : "node.yaml", text)
        var overrides = ConfigOverrides.environment(environment)
        overrides.add(settings: settings)
        do {
            return .success(try DaemonConfiguration.load(path: file, overrides: overrides).0)
        } catch {
            return .failure(error)
        }
    }

    static func node(_ result: Result<DaemonConfiguration, ConfigErrors>) throws -> NodeConfiguration {
        guard case .node(let node) = try result.get() else { throw ConfigErrors([]) }
        return node
    }

    static func errors(_ result: Result<DaemonConfiguration, ConfigErrors>) -> [ConfigError] {
        if case .failure(let errors) = result { return errors.errors }
        return []
    }

    static func hubFile(listen: String = "tcp://127.0.0.1:7300", http: String = "127.0.0.1:9464") -> String {
        """
        hub:
          id: NO-HUB
          listen: \(listen)
          publish: tcp://127.0.0.1:7301
          control: tcp://127.0.0.1:7302
          http: \(http)
          storage: sqlite:hub.sqlite
          taxonomy: \(RepositoryFiles.taxonomy)
          nodes:
            - {id: NO-VEST, region: NO-VEST}

        """
    }

    @Test func theFileAloneGivesItsValuesAndTheOperationsKeysAreOptional() throws {
        let plain = try Self.node(Self.load(DaemonConfigurationTests.nodeFile()))
        #expect(plain.http == nil && plain.logLevel == nil && plain.logFormat == nil)
        let file =
            DaemonConfigurationTests.nodeFile() + "  http: 127.0.0.1:9465\n  logLevel: debug\n  logFormat: json\n"
        let node = try Self.node(Self.load(file))
        #expect(node.http == HTTPListenAddress(host: "127.0.0.1", port: 9465))
        #expect(node.logLevel == .debug)
        #expect(node.logFormat == .json)
    }

    @Test func theEnvironmentOverridesTheFileAndFlagsOverrideBoth() throws {
        let file = DaemonConfigurationTests.nodeFile() + "  http: 127.0.0.1:9465\n  window: 100\n"
        let environment = [
            "KNUTEPUNKT_NODE_HTTP": "0.0.0.0:9565", "KNUTEPUNKT_NODE_WINDOW": "200",
            "KNUTEPUNKT_NODE_LOG_LEVEL": "warning", "KNUTEPUNKT_NODE_MAX_MESSAGE_BYTES": "65536",
            "KNUTEPUNKT_CONFIG": "/etc/knutepunkt/node.yaml", "PATH": "/usr/bin",
        ]
        let fromEnvironment = try Self.node(Self.load(file, environment: environment))
        #expect(fromEnvironment.http == HTTPListenAddress(host: "0.0.0.0", port: 9565))
        #expect(fromEnvironment.uplink.window == 200)
        #expect(fromEnvironment.logLevel == .warning)
        #expect(fromEnvironment.maxMessageBytes == 65536)
        let fromFlags = try Self.node(
            Self.load(file, environment: environment, settings: ["node.window=300", "node.http=127.0.0.1:0"])
        )
        #expect(fromFlags.uplink.window == 300)
        #expect(fromFlags.http == HTTPListenAddress(host: "127.0.0.1", port: 0))
        #expect(fromFlags.logLevel == .warning)
    }

    @Test func aNestedKeyCanBeSetToo() throws {
        #expect(
            ConfigOverrides.variable(section: "node", key: "curve.hubPublicKey")
                == "KNUTEPUNKT_NODE_CURVE_HUB_PUBLIC_KEY"
        )
        #expect(
            ConfigOverrides.variable(section: "hub", key: "nodeEventsPerSecond")
                == "KNUTEPUNKT_HUB_NODE_EVENTS_PER_SECOND"
        )
        let errors = Self.errors(
            try Self.load(
                DaemonConfigurationTests.nodeFile(),
                environment: ["KNUTEPUNKT_NODE_CURVE_SECRET_KEY": "/nowhere/node.key"]
            )
        )
        // The key file the environment names does not exist: reported at node.curve.secretKey, naming the variable.
        let missing = try #require(errors.first { $0.key == "node.curve.secretKey" })
        #expect(missing.message.contains("KNUTEPUNKT_NODE_CURVE_SECRET_KEY"), "\(missing)")
    }

    @Test func anUnknownVariableGetsADidYouMean() throws {
        let errors = Self.errors(
            try Self.load(DaemonConfigurationTests.nodeFile(), environment: ["KNUTEPUNKT_NODE_HTTPS": "127.0.0.1:1"])
        )
        let unknown = try #require(errors.first)
        #expect(unknown.code == .unknownKey)
        #expect(unknown.file == "environment")
        #expect(unknown.key == "KNUTEPUNKT_NODE_HTTPS")
        #expect(unknown.message.contains("did you mean KNUTEPUNKT_NODE_HTTP?"), "\(unknown)")
    }

    @Test func anUnknownOrMalformedSettingIsReported() throws {
        let errors = Self.errors(
            try Self.load(DaemonConfigurationTests.nodeFile(), settings: ["node.windw=5", "window"])
        )
        #expect(errors.count == 2)
        #expect(errors[0].code == .unknownKey && errors[0].message.contains("did you mean \"window\"?"), "\(errors)")
        #expect(errors[1].code == .invalidValue && errors[1].message.contains("SECTION.KEY=VALUE"))
    }

    /// Trace export (docs/tracing.md): off without `otlpEndpoint`; the collector's http(s) URL from the file, the
    /// environment or a flag; anything else named with the fix.
    @Test func theOTLPEndpointIsOptionalAndMustBeAnHTTPURL() throws {
        #expect(try Self.node(Self.load(DaemonConfigurationTests.nodeFile())).otlpEndpoint == nil)
        let file = DaemonConfigurationTests.nodeFile() + "  otlpEndpoint: http://collector.example:4318\n"
        #expect(try Self.node(Self.load(file)).otlpEndpoint == "http://collector.example:4318")
        let environment = ["KNUTEPUNKT_NODE_OTLP_ENDPOINT": "https://otel.example/otlp"]
        let fromEnvironment = try Self.node(Self.load(DaemonConfigurationTests.nodeFile(), environment: environment))
        #expect(fromEnvironment.otlpEndpoint == "https://otel.example/otlp")
        for wrong in ["collector:4318", "grpc://collector:4317", "http://", "http://c:4318/?token=x"] {
            let errors = Self.errors(try Self.load(DaemonConfigurationTests.nodeFile() + "  otlpEndpoint: \(wrong)\n"))
            #expect(
                errors.contains { $0.key == "node.otlpEndpoint" && $0.message.contains("OTLP/HTTP collector") },
                "\(wrong): \(errors)"
            )
        }
        let hub = Self.hubFile() + "  otlpEndpoint: http://127.0.0.1:4318\n"
        guard case .hub(let configuration) = try Self.load(hub).get() else { throw ConfigErrors([]) }
        #expect(configuration.otlpEndpoint == "http://127.0.0.1:4318")
    }

    @Test func aWrongTypeIsReportedWhereverItComesFrom() throws {
        let inFile = Self.errors(try Self.load(DaemonConfigurationTests.nodeFile() + "  http: [127.0.0.1, 9465]\n"))
        #expect(inFile.contains { $0.code == .wrongType && $0.key == "node.http" }, "\(inFile)")
        let fromEnvironment = Self.errors(
            try Self.load(DaemonConfigurationTests.nodeFile(), environment: ["KNUTEPUNKT_NODE_WINDOW": "lots"])
        )
        let window = try #require(fromEnvironment.first { $0.key == "node.window" })
        #expect(window.code == .invalidValue)
        #expect(window.message.contains("(set by KNUTEPUNKT_NODE_WINDOW)"), "\(window)")
        let http = Self.errors(try Self.load(DaemonConfigurationTests.nodeFile() + "  http: localhost\n"))
        #expect(http.contains { $0.key == "node.http" && $0.message.contains("HOST:PORT") }, "\(http)")
        let level = Self.errors(try Self.load(DaemonConfigurationTests.nodeFile() + "  logLevel: warn\n"))
        #expect(level.contains { $0.key == "node.logLevel" && $0.message.contains("did you mean \"warning\"?") })
        let format = Self.errors(try Self.load(DaemonConfigurationTests.nodeFile(), settings: ["node.logFormat=xml"]))
        #expect(format.contains { $0.key == "node.logFormat" && $0.message.contains("--set node.logFormat") })
    }

    @Test func twoSocketsOfOneDaemonOnOnePortAreAClash() throws {
        let good = try Self.load(Self.hubFile())
        #expect(Self.errors(good).isEmpty, "\(Self.errors(good))")
        let sameAsListen = Self.errors(try Self.load(Self.hubFile(http: "127.0.0.1:7300")))
        let clash = try #require(sameAsListen.first)
        #expect(sameAsListen.count == 1)
        #expect(clash.code == .inconsistent && clash.key == "hub.http")
        #expect(clash.message.contains("clashes with hub.listen"), "\(clash)")
        // Every interface includes loopback.
        let wildcard = Self.errors(try Self.load(Self.hubFile(listen: "tcp://*:9464")))
        #expect(wildcard.contains { $0.key == "hub.http" && $0.message.contains("hub.listen") }, "\(wildcard)")
        // Free ports never clash.
        #expect(Self.errors(try Self.load(Self.hubFile(listen: "tcp://127.0.0.1:*", http: "127.0.0.1:0"))).isEmpty)
    }

    @Test func twoDaemonsOfOneFolderOnOnePortAreAClashUnlessTheyRunApart() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let first = try folder.write("node-a.yaml", DaemonConfigurationTests.nodeFile() + "  http: 127.0.0.1:9465\n")
        let second = try folder.write("node-b.yaml", DaemonConfigurationTests.nodeFile() + "  http: 0.0.0.0:9465\n")
        let reports = ConfigurationCheck.reports(for: [first, second])
        #expect(reports[0].report.passed)
        let clash = try #require(reports[1].report.errors.first)
        #expect(clash.key == "node.http")
        #expect(clash.message.contains("clashes with node.http (127.0.0.1:9465) in \(first)"), "\(clash)")
        #expect(ConfigurationCheck.reports(for: [first, second], separateHosts: true).allSatisfy { $0.report.passed })
        // Files in different folders are different machines.
        let other = try ScratchFolder()
        defer { other.remove() }
        let third = try other.write("node-c.yaml", DaemonConfigurationTests.nodeFile() + "  http: 0.0.0.0:9465\n")
        #expect(ConfigurationCheck.reports(for: [first, third]).allSatisfy { $0.report.passed })
    }

    @Test func theShippedFoldersHaveNoClash() {
        let files = ConfigurationCheckTests.shippedYAMLFiles
        for (file, report) in ConfigurationCheck.reports(for: files) {
            #expect(report.passed, "\(file): \(report.errors)")
        }
    }

    @Test func onlyTheLogLevelIsTakenWithoutARestart() throws {
        let running = try Self.node(Self.load(DaemonConfigurationTests.nodeFile()))
        var fresh = running
        fresh.logLevel = .debug
        #expect(running.changesNeedingRestart(to: fresh).isEmpty)
        fresh.http = HTTPListenAddress(host: "127.0.0.1", port: 9465)
        fresh.uplink.window = 7
        fresh.logFormat = .json
        #expect(running.changesNeedingRestart(to: fresh) == ["window", "http", "logFormat"])
    }

    @Test func backupHubsAndTheFailbackIntervalAreListed() throws {
        let running = try Self.node(Self.load(DaemonConfigurationTests.nodeFile()))
        var fresh = running
        fresh.hubEndpoints.append("tcp://127.0.0.1:7400")
        fresh.failbackAfter = .seconds(5)
        #expect(running.changesNeedingRestart(to: fresh) == ["hubs", "failbackAfter"])
    }
}
