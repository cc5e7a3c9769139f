import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktSampleNetwork
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
    @Test(.timeLimit(.minutes(6)))
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
                    func send(from first: Int, to peer: RawPeer) throws {
                        for start in stride(from: first, through: total, by: per) {
                            let end = min(start + per, total + 1)
                            let batch = WireMessage.EventBatch(
                                firstSequence: UInt64(start),
                                payloads: (start..<end).map { Self.payload($0) }
                            )
                            try peer.send(.events(batch))
                        }
                    }
                    for peer in peers { try send(from: 1, to: peer) }
                    // Each peer behaves as a node while it waits for its ACKs: it heartbeats (a hub closes a
                    // session it hears nothing from for its session timeout, 5 s here), and when no ACK comes for
                    // its retransmission timeout it greets again and resends what WELCOME says is not settled. Two
                    // hubs contending for one database on a busy machine can take longer than either.
                    var greetedAgain = [0, 0]
                    let answers = try RawPeer.receiveAll(
                        peers,
                        until: { if case .ack(let through) = $0 { through == UInt64(total) } else { false } },
                        respond: { index, message in
                            switch message {
                            case nil:
                                greetedAgain[index] += 1
                                try peers[index].send(.hello(.init(nodeID: "NO-VEST", software: "raw-peer")))
                            case .welcome(let welcome):
                                try send(from: Int(welcome.settledThrough) + 1, to: peers[index])
                            default:
                                break
                            }
                        },
                        // Only a bound on failure.
                        timeout: .seconds(90)
                    )
                    print(
                        "two hubs, one database: the peer greeted hub A again \(greetedAgain[0]) times, hub B \(greetedAgain[1])"
                    )
                    return answers
                }
            }
        }
        for (hub, messages) in zip(["A", "B"], answers) {
            #expect(messages.last == .ack(settledThrough: UInt64(total)), "hub \(hub) acknowledged everything")
            let refusals = messages.filter { if case .nack = $0 { true } else { false } }
            #expect(refusals.isEmpty, "hub \(hub) refused \(refusals.prefix(3))")
        }
        let store = try storage.open()
        defer { try? store.close() }
        let keys = try store.storedKeys()
        #expect(keys.map(\.sequence) == (1...UInt64(total)).map { $0 })
        #expect(Set(keys.map(\.eventID)).count == total)
        #expect(try store.counts().rejected == 0)
        #expect(try store.settledProgress() == ["NO-VEST": UInt64(total)])
        #expect(try store.activityCountCoverage() == (total, total))
    }

    /// Hub processes A and B on one database, and two node processes that know both (`hubs: [A, B]`, A first). The
    /// coordinators publish without pause; once A holds part of the stream it is frozen while the nodes accept more,
    /// then killed with SIGKILL, so it dies holding events it never acknowledged. Nobody touches the nodes: each
    /// notices the silence (`hubTimeout`), greets B and resends what B's WELCOME says the database lacks, while
    /// publishing goes on. B takes A's unacknowledged commits as already stored. Then A is restarted and the nodes
    /// return to it after `failbackAfter`. The database ends with every accepted event exactly once, in each node's
    /// order.
    @Test(.timeLimit(.minutes(8)))
    func nodesFailOverFromAKilledHubToAnotherOnTheSameDatabaseAndBackLosingAndDuplicatingNothing() async throws {
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        let storage = HubConfiguration.Storage.postgres(try await PostgresTestServer.makeDatabase())
        let binary = Repository.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build knutepunkt first: \(binary)")
        // One file for both hubs: the same hub key pair and node grants, ports chosen by each process.
        try net.writeHubConfig(storage: storage)
        func start(_ name: String, _ arguments: [String]) throws -> DaemonProcess {
            try DaemonProcess(
                name: name,
                executable: binary,
                arguments: arguments,
                logFile: net.folder.file("\(name).log")
            )
        }
        let hubA = try start("hub-a", ["hub", "--config", net.hubConfigPath])
        let endpointsA = try await hubA.ready()
        let hubB = try start("hub-b", ["hub", "--config", net.hubConfigPath])
        let endpointsB = try await hubB.ready()
        let listenA = try #require(endpointsA["listen"])
        let listenB = try #require(endpointsB["listen"])
        let curve = try net.hubViewerCurve
        let controlA = HubControl(endpoint: try #require(endpointsA["control"]), curve: curve)
        let controlB = try #require(endpointsB["control"])

        let directory = NodeDirectory()
        var nodes: [String: DaemonProcess] = [:]
        for node in net.nodes {
            try net.writeNodeConfig(node.id, hubs: [listenA, listenB], extra: "  failbackAfter: 2s\n")
            let process = try start(node.id, ["node", "--config", net.nodeConfigPath(node.id)])
            await directory.set(node.id, try #require(try await process.ready()["control"]))
            nodes[node.id] = process
        }
        let perNode = 3_000
        let total = net.nodes.count * perNode
        let third = perNode / 3
        var figures = FaultFigures("two hubs, one database: A SIGKILL, nodes fail over to B and back; 2 nodes x 3,000")
        let store = try storage.open()
        defer { try? store.close() }
        var acceptedAtKill = 0
        var storedAtFreeze = 0
        var storedAtKill = 0
        var acceptedByKill = 0
        var killed = ContinuousClock.now

        for node in net.nodes { await directory.hold(node.id, at: third) }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in net.nodes {
                group.addTask { try await FaultNetwork.publish(node, to: perNode, directory: directory) }
            }
            for node in net.nodes { _ = await directory.waitForProgress(node.id, atLeast: third) }
            _ = try await controlA.waitForTotal(net.nodes.count * third / 2, seconds: 60)
            // A is frozen while the coordinators go on and the nodes accept at least half of their events, then
            // killed as the stream continues.
            hubA.signal(SIGSTOP)
            storedAtFreeze = try store.counts().total
            for node in net.nodes { await directory.release(node.id) }
            for node in net.nodes { acceptedAtKill += await directory.waitForProgress(node.id, atLeast: perNode / 2) }
            hubA.signal(SIGKILL)
            _ = await hubA.exited()
            killed = ContinuousClock.now
            figures.faults += 1
            storedAtKill = try store.counts().total
            for node in net.nodes { acceptedByKill += await directory.waitForProgress(node.id, atLeast: 0) }
            // What the nodes accept after the freeze reaches the database only through the failover (B may have
            // stored all of it by now on a busy machine, so the count at the kill is a figure, not a check).
            #expect(storedAtFreeze < acceptedAtKill, "the nodes should accept events the frozen A has not stored")
            // Recovery: from the kill until the database holds everything the nodes had accepted before it.
            figures.recovered(
                try await Self.databaseTotal(reaching: acceptedAtKill, via: controlB, curve: curve) - killed
            )
            for try await published in group { #expect(published == perNode) }
        }
        let held = try await Self.databaseTotal(reaching: total, via: controlB, curve: curve)
        let drained = Double((held - killed).milliseconds) / 1000
        #expect(try store.counts().total == total)
        func nodesHubs() async throws -> String {
            var hubs: [String] = []
            for node in net.nodes {
                let endpoint = await directory.current(node.id).endpoint
                let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
                    try $0.status()
                }
                guard case .node(let status, _) = report else {
                    throw DaemonProcessError(message: "not a node status")
                }
                let hub = status.hub.endpoint
                hubs.append(hub == listenA ? "A" : hub == listenB ? "B" : hub)
            }
            return hubs.joined(separator: ", ")
        }
        let afterFailover = try await nodesHubs()

        // Failback: A comes back on its old port, and after `failbackAfter` (2 s here) the nodes greet it again.
        // Small rounds are published until A has a session with every node; each round's STATUS wait is woken by A's
        // own commits, which only a node back on A can bring it.
        try net.writeHubConfig(listen: listenA, storage: storage)
        let hubAAgain = try start("hub-a-again", ["hub", "--config", net.hubConfigPath])
        controlA.endpoint = try #require(try await hubAAgain.ready()["control"])
        let restarted = ContinuousClock.now
        var published = perNode
        var back = false
        for _ in 0..<60 {
            for node in net.nodes {
                _ = try await FaultNetwork.publish(
                    node,
                    from: published,
                    to: published + 20,
                    batch: 20,
                    directory: directory
                )
            }
            published += 20
            let status = try await controlA.waitForTotal(net.nodes.count * published, seconds: 1)
            back = status.nodes.allSatisfy(\.connected)
            if back { break }
        }
        let failback = Double((ContinuousClock.now - restarted).milliseconds) / 1000
        #expect(back, "every node back on A")
        let all = net.nodes.count * published
        _ = try await Self.databaseTotal(reaching: all, via: controlB, curve: curve)
        let afterFailback = try await nodesHubs()
        #expect(afterFailback == net.nodes.map { _ in "A" }.joined(separator: ", "))
        for process in nodes.values { await process.stop() }
        #expect(await hubB.stop() == 0)
        #expect(await hubAAgain.stop() == 0)

        let keys = try store.storedKeys()
        let accepted = Dictionary(uniqueKeysWithValues: net.nodes.map { ($0.id, published) })
        FaultNetwork.check(keys: keys, nodes: net.nodes.map(\.id), accepted: accepted, into: &figures)
        #expect(try store.counts().rejected == 0)
        #expect(try store.activityCountCoverage() == (all, all))
        #expect(try store.settledProgress() == accepted.mapValues { UInt64($0) })
        figures.recoveryNote = "A killed until the database held all \(acceptedAtKill) accepted before the kill"
        figures.notes.append(
            "held by the database when A froze \(storedAtFreeze), when it died \(storedAtKill), of \(acceptedAtKill) accepted"
        )
        figures.notes.append("\(total - acceptedByKill) published after the kill")
        figures.notes.append("A killed until the database held all \(total) \(String(format: "%.2f", drained)) s")
        figures.notes.append("nodes on hub \(afterFailover) after the kill")
        figures.notes.append(
            "A restarted until every node was back on it \(String(format: "%.2f", failback)) s, "
                + "\(published - perNode) more per node; nodes on hub \(afterFailback) at the end"
        )
        print(figures)
        #expect(figures.lost == 0, "\(figures)")
        #expect(figures.duplicated == 0, "\(figures)")
        #expect(figures.orderBroken == 0, "\(figures)")
        #expect(figures.stored == figures.events, "\(figures)")
    }

    /// The instant the shared database held at least `total` events, asked through a hub's status. A hub wakes a
    /// waiting STATUS for its own commits only, not another hub's, so each wait is short and their number bounded.
    static func databaseTotal(
        reaching total: Int,
        via control: String,
        curve: ZMQCurveClient
    ) async throws
        -> ContinuousClock.Instant
    {
        for _ in 0..<600 {
            let report = try await ControlClient.withConnection(to: control, timeout: .seconds(60), curve: curve) {
                try $0.status(StatusRequest(waitForTotal: total, timeoutMillis: 100))
            }
            guard case .hub(let hub, _) = report else { throw DaemonProcessError(message: "not a hub status") }
            if hub.events.total >= total { return ContinuousClock.now }
        }
        throw DaemonProcessError(message: "the database did not reach \(total) events within 600 waits")
    }
}
