import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// Test events (docs/events.md, "Test events"): a dry run that travels end to end — the coordinator's submission,
/// the node's outbox, the wire, the hub's validation and commit, the ACK — and is never counted nationally.
@Suite(.serialized)
struct TestEventTests {
    /// `EventFixtures.event(…)` with `"test": true`.
    static func testEvent(index: Int) -> String {
        String(EventFixtures.event(source: "T", index: index, region: "NO-VEST", node: "NO-VEST-FONNA").dropLast())
            + #","test":true}"#
    }

    @Test(.timeLimit(.minutes(6)))
    func aTestEventTravelsEndToEndAndIsNeverCounted() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        let (results, node, hub) = try await InProcessDaemons.withHub(hubConfiguration) { hub in
            try await InProcessDaemons.withNode(NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)) {
                node in
                let real = (0..<3).map {
                    EventFixtures.event(source: "T", index: $0, region: "NO-VEST", node: "NO-VEST-FONNA")
                }
                let results = try await NodeToHubTests.submit(real + [Self.testEvent(index: 9)], to: node.control)
                let status = try await NodeToHubTests.drained(node.control)
                let report = try await ControlClient.withConnection(to: hub.control, timeout: .seconds(60)) {
                    try $0.status()
                }
                guard case .hub(let hubStatus, _) = report else { throw PeerFailure("not the hub's status") }
                return (results, status, hubStatus)
            }
        }
        // At the node: accepted and numbered like any event, and delivered (the hub acknowledged it).
        #expect(results.map(\.status) == [.queued, .queued, .queued, .queued])
        #expect(results.last?.sequence == 4)
        #expect(node.outbox.deliveredThrough == 4 && node.outbox.backlog == 0 && node.outbox.rejected == 0)
        // At the hub: committed, and shown apart.
        let testID = EventFixtures.id("T", 9)
        #expect(hub.events.total == 3 && hub.events.byRegion == ["NO-VEST": 3] && hub.events.rejected == 0)
        #expect(hub.nodes.first { $0.id == "NO-VEST" }?.events == 3)
        #expect(hub.nodes.first { $0.id == "NO-VEST" }?.settledThrough == 4)
        #expect(hub.tests?.total == 1)
        #expect(hub.tests?.latest.first?.id == testID && hub.tests?.latest.first?.node == "NO-VEST")

        // Never counted: not among the events, their counters (what the gap facts, the dashboard and every export
        // read), or the payloads a rebuild reads.
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.storedKeys().map(\.eventID.lowercasedText) == (0..<3).map { EventFixtures.id("T", $0) })
        var counted = 0
        try store.forEachActivityCount { _, count in counted += count.events }
        #expect(counted == 3)
        var payloads: [String] = []
        try store.forEachPayload { payloads.append(String(decoding: $0, as: UTF8.self)) }
        #expect(payloads.count == 3 && !payloads.contains { $0.contains(#""test""#) })
        #expect(try store.testEvents(limit: 5).total == 1)
    }

    @Test(.timeLimit(.minutes(6)))
    func aTestEventIsPublishedOnItsOwnTopicNeverAsAnEvent() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let topics = try await InProcessDaemons.withHub(InProcessDaemons.hubConfiguration(folder: folder)) { hub in
            try await onSocketThread { () -> [String] in
                let context = try ZMQContext()
                defer { context.terminate() }
                let subscriber = try context.makeSocket(.sub)
                defer { subscriber.close() }
                try subscriber.setOption(.subscribe, [])
                try subscriber.connect(hub.publish)
                let peer = try RawPeer(connectTo: hub.listen, context: context)
                defer { peer.close() }
                guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                // The subscription takes effect a moment after connecting: one test event at a time until one is
                // seen, then a real event, which must come after it on its own topic.
                var topics: [String] = []
                var sequence: UInt64 = 0
                func drain(_ timeout: Duration) throws {
                    var poller = ZMQPoller()
                    _ = poller.add(subscriber)
                    while try poller.poll(timeout: timeout).first?.contains(.readable) == true,
                        let message = try subscriber.receive(dontWait: true)
                    {
                        let topic = String(decoding: message.frames[0], as: UTF8.self)
                        if !topic.hasPrefix("gap.") { topics.append(topic) }
                    }
                }
                while !topics.contains("test.NO-VEST"), sequence < 200 {
                    sequence += 1
                    try peer.send(
                        .events(
                            .init(firstSequence: sequence, payloads: [Array(Self.testEvent(index: Int(sequence)).utf8)])
                        )
                    )
                    _ = try peer.receive(until: { $0 == .ack(settledThrough: sequence) })
                    try drain(.milliseconds(50))
                }
                sequence += 1
                let real = EventFixtures.eventBytes(source: "T", index: 500, region: "NO-VEST", node: "NO-VEST-FONNA")
                try peer.send(.events(.init(firstSequence: sequence, payloads: [real])))
                _ = try peer.receive(until: { $0 == .ack(settledThrough: sequence) })
                try drain(.milliseconds(500))
                return topics
            }
        }
        #expect(topics.contains("test.NO-VEST"))
        #expect(topics.filter { $0.hasPrefix("event.") } == ["event.NO-VEST"], "\(topics)")
        #expect(topics.last == "event.NO-VEST")
    }
}
