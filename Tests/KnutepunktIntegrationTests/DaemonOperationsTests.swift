import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktService
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// The real executables with their HTTP servers (`http` in the hub's file, `--http` for the node), CURVE on the link
/// and JSON logs: what an operator's Prometheus and probes see.
@Suite(.serialized)
struct DaemonOperationsTests {
    @Test(.timeLimit(.minutes(6)))
    func theDaemonsServeMetricsAndHealthOverHTTP() async throws {
        let net = try LoopbackNetwork(nodes: [("NO-VEST", "NO-VEST", "NO-VEST-BERGEN")])
        defer { net.folder.remove() }
        try net.writeHubConfig(extra: "  http: 127.0.0.1:0\n  logFormat: json")
        let hub = try DaemonProcess(
            name: "hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        let hubEndpoints = try await hub.ready()
        try net.writeNodeConfig("NO-VEST", hub: try #require(hubEndpoints["listen"]))
        let node = try DaemonProcess(
            name: "node",
            executable: Repository.executable,
            arguments: ["node", "--config", net.nodeConfigPath("NO-VEST"), "--http", "127.0.0.1:0"],
            logFile: net.folder.file("node.log")
        )
        let nodeEndpoints = try await node.ready()
        let hubPort = try #require(hubEndpoints["http"].flatMap { Int($0.split(separator: ":").last ?? "") })
        let nodePort = try #require(nodeEndpoints["http"].flatMap { Int($0.split(separator: ":").last ?? "") })
        let control = try #require(nodeEndpoints["control"])
        let events = (0..<5).map {
            EventFixtures.eventBytes(source: "HTTP", index: $0, region: "NO-VEST", node: "NO-VEST-BERGEN")
        }
        _ = try await ControlClient.withConnection(to: control, timeout: .seconds(60)) { try $0.submit(events) }
        _ = try await NodeToHubTests.drained(control)
        let hubText = try await OperationsHTTP.metrics(port: hubPort)
        let nodeText = try await OperationsHTTP.metrics(port: nodePort)
        #expect(hubText.value("knutepunkt_hub_events_accepted_total") == 5)
        #expect(nodeText.value("knutepunkt_node_events_accepted_total") == 5)
        #expect(
            hubText.value(
                "knutepunkt_build_info",
                [
                    "daemon": "hub", "version": KnutepunktVersion.current, "protocol": "KPN/\(ProtocolVersion.current)",
                    "commit": BuildInfo.commit ?? "unknown",
                ]
            ) == 1
        )
        for port in [hubPort, nodePort] {
            #expect(try await OperationsHTTP.get(port: port, "/healthz").status == 200)
            #expect(try await OperationsHTTP.get(port: port, "/readyz").status == 200)
        }
        #expect(await node.stop() == 0)
        #expect(await hub.stop() == 0)
        // The hub logged JSON lines (its file asks for them), the node text (the default).
        let hubLog = try String(contentsOfFile: net.folder.file("hub.log"), encoding: .utf8)
        let started = try #require(hubLog.split(separator: "\n").first { $0.contains(#""message":"hub started""#) })
        let object = try JSONSerialization.jsonObject(with: Data(started.utf8)) as? [String: Any]
        #expect(object?["hub.id"] as? String == "TEST-HUB")
    }

    @Test(.timeLimit(.minutes(5)))
    func aBadFlagValueStopsTheDaemonAndNamesTheFlag() async throws {
        let net = try LoopbackNetwork(nodes: [("NO-VEST", "NO-VEST", "NO-VEST-BERGEN")])
        defer { net.folder.remove() }
        try net.writeHubConfig()
        let run = try await CommandRun.knutepunkt(["hub", "--config", net.hubConfigPath, "--log-format", "xml"])
        #expect(run.status != 0)
        #expect(run.errors.contains("hub.logFormat: unknown log format \"xml\" (set by --log-format)"), "\(run.errors)")
    }
}

/// SIGHUP on a running hub process: the gap thresholds and the log level are taken at once.
@Suite(.serialized)
struct HubReloadTests {
    @Test(.timeLimit(.minutes(6)))
    func sighupTakesNewGapThresholdsAndTheLogLevel() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: Repository.taxonomyPath, toPath: folder.file("taxonomy.yaml"))
        let gaps = try String(contentsOfFile: "\(Repository.root)/Configs/gaps.yaml", encoding: .utf8)
        try gaps.write(toFile: folder.file("gaps.yaml"), atomically: true, encoding: .utf8)
        let config = folder.file("hub.yaml")
        @Sendable func writeConfig(logLevel: String) throws {
            try """
            hub:
              id: NO-HUB
              listen: tcp://127.0.0.1:*
              publish: tcp://127.0.0.1:*
              control: tcp://127.0.0.1:*
              storage: sqlite:\(folder.file("hub.sqlite"))
              taxonomy: taxonomy.yaml
              logFormat: json
              logLevel: \(logLevel)
              nodes:
                - {id: NO-VEST, region: NO-VEST}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }
        try writeConfig(logLevel: "info")
        let hub = try DaemonProcess(
            name: "hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", config, "--insecure"],
            logFile: folder.file("hub.log")
        )
        let endpoints = try await hub.ready()
        let listen = try #require(endpoints["listen"])
        // NO-VEST reports training for two professions (PHN, PSYCH): G6 is RED there under the shipped thresholds
        // (no physician among the five required professions).
        try await onSocketThread {
            let context = try ZMQContext()
            defer { context.terminate() }
            let peer = try RawPeer(connectTo: listen, context: context)
            defer { peer.close() }
            guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
            // Five dated a month ago, inside the rules' 12-month window (G6 judges coverage from five consultations
            // or trainings); the first 400 days ago, so the store covers the whole window for NO-VEST.
            let recent = Date().addingTimeInterval(-30 * 86_400).formatted(.iso8601.year().month().day())
            let first = Date().addingTimeInterval(-400 * 86_400).formatted(.iso8601.year().month().day())
            let payloads = (1...6).map {
                let text = EventFixtures.event(source: "G6", index: $0, region: "NO-VEST", node: "NO-VEST-BERGEN")
                return Array(
                    text.replacingOccurrences(
                        of: #""date":"2025-01-0\#($0 + 1)""#,
                        with: #""date":"\#($0 == 1 ? first : recent)""#
                    ).utf8
                )
            }
            // Every NO-VEST node has made its monthly returns (the shipped taxonomy expects them), so the rules read
            // the region.
            let returns = EventFixtures.monthlyReturns(
                region: "NO-VEST",
                nodes: InProcessDaemons.taxonomy.nodes(inRegion: "NO-VEST").map(\.code),
                taxonomy: InProcessDaemons.taxonomy
            )
            let sent = payloads + returns
            try peer.send(.events(.init(firstSequence: 1, payloads: sent)))
            _ = try peer.receive(until: { if case .ack(UInt64(sent.count)) = $0 { true } else { false } })
        }
        let pid = hub.pid
        let watch = GapWatch(publish: try #require(endpoints["publish"]), control: try #require(endpoints["control"]))
        let changed: GapUpdate? = try await onSocketThread {
            var reloaded = false
            var found: GapUpdate?
            try watch.run(idle: .seconds(20)) { event in
                // Reload once G6 is open (RED) for NO-VEST: it opens when the rules read NO-VEST's activity, shortly
                // after it is stored (before that NO-VEST has no reports, and no gap is charged to it).
                let redOpen: Bool
                switch event {
                case .snapshot(let snapshot):
                    redOpen = snapshot.gaps.contains { $0.key == "G6|NO-VEST" && $0.severity == "RED" }
                case .update(let update):
                    if reloaded, update.gap.rule == "G6", update.gap.region == "NO-VEST" {
                        found = update
                        return false
                    }
                    redOpen =
                        update.gap.key == "G6|NO-VEST" && update.gap.severity == "RED" && update.change == "opened"
                }
                if !reloaded, redOpen {
                    reloaded = true
                    // Required professions without the physician group: NO-VEST covers 2 of 3 (AMBER).
                    let fewer = gaps.replacingOccurrences(
                        of: "requiredProfessions: [MIDWIFE, PHN, PHYSICIAN_ANY, PSYCH, CW]",
                        with: "requiredProfessions: [PHN, PSYCH, MIDWIFE]"
                    )
                    do {
                        try fewer.write(toFile: folder.file("gaps.yaml"), atomically: true, encoding: .utf8)
                        try writeConfig(logLevel: "debug")
                    } catch {
                        return false
                    }
                    kill(pid, SIGHUP)
                }
                return true
            }
            return found
        }
        #expect(await hub.stop() == 0)
        let log = try String(contentsOfFile: folder.file("hub.log"), encoding: .utf8)
        let update = try #require(changed, "no G6 change for NO-VEST after SIGHUP; the hub's log:\n\(log)")
        #expect(update.change == "changed")
        #expect(update.gap.severity == "AMBER")
        #expect(update.gap.thresholds["professionCoverageRed"] == 0.6)
        #expect(log.contains(#""message":"gap thresholds reloaded""#))
        #expect(log.contains(#""message":"log level changed""#) && log.contains(#""to":"debug""#))
        #expect(log.contains(#""needs.restart":"nothing""#))
    }
}
