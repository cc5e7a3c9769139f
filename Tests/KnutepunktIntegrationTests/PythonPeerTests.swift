import Foundation
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// An independent peer, written in Python from docs/protocol.md and docs/events.md alone (`Tests/Python/kpn_peer.py`,
/// pyzmq), drives a real hub and a real node over CURVE: as a node on the hub's ROUTER, as a viewer on its control
/// and PUB sockets, and as a coordinator on the node's control socket. Every command of KPN/1 and KPC/1 and every
/// reason code must come up, each answer as the document says; a second hub, run `--insecure`, gives the one code
/// CURVE makes unreachable (UNKNOWN_NODE: with a key, the key's node decides first).
@Suite(.serialized)
struct PythonPeerTests {
    /// Hub and node figures the script checks against (docs/protocol.md, "Limits").
    static let eventsPerSecond = 100
    static let floodCount = 300

    @Test(
        .enabled(if: PythonZMQ.interpreter != nil, "python3-zmq is not installed (make test-deps installs it)"),
        .timeLimit(.minutes(8))
    )
    func anIndependentPeerGetsEveryCommandAndReasonAsDocumented() async throws {
        let python = try #require(PythonZMQ.interpreter)
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        try net.writeHubConfig(extra: "  nodeEventsPerSecond: \(Self.eventsPerSecond)")
        let hub = try DaemonProcess(
            name: "hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        let hubEndpoints = try await hub.ready()
        let listen = try #require(hubEndpoints["listen"])
        try net.writeNodeConfig("NO-VEST", hub: listen)
        let node = try DaemonProcess(
            name: "NO-VEST",
            executable: Repository.executable,
            arguments: ["node", "--config", net.nodeConfigPath("NO-VEST")],
            logFile: net.folder.file("node.log")
        )
        let nodeControl = try #require(try await node.ready()["control"])

        // The plaintext hub, for UNKNOWN_NODE only.
        let plain = try LoopbackNetwork()
        defer { plain.folder.remove() }
        try plain.writeHubConfig()
        let plainHub = try DaemonProcess(
            name: "plain-hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", plain.hubConfigPath, "--insecure"],
            logFile: plain.folder.file("hub.log")
        )
        let plainListen = try #require(try await plainHub.ready()["listen"])

        let settings: [String: Any] = [
            "hubListen": listen, "hubPublish": try #require(hubEndpoints["publish"]),
            "hubControl": try #require(hubEndpoints["control"]), "plainHubListen": plainListen,
            "hubPublic": net.keyPath("hub", secret: false), "hubSecret": net.keyPath("hub", secret: true),
            "nodeSecret": net.keyPath("NO-NORD", secret: true), "nodeID": "NO-NORD", "nodeRegion": "NO-NORD",
            "localNode": "NO-NORD-BODO", "otherNodeID": "NO-VEST", "otherRegion": "NO-VEST",
            "otherLocalNode": "NO-VEST-BERGEN", "hubMaxMessageBytes": 4 << 20,
            "nodeEventsPerSecond": Self.eventsPerSecond, "hubControlRequestBytes": WireLimits.hubControlRequestBytes,
            "floodCount": Self.floodCount, "nodeControl": nodeControl, "coordinatedNode": "NO-VEST",
            "coordinatedRegion": "NO-VEST", "coordinatedLocalNode": "NO-VEST-BERGEN", "nodeMaxMessageBytes": 4 << 20,
        ]
        let settingsPath = net.folder.file("peer.json")
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: settingsPath))

        let run = try await CommandRun.program(python, ["\(PythonZMQ.scripts)/kpn_peer.py", settingsPath])
        _ = await plainHub.stop()
        #expect(await node.stop() == 0)
        #expect(await hub.stop() == 0)
        let report = try #require(
            (try? JSONSerialization.jsonObject(with: Data(run.output.utf8))) as? [String: Any],
            "the peer printed no report: \(run.output.suffix(2000)) \(run.errors.suffix(4000))"
        )
        let failures = report["failures"] as? [String] ?? ["no failures list"]
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(run.status == 0, "\(run.errors.suffix(4000))")
        let reasons = Set((report["reasons"] as? [Int] ?? []).map { UInt16($0) })
        #expect(reasons == Set(ReasonCode.allKnown.map(\.rawValue)), "every reason code of the document")
        print(
            "PYTHON PEER commands=\(report["commands"] ?? []) reasons=\(reasons.sorted()) notes=\(report["notes"] ?? [])"
        )

        // The store holds the freely spelled event in canonical form, byte for byte as the peer computed it from
        // docs/events.md.
        let expected = try #require(report["freelySpelled"] as? String)
        let payloads = try SQLiteTestAccess.payloads(in: net.hubStorePath)
        #expect(payloads.contains(Array(expected.utf8)), "the hub stored the canonical form")

        // Malformed messages and requests cost one log line per kind per interval, not one each.
        let hubLog = try String(contentsOfFile: net.folder.file("hub.log"), encoding: .utf8)
        let nodeLog = try String(contentsOfFile: net.folder.file("node.log"), encoding: .utf8)
        let malformed = hubLog.components(separatedBy: "malformed message from a node").count - 1
        let refusedControl = hubLog.components(separatedBy: "control request refused").count - 1
        let refusedAtNode = nodeLog.components(separatedBy: "control request refused").count - 1
        #expect((1...6).contains(malformed), "\(malformed) log lines for \(Self.floodCount)+ malformed messages")
        #expect((1...6).contains(refusedControl), "\(refusedControl) lines for \(Self.floodCount)+ bad requests")
        #expect((1...6).contains(refusedAtNode), "\(refusedAtNode) lines at the node")
        #expect(hubLog.contains("suppressed.since.last"))
    }
}
