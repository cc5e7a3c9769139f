import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Synchronization
import Testing

/// The hub evaluates the gap rules as events arrive and publishes every change; a watcher that joins late gets the
/// open gaps first and then each change once.
@Suite(.serialized)
struct GapWatchTests {
    @Test(.timeLimit(.minutes(6)))
    func aLateWatcherEndsWithTheHubsOpenGaps() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let (events, final) = try await InProcessDaemons.withHub(configuration) { endpoints in
            let watch = GapWatch(publish: endpoints.publish, control: endpoints.control)
            let seen = Mutex<[GapWatch.Event]>([])
            let started = ReadySignal<Void>()
            let final = Mutex<GapSnapshot?>(nil)
            async let watching: Void = onSocketThread {
                // Ends on what it sees, never on silence: once G1 has opened for NO-NORD (the evaluation that read
                // both regions' reports), it asks the hub for its gaps and follows the changes up to that
                // snapshot's number, so it has applied everything that evaluation changed. `idle` only bounds a
                // failure (the test then fails on the missing gaps).
                let client = try ControlClient(endpoint: endpoints.control)
                defer { client.close() }
                var target: UInt64?
                try watch.run(idle: .seconds(60)) { event in
                    seen.withLock { $0.append(event) }
                    started.fulfil(())
                    let sequence: UInt64
                    switch event {
                    case .snapshot(let snapshot): sequence = snapshot.sequence
                    case .update(let update): sequence = update.sequence
                    }
                    if target == nil, Self.opensNorthernG1(event), let snapshot = try? client.gapSnapshot() {
                        final.withLock { $0 = snapshot }
                        target = snapshot.sequence
                    }
                    if let target { return sequence < target }
                    return true
                }
            }
            try await started.value()
            try await Self.reportActivity(to: endpoints.listen)
            try await watching
            return (seen.withLock { $0 }, try #require(final.withLock { $0 }, "G1 never opened for NO-NORD"))
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
        // have no data at all (every node silent): one "no report" each, and no false "no service" alarm for them.
        #expect(opened.contains { $0.rule == "G1" && $0.region == "NO-NORD" && $0.targetGroup == "HICONF" })
        #expect(!opened.contains { $0.rule != "D1" && ($0.region == "NO-MIDT" || $0.region == "NO-SOROST") })
        #expect(final.gaps.contains { $0.key == "D1|NO-MIDT|NO_REPORT" })
        #expect(!final.gaps.contains { $0.rule == "D1" && $0.node == "NO-MIDT-STOLAV" }, "one finding per region")
        #expect(opened.allSatisfy { $0.openedOn != nil })
        #expect(
            updates.contains { $0.change == "closed" && $0.gap.key == "D1|NO-VEST|NO_REPORT" },
            "the region that reported is no longer without reports"
        )
        // NO-VEST reports through one of its four local nodes: the other three are silent, each named.
        #expect(final.gaps.contains { $0.key == "D1|NO-VEST|NO-VEST-FONNA" })
    }

    /// Whether `event` shows G1 open for NO-NORD's high-conflict families.
    static func opensNorthernG1(_ event: GapWatch.Event) -> Bool {
        switch event {
        case .snapshot(let snapshot): snapshot.gaps.contains { $0.key == "G1|NO-NORD|HICONF" }
        case .update(let update): update.change != "closed" && update.gap.key == "G1|NO-NORD|HICONF"
        }
    }

    /// NO-VEST reports three activities for high-conflict families, NO-NORD three for other families, ten days ago,
    /// each through one local node that has made all its monthly returns; each region's first activity is dated 400
    /// days ago, so the store covers the whole 12-month window for both
    /// (with less, every rule would say "not enough data yet"). All are acknowledged (stored) when this returns.
    static func reportActivity(to listen: String) async throws {
        try await onSocketThread {
            let context = try ZMQContext()
            defer { context.terminate() }
            let day = LocalDate.today().adding(days: -10).iso
            let first = LocalDate.today().adding(days: -400).iso
            for (region, node, source) in [
                ("NO-VEST", "NO-VEST-BERGEN", "GAPS"), ("NO-NORD", "NO-NORD-BODO", "GAPS-N"),
            ] {
                let peer = try RawPeer(connectTo: listen, context: context)
                defer { peer.close() }
                guard try peer.greet(as: region) != nil else { throw PeerFailure("no WELCOME") }
                let payloads = (0..<4).map { index in
                    var text = EventFixtures.event(source: source, index: index, region: region, node: node)
                        .replacingOccurrences(
                            of: #""date":"[0-9-]+""#,
                            with: "\"date\":\"\(index == 0 ? first : day)\"",
                            options: .regularExpression
                        )
                    if region == "NO-VEST" { text = text.replacingOccurrences(of: "\"PND\"", with: "\"HICONF\"") }
                    return Array(text.utf8)
                }
                // The node that reports makes its monthly returns too (the shipped taxonomy expects them from every
                // local node); the region's other nodes make none and are silent.
                let returns = EventFixtures.monthlyReturns(
                    region: region,
                    nodes: [node],
                    taxonomy: InProcessDaemons.taxonomy
                )
                let sent = payloads + returns
                try peer.send(.events(.init(firstSequence: 1, payloads: sent)))
                _ = try peer.receive(until: { $0 == .ack(settledThrough: UInt64(sent.count)) })
            }
        }
    }

    static func gapSnapshot(_ control: String) async throws -> GapSnapshot {
        try await ControlClient.withConnection(to: control, timeout: .seconds(60)) { client in
            try JSONBody.decode(GapSnapshot.self, from: client.request(.gaps, body: Array("{}".utf8)).body)
        }
    }

    /// The gaps are the store's: a restarted hub goes on with the same open gaps, opening days, numbers and epoch —
    /// also when it had to rebuild its activity counters first (a store written before they existed).
    @Test(.timeLimit(.minutes(6)))
    func theHubKeepsItsGapsAcrossARestart() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let before = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await Self.reportActivity(to: endpoints.listen)
            // Follow the gaps until the debounced evaluation has opened G1 for NO-NORD (`idle` only bounds a
            // failure, which the expectations below then report).
            let watch = GapWatch(publish: endpoints.publish, control: endpoints.control)
            try await onSocketThread {
                var open: Set<String> = []
                try watch.run(idle: .seconds(60)) { event in
                    switch event {
                    case .snapshot(let snapshot): open = Set(snapshot.gaps.map(\.key))
                    case .update(let update) where update.change == "closed": open.remove(update.gap.key)
                    case .update(let update): open.insert(update.gap.key)
                    }
                    return !open.contains("G1|NO-NORD|HICONF")
                }
            }
            return try await Self.gapSnapshot(endpoints.control)
        }
        guard case .sqlite(let path) = configuration.storage else { throw PeerFailure("not SQLite") }
        try SQLiteTestAccess.execute("DELETE FROM activity_counts", in: path)

        let after = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await Self.gapSnapshot(endpoints.control)
        }
        let store = try SQLiteHubStore.open(path: path)
        #expect(try store.activityCountCoverage() == (8, 8), "the hub rebuilt the counters at start")
        try store.close()
        #expect(after.epoch == before.epoch)
        #expect(after.sequence == before.sequence, "nothing changed, so no change was numbered")
        #expect(after.gaps.map(\.key) == before.gaps.map(\.key))
        #expect(after.gaps.map(\.openedOn) == before.gaps.map(\.openedOn))
        #expect(after.gaps.contains { $0.rule == "G1" && $0.region == "NO-NORD" && $0.targetGroup == "HICONF" })
    }
}
