import Foundation
import KnutepunktClient
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Synchronization
import Testing

/// Real processes on loopback: one hub, two nodes, 10,000 events, the hub and a node killed with SIGKILL mid-stream;
/// once with the hub on SQLite and once on PostgreSQL.
@Suite(.serialized)
struct EndToEndTests {
    static let eventsPerNode = 5_000
    static let batch = 100

    @Test(.timeLimit(.minutes(10)), arguments: HubStoreBackend.allCases)
    func everyAcceptedEventIsStoredExactlyOnceAcrossKills(_ backend: HubStoreBackend) async throws {
        let started = ContinuousClock.now
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        let storage = try await backend.makeStorage(in: net.folder)
        let binary = Repository.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build knutepunkt first: \(binary)")

        // The hub binds an ephemeral port once; restarts reuse it so the nodes find it again.
        try net.writeHubConfig(storage: storage)
        var hub = try DaemonProcess(
            name: "hub",
            executable: binary,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        let firstEndpoints = try await hub.ready()
        let listen = try #require(firstEndpoints["listen"])
        try net.writeHubConfig(listen: listen, storage: storage)
        let hubControl = HubControl(endpoint: try #require(firstEndpoints["control"]), curve: try net.hubViewerCurve)

        let directory = NodeDirectory()
        var nodes: [String: DaemonProcess] = [:]
        for node in net.nodes {
            try net.writeNodeConfig(node.id, hub: listen)
            let process = try DaemonProcess(
                name: node.id,
                executable: binary,
                arguments: ["node", "--config", net.nodeConfigPath(node.id)],
                logFile: net.folder.file("\(node.id).log")
            )
            await directory.set(node.id, try #require(try await process.ready()["control"]))
            nodes[node.id] = process
        }

        let total = net.nodes.count * Self.eventsPerNode
        var hubKills = 0
        var nodeKills = 0
        var storedAtHubKill = 0
        var victimBacklogAtKill = 0
        let victim = net.nodes[0]
        let firstPause = Self.eventsPerNode * 2 / 5
        let victimPause = Self.eventsPerNode * 3 / 5
        // The victim's coordinator pauses at 40 % until the hub is dead, then publishes on and pauses at 60 % until
        // the node has been killed: the kills land mid-stream, with events the hub never acknowledged, however fast
        // this machine is.
        await directory.hold(victim.id, at: firstPause)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in net.nodes {
                group.addTask {
                    try await Self.publishAll(node: node, directory: directory)
                }
            }
            // First the hub dies; the nodes keep accepting into their outboxes while it is down.
            _ = await directory.waitForProgress(victim.id, atLeast: firstPause)
            storedAtHubKill = try await hubControl.waitForTotal(2_000, seconds: 120).events.total
            hub.signal(SIGKILL)
            _ = await hub.exited()
            hubKills += 1
            await directory.release(victim.id, holdingAgainAt: victimPause)

            // Then the victim node dies too, holding events the hub has never acknowledged.
            _ = await directory.waitForProgress(victim.id, atLeast: victimPause)
            let victimControl = await directory.current(victim.id).endpoint
            let before = try await ControlClient.withConnection(to: victimControl, timeout: .seconds(60)) {
                try $0.status()
            }
            if case .node(let status, _) = before { victimBacklogAtKill = status.outbox.backlog }
            nodes[victim.id]?.signal(SIGKILL)
            _ = await nodes[victim.id]?.exited()
            nodeKills += 1
            await directory.release(victim.id)

            hub = try DaemonProcess(
                name: "hub",
                executable: binary,
                arguments: ["hub", "--config", net.hubConfigPath],
                logFile: net.folder.file("hub.log")
            )
            hubControl.endpoint = try #require(try await hub.ready()["control"])
            let restarted = try DaemonProcess(
                name: victim.id,
                executable: binary,
                arguments: ["node", "--config", net.nodeConfigPath(victim.id)],
                logFile: net.folder.file("\(victim.id).log")
            )
            nodes[victim.id] = restarted
            await directory.set(victim.id, try #require(try await restarted.ready()["control"]))

            var accepted = 0
            for try await count in group { accepted += count }
            #expect(accepted == total)
        }
        #expect(storedAtHubKill < total, "the hub was killed before it held everything")
        #expect(victimBacklogAtKill > 0, "the node was killed holding unacknowledged events")

        let report = try await hubControl.waitForTotal(total, seconds: 180)
        #expect(report.events.total == total)
        for process in nodes.values { await process.stop() }
        #expect(await hub.stop() == 0)

        // Read the hub's store directly: exactly `total` events, none twice, each node's order kept.
        let store = try storage.open()
        defer { try? store.close() }
        let keys = try store.storedKeys()
        #expect(keys.count == total)
        #expect(Set(keys.map(\.eventID)).count == total)
        for node in net.nodes {
            let mine = keys.filter { $0.source == node.id }
            #expect(mine.count == Self.eventsPerNode)
            let expected = (0..<Self.eventsPerNode).map { EventFixtures.id(node.id, $0) }
            #expect(mine.map { $0.eventID.uuidString.lowercased() } == expected, "order kept for \(node.id)")
        }
        let elapsed = ContinuousClock.now - started
        print(
            "end-to-end (\(backend)): events=\(total) stored=\(keys.count) duplicates=\(keys.count - Set(keys.map(\.eventID)).count) "
                + "lost=\(total - Set(keys.map(\.eventID)).count) hubKills=\(hubKills) (at \(storedAtHubKill) stored) nodeKills=\(nodeKills) (at \(victimPause) of \(Self.eventsPerNode) published, \(victimBacklogAtKill) unacknowledged) elapsed=\(elapsed)"
        )
    }

    /// Publishes every event of one node as a coordinator would (``FaultNetwork/publish``): a batch whose answer
    /// does not come (the node was killed) is sent again to the restarted node.
    static func publishAll(
        node: (id: String, region: String, defaultNode: String),
        directory: NodeDirectory
    ) async throws -> Int {
        try await FaultNetwork.publish(node, to: eventsPerNode, batch: batch, directory: directory)
    }
}

/// The hub's control endpoint, which changes when the hub restarts.
final class HubControl: Sendable {
    private let current: Mutex<String>
    private let curve: ZMQCurveClient
    init(endpoint: String, curve: ZMQCurveClient) {
        current = Mutex(endpoint)
        self.curve = curve
    }

    var endpoint: String {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    func waitForTotal(_ total: Int, seconds: Int) async throws -> HubStatusReport {
        let endpoint = self.endpoint
        let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60), curve: curve) {
            try $0.status(StatusRequest(waitForTotal: total, timeoutMillis: seconds * 1000))
        }
        guard case .hub(let hub, _) = report else { throw DaemonProcessError(message: "not a hub status") }
        return hub
    }
}
