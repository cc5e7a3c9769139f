import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktCore
import KnutepunktHub
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// Several hub processes on one PostgreSQL database: the database decides what is stored, so the same events offered
/// to two hubs are stored once and acknowledged by both.
@Suite(.serialized)
struct MultiHubTests {
    static let events = 2_000
    static let perMessage = 50

    static func payload(_ index: Int) -> [UInt8] {
        Array(EventFixtures.event(source: "RAW", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN").utf8)
    }

    /// Two in-process hubs on one database, and one raw peer per hub playing the same node: every message goes to
    /// both hubs, so every event races between them. Both acknowledge everything, neither refuses anything, and the
    /// database holds each event once, with counters that cover each once.
    @Test(.timeLimit(.minutes(2)))
    func twoHubsOfferedTheSameEventsStoreEachOnceAndBothAcknowledge() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let storage = HubConfiguration.Storage.postgres(try await PostgresTestServer.makeDatabase())
        var first = InProcessDaemons.hubConfiguration(folder: folder)
        first.id = "HUB-A"
        first.storage = storage
        var other = first
        other.id = "HUB-B"
        let second = other
        let total = Self.events
        let per = Self.perMessage
        let answers = try await InProcessDaemons.withHub(first) { a in
            try await InProcessDaemons.withHub(second) { b in
                try await onSocketThread {
                    let context = try ZMQContext()
                    defer { context.terminate() }
                    let peers = [
                        try RawPeer(connectTo: a.listen, context: context),
                        try RawPeer(connectTo: b.listen, context: context),
                    ]
                    defer { for peer in peers { peer.close() } }
                    for peer in peers {
                        guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                    }
                    for start in stride(from: 1, through: total, by: per) {
                        let batch = WireMessage.EventBatch(
                            firstSequence: UInt64(start),
                            payloads: (start..<(start + per)).map { Self.payload($0) }
                        )
                        for peer in peers { try peer.send(.events(batch)) }
                    }
                    return try peers.map { peer in
                        try peer.receive(
                            until: { if case .ack(let through) = $0 { through == UInt64(total) } else { false } },
                            limit: 10_000
                        )
                    }
                }
            }
        }
        for (hub, messages) in zip(["A", "B"], answers) {
            #expect(messages.last == .ack(settledThrough: UInt64(total)), "hub \(hub) acknowledged everything")
            let refusals = messages.filter { if case .nack = $0 { true } else { false } }
            #expect(refusals.isEmpty, "hub \(hub) refused \(refusals.prefix(3))")
        }
        let store = try storage.openStore()
        defer { try? store.close() }
        let keys = try store.storedKeys()
        #expect(keys.map(\.sequence) == (1...UInt64(total)).map { $0 })
        #expect(Set(keys.map(\.eventID)).count == total)
        #expect(try store.counts().rejected == 0)
        #expect(try store.settledProgress() == ["NO-VEST": UInt64(total)])
        #expect(try store.activityCountCoverage() == (total, total))
    }

    /// Hub processes A and B on one database, two node processes sending to A. A is killed with SIGKILL while the
    /// nodes still hold events it never acknowledged; the nodes are pointed at B and restarted (choosing among several
    /// hub endpoints by themselves is the nodes' part) and publish on. B stores what A never had, takes A's
    /// unacknowledged commits as already stored, and the database ends with every event exactly once, in order.
    @Test(.timeLimit(.minutes(5)))
    func aNodeMovedFromAKilledHubToAnotherOnTheSameDatabaseLosesAndDuplicatesNothing() async throws {
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        let storage = HubConfiguration.Storage.postgres(try await PostgresTestServer.makeDatabase())
        let binary = Repository.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build knutepunkt first: \(binary)")
        try net.writeHubConfig(storage: storage)
        func startHub(_ name: String) throws -> DaemonProcess {
            try DaemonProcess(
                name: name,
                executable: binary,
                arguments: ["hub", "--config", net.hubConfigPath],
                logFile: net.folder.file("\(name).log")
            )
        }
        func startNode(_ id: String) throws -> DaemonProcess {
            try DaemonProcess(
                name: id,
                executable: binary,
                arguments: ["node", "--config", net.nodeConfigPath(id)],
                logFile: net.folder.file("\(id).log")
            )
        }
        let hubA = try startHub("hub-a")
        let endpointsA = try await hubA.ready()
        let hubB = try startHub("hub-b")
        let endpointsB = try await hubB.ready()
        let curve = try net.hubViewerCurve
        let controlA = HubControl(endpoint: try #require(endpointsA["control"]), curve: curve)
        let controlB = HubControl(endpoint: try #require(endpointsB["control"]), curve: curve)

        var nodes: [String: DaemonProcess] = [:]
        var controls: [String: String] = [:]
        for node in net.nodes {
            try net.writeNodeConfig(node.id, hub: try #require(endpointsA["listen"]))
            let process = try startNode(node.id)
            controls[node.id] = try #require(try await process.ready()["control"])
            nodes[node.id] = process
        }
        let perNode = 3 * Self.perPortion
        let total = net.nodes.count * perNode
        // A third through A and acknowledged; a third handed to the nodes just before A dies (in flight, some
        // committed without an ACK); a third after the nodes moved to B.
        try await Self.publish(portion: 0, to: net.nodes, controls: controls)
        _ = try await controlA.waitForTotal(net.nodes.count * Self.perPortion, seconds: 60)
        try await Self.publish(portion: 1, to: net.nodes, controls: controls)
        hubA.signal(SIGKILL)
        _ = await hubA.exited()
        let killed = ContinuousClock.now
        let store = try storage.openStore()
        defer { try? store.close() }
        let storedAtKill = try store.counts().total

        for node in net.nodes {
            await nodes[node.id]?.stop()
            try net.writeNodeConfig(node.id, hub: try #require(endpointsB["listen"]))
            let process = try startNode(node.id)
            controls[node.id] = try #require(try await process.ready()["control"])
            nodes[node.id] = process
        }
        try await Self.publish(portion: 2, to: net.nodes, controls: controls)
        // B's own count of what it stored does not see A's commits, so ask the database through B's status, each
        // wait bounded, until it holds everything.
        var held = 0
        for _ in 0..<90 where held < total {
            held = try await controlB.waitForTotal(total, seconds: 1).events.total
        }
        let drained = ContinuousClock.now - killed
        #expect(held == total)
        for process in nodes.values { await process.stop() }
        #expect(await hubB.stop() == 0)

        let keys = try store.storedKeys()
        #expect(keys.count == total)
        #expect(Set(keys.map(\.eventID)).count == total)
        #expect(try store.counts().rejected == 0)
        #expect(try store.activityCountCoverage() == (total, total))
        for node in net.nodes {
            let mine = keys.filter { $0.source == node.id }
            let expected = (0..<perNode).map { EventFixtures.id(node.id, $0) }
            #expect(mine.map { $0.eventID.uuidString.lowercased() } == expected, "all of \(node.id), in order")
        }
        #expect(
            try store.settledProgress() == Dictionary(uniqueKeysWithValues: net.nodes.map { ($0.id, UInt64(perNode)) })
        )
        print(
            "two hubs, one database: events=\(total) stored=\(keys.count) "
                + "duplicates=\(keys.count - Set(keys.map(\.eventID)).count) lost=\(total - Set(keys.map(\.eventID)).count) "
                + "storedByAAtKill=\(storedAtKill) afterKill=\(total - storedAtKill) "
                + "killToAllStoredViaB=\(drained)"
        )
    }

    static let perPortion = 1_000

    /// Submits one node's events `portion * perPortion ..< (portion + 1) * perPortion` to each node, in batches.
    static func publish(
        portion: Int,
        to nodes: [(id: String, region: String, defaultNode: String)],
        controls: [String: String]
    ) async throws {
        for node in nodes {
            let endpoint = try #require(controls[node.id])
            for start in stride(from: portion * perPortion, to: (portion + 1) * perPortion, by: 100) {
                let events = (start..<(start + 100)).map {
                    EventFixtures.eventBytes(source: node.id, index: $0, region: node.region, node: node.defaultNode)
                }
                let results = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(5)) {
                    try $0.submit(events)
                }
                #expect(results.count == events.count)
                #expect(results.allSatisfy { $0.status == .queued || $0.status == .delivered })
            }
        }
    }
}
