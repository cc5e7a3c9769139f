import Foundation
import KnutepunktClient
import KnutepunktCore
import KnutepunktTesting
import Testing

/// The real executables with their HTTP servers (`http` in the hub's file, `--http` for the node), CURVE on the link
/// and JSON logs: what an operator's Prometheus and probes see.
@Suite(.serialized)
struct DaemonOperationsTests {
    @Test(.timeLimit(.minutes(2)))
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
        _ = try await ControlClient.withConnection(to: control) { try $0.submit(events) }
        _ = try await NodeToHubTests.drained(control)
        let hubText = try await OperationsHTTP.metrics(port: hubPort)
        let nodeText = try await OperationsHTTP.metrics(port: nodePort)
        #expect(hubText.value("knutepunkt_hub_events_accepted_total") == 5)
        #expect(nodeText.value("knutepunkt_node_events_accepted_total") == 5)
        #expect(
            hubText.value(
                "knutepunkt_build_info",
                ["daemon": "hub", "version": KnutepunktVersion.current, "protocol": "KPN/1.0"]
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

    @Test(.timeLimit(.minutes(1)))
    func aBadFlagValueStopsTheDaemonAndNamesTheFlag() async throws {
        let net = try LoopbackNetwork(nodes: [("NO-VEST", "NO-VEST", "NO-VEST-BERGEN")])
        defer { net.folder.remove() }
        try net.writeHubConfig()
        let run = try await CommandRun.knutepunkt(["hub", "--config", net.hubConfigPath, "--log-format", "xml"])
        #expect(run.status != 0)
        #expect(run.errors.contains("hub.logFormat: unknown log format \"xml\" (set by --log-format)"), "\(run.errors)")
    }
}
