import Foundation
import KnutepunktClient
import KnutepunktCore
import KnutepunktTesting
import KnutepunktZMQ
import Synchronization
import Testing

/// The hub evaluates the gap rules as events arrive and publishes every change; a watcher that joins late gets the
/// open gaps first and then each change once.
@Suite(.serialized)
struct GapWatchTests {
    @Test(.timeLimit(.minutes(2)))
    func aLateWatcherEndsWithTheHubsOpenGaps() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let (events, final) = try await InProcessDaemons.withHub(configuration) { endpoints in
            let watch = GapWatch(publish: endpoints.publish, control: endpoints.control)
            let seen = Mutex<[GapWatch.Event]>([])
            let started = ReadySignal<Void>()
            async let watching: Void = onSocketThread {
                try watch.run(idle: .seconds(3)) { event in
                    seen.withLock { $0.append(event) }
                    started.fulfil(())
                    return true
                }
            }
            try await started.value()
            // NO-VEST reports activities for high-conflict families.
            try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { peer.close() }
                guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                let today = LocalDate.today().adding(days: -10).iso
                let payloads = (0..<3).map { index in
                    Array(
                        EventFixtures.event(source: "GAPS", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN")
                            .replacingOccurrences(of: "\"PND\"", with: "\"HICONF\"")
                            .replacingOccurrences(
                                of: #""date":"[0-9-]+""#,
                                with: "\"date\":\"\(today)\"",
                                options: .regularExpression
                            ).utf8
                    )
                }
                try peer.send(.events(.init(firstSequence: 1, payloads: payloads)))
                _ = try peer.receive(until: { $0 == .ack(settledThrough: 3) })
                // NO-NORD reports too, but nothing for high-conflict families.
                let north = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { north.close() }
                guard try north.greet(as: "NO-NORD") != nil else { throw PeerFailure("no WELCOME") }
                let northern = (0..<3).map { index in
                    Array(
                        EventFixtures.event(source: "GAPS-N", index: index, region: "NO-NORD", node: "NO-NORD-BODO")
                            .replacingOccurrences(
                                of: #""date":"[0-9-]+""#,
                                with: "\"date\":\"\(today)\"",
                                options: .regularExpression
                            ).utf8
                    )
                }
                try north.send(.events(.init(firstSequence: 1, payloads: northern)))
                _ = try north.receive(until: { $0 == .ack(settledThrough: 3) })
            }
            try await watching
            let final = try await ControlClient.withConnection(to: endpoints.control) { client in
                try JSONBody.decode(GapSnapshot.self, from: client.request(.gaps, body: Array("{}".utf8)).body)
            }
            return (seen.withLock { $0 }, final)
        }
        // Replay what the watcher saw: the last snapshot, then its updates.
        var state: [String: GapRecord] = [:]
        var updates: [GapUpdate] = []
        for event in events {
            switch event {
            case .snapshot(let snapshot): state = Dictionary(uniqueKeysWithValues: snapshot.gaps.map { ($0.key, $0) })
            case .update(let update):
                updates.append(update)
                state[update.gap.key] = update.change == "closed" ? nil : update.gap
            }
        }
        #expect(Set(state.keys) == Set(final.gaps.map(\.key)))
        #expect(updates.map(\.sequence) == updates.map(\.sequence).sorted())
        let opened = updates.filter { $0.change == "opened" }.map(\.gap)
        // NO-NORD reports but serves no high-conflict families while NO-VEST does: G1 opens there. The other regions
        // have no data at all (every node silent, D1): no false "no service" alarm for them.
        #expect(opened.contains { $0.rule == "G1" && $0.region == "NO-NORD" && $0.targetGroup == "HICONF" })
        #expect(!opened.contains { $0.rule == "G1" && ($0.region == "NO-MIDT" || $0.region == "NO-SOROST") })
        #expect(final.gaps.contains { $0.rule == "D1" && $0.node == "NO-MIDT-STOLAV" })
        #expect(opened.allSatisfy { $0.openedOn != nil })
        #expect(
            updates.contains { $0.change == "closed" && $0.gap.rule == "D1" && $0.gap.node == "NO-VEST-BERGEN" },
            "the node that reported is no longer stale"
        )
    }
}
