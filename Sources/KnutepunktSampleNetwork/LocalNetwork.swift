import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktZMQ

/// A whole national network on one machine: the hub and every node configured in one folder, each its own
/// `knutepunkt` process, with a year of sample activities published through the nodes like coordinators would.
package struct LocalNetwork: Sendable {
    package var configFolder: String
    package var executable: String
    package var logFolder: String
    package var seed: UInt64
    package var print: @Sendable (String) -> Void

    package init(
        configFolder: String,
        executable: String,
        logFolder: String,
        seed: UInt64,
        print: @escaping @Sendable (String) -> Void
    ) {
        self.configFolder = configFolder
        self.executable = executable
        self.logFolder = logFolder
        self.seed = seed
        self.print = print
    }

    /// The running daemons.
    package struct Running: Sendable {
        package var hub: DaemonProcess
        package var hubControl: String
        /// CURVE towards the hub's control socket (its own key), nil in plaintext.
        package var hubCurve: ZMQCurveClient?
        package var nodes: [(configuration: NodeConfiguration, process: DaemonProcess, control: String)]

        /// Stops the nodes, then the hub, each with SIGTERM, and waits for them.
        package func stop() async {
            for node in nodes { node.process.signal(SIGTERM) }
            for node in nodes { _ = await node.process.exited() }
            await hub.stop()
        }
    }

    /// CURVE on every link: generates the key pairs the configurations in `configFolder` refer to that do not exist
    /// yet (the first run). Must run before any of those configurations is loaded, since loading checks the keys.
    package func ensureKeys() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: configFolder).sorted()
        let generated = try KeyReferences.ensure(
            configurations: files.filter { $0.hasSuffix(".yaml") }.map {
                (configFolder as NSString).appendingPathComponent($0)
            }
        )
        if !generated.isEmpty { print("generated \(generated.count) CURVE key pairs (first run)") }
    }

    /// Starts the hub and the nodes found in `configFolder` (`hub.yaml` and `node-*.yaml`) and waits until each is ready.
    package func start() async throws -> Running {
        try FileManager.default.createDirectory(atPath: logFolder, withIntermediateDirectories: true)
        try ensureKeys()
        let files = try FileManager.default.contentsOfDirectory(atPath: configFolder).sorted()
        let hubFile = (configFolder as NSString).appendingPathComponent("hub.yaml")
        guard files.contains("hub.yaml") else {
            throw DaemonProcessError(message: "\(configFolder) has no hub.yaml")
        }
        let hub = try DaemonProcess(
            name: "hub",
            executable: executable,
            arguments: ["hub", "--config", hubFile],
            logFile: (logFolder as NSString).appendingPathComponent("hub.log")
        )
        let hubEndpoints = try await hub.ready()
        print(
            "hub       ready  listen \(hubEndpoints["listen"] ?? "?")  publish \(hubEndpoints["publish"] ?? "?")"
                + (hubEndpoints["http"].map { "  metrics http://\($0)/metrics" } ?? "")
        )
        var nodes: [(configuration: NodeConfiguration, process: DaemonProcess, control: String)] = []
        for file in files where file.hasPrefix("node-") && file.hasSuffix(".yaml") {
            let path = (configFolder as NSString).appendingPathComponent(file)
            guard case (.node(let configuration), _) = try DaemonConfiguration.load(path: path) else { continue }
            let process = try DaemonProcess(
                name: configuration.id,
                executable: executable,
                arguments: ["node", "--config", path],
                logFile: (logFolder as NSString).appendingPathComponent("\(configuration.id).log")
            )
            let announced = try await process.ready()
            let control = announced["control"] ?? configuration.controlEndpoint
            print(
                "\(configuration.id.padding(toLength: 9, withPad: " ", startingAt: 0)) ready  control \(control)"
                    + (announced["http"].map { "  metrics http://\($0)/metrics" } ?? "")
            )
            nodes.append((configuration, process, control))
        }
        var hubCurve: ZMQCurveClient?
        if case (.hub(let configuration), _) = try DaemonConfiguration.load(path: hubFile) {
            hubCurve = configuration.viewerCurve
        }
        return Running(hub: hub, hubControl: hubEndpoints["control"] ?? "", hubCurve: hubCurve, nodes: nodes)
    }

    /// Publishes a year of sample activities and the monthly returns made for them through every node, then waits until
    /// every node's outbox has drained and the hub holds all the activities.
    package func publishSample(to running: Running, taxonomy: Taxonomy) async throws -> HubStatusReport {
        let today = LocalDate.today()
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: seed)
        var expected = 0
        for node in running.nodes {
            let events = sample.events(region: node.configuration.region).map { Array($0.utf8) }
            var queued = 0
            var existing = 0
            for start in stride(from: 0, to: events.count, by: 200) {
                let chunk = Array(events[start..<min(start + 200, events.count)])
                let results = try await ControlClient.withConnection(to: node.control) { try $0.submit(chunk) }
                for result in results {
                    switch result.status {
                    case .invalid, .rejected:
                        throw DaemonProcessError(message: "sample event refused: \(result)")
                    case .queued, .delivered:
                        if result.existing { existing += 1 } else { queued += 1 }
                    }
                }
            }
            expected += events.count
            print(
                "\(node.configuration.id.padding(toLength: 9, withPad: " ", startingAt: 0)) published \(events.count) sample activities"
                    + (existing > 0 ? " (\(existing) were already there from an earlier run)" : "")
            )
        }
        // The monthly returns, where the taxonomy expects them (nodes with `active:`): the sample replays a year at
        // once, so each return says the day its coordinator made it (`madeAt`, 09:00 in Norway), which timeliness is
        // judged by — most on time, some late; none from a node once it fell silent (docs/events.md, "Timeliness").
        for node in running.nodes {
            let returns = sample.returns(region: node.configuration.region, asOf: today)
            guard !returns.isEmpty else { continue }
            var made = 0
            for item in returns {
                let request = ReturnRequest(
                    node: item.node,
                    month: item.month.text,
                    status: item.status.rawValue,
                    submittedBy: "sample",
                    madeAt: LocalDate.utcTimestamp(min(item.madeOn.startInNorway.addingTimeInterval(9 * 3600), Date()))
                )
                let result = try await ControlClient.withConnection(to: node.control) { try $0.makeReturn(request) }
                if result.status == .invalid { throw DaemonProcessError(message: "sample return refused: \(result)") }
                made += 1
            }
            print(
                "\(node.configuration.id.padding(toLength: 9, withPad: " ", startingAt: 0)) made \(made) monthly returns"
            )
        }
        // Each node's outbox drained: its returns, which follow its events, have reached the hub too.
        for node in running.nodes {
            _ = try await ControlClient.withConnection(to: node.control, timeout: .seconds(130)) {
                try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 120_000))
            }
        }
        let wanted = StatusRequest(waitForTotal: expected, timeoutMillis: 120_000)
        let report = try await ControlClient.withConnection(
            to: running.hubControl,
            timeout: .seconds(10),
            curve: running.hubCurve
        ) {
            try $0.status(wanted)
        }
        guard case .hub(let hub, _) = report else {
            throw DaemonProcessError(message: "the hub's control endpoint answered as a node")
        }
        return hub
    }
}
