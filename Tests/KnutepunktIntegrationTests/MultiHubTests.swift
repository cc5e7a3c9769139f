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
}
