import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Logging
import Testing

@testable import KnutepunktHub

/// A hub restarted on a store with a checkpoint of its folded activity gets exactly the facts that folding every
/// counter cell gives: with new events, corrections and withdrawals, whether it stopped cleanly (checkpoint saved
/// after the last commit) or crashed between a commit and the next checkpoint, and when the checkpoint is of
/// another format (then it folds the counters, as a hub without a checkpoint does).
@Suite struct HubGapCheckpointTests {
    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func monitor(_ store: any HubStore) throws -> HubGapMonitor {
        try HubGapMonitor(taxonomy: InProcessDaemons.taxonomy, thresholds: .standard, store: store, logger: quiet)
    }

    /// The facts of folding every counter cell of `store`, as a hub without a checkpoint starts.
    static func fullFold(_ store: any HubStore) throws -> [GapFacts] {
        let taxonomy = InProcessDaemons.taxonomy
        var network = NetworkGapFacts(
            taxonomy: taxonomy,
            asOf: .today(),
            windowMonths: GapThresholds.standard.windowMonths
        )
        try store.forEachActivityCount { network.add($0, $1) }
        // The shipped taxonomy expects monthly returns: the facts carry the ones the store holds (none here).
        network.setReturns(
            try store.expectedReturns(taxonomy: taxonomy, asOf: .today(), timelyDays: GapThresholds.standard.timelyDays)
        )
        return network.countries.map(\.facts)
    }

    /// Commits random batches of new events, corrections and withdrawals, feeding each result to `live` as the
    /// reactor does; checkpoints after a batch now and then. Returns how many batches came after the last checkpoint.
    static func ingest(
        _ store: any HubStore,
        live: HubGapMonitor,
        random: inout SampleRandom,
        batches: Int,
        sequence: inout UInt64,
        versions: inout [Int: Int]
    ) throws -> Int {
        var sinceCheckpoint = 0
        for _ in 0..<batches {
            var batch = HubBatch()
            var indices: [Int] = []
            for _ in 0..<random.int(1...12) {
                sequence += 1
                let known = versions.keys.sorted()
                if !known.isEmpty, random.int(0...2) == 0 {
                    // A new version of a stored event: a correction to another day, or a withdrawal.
                    let index = known[random.int(0...(known.count - 1))]
                    indices.append(index)
                    batch.events.append(
                        HubGapMonitorTests.record(
                            index,
                            sequence,
                            version: versions[index]! + 1,
                            withdrawn: random.int(0...3) == 0,
                            daysAgo: random.int(1...500)
                        )
                    )
                } else {
                    let index = max(versions.keys.max() ?? 999, indices.max() ?? 999) + 1
                    indices.append(index)
                    batch.events.append(HubGapMonitorTests.record(index, sequence, daysAgo: random.int(1...500)))
                }
            }
            batch.settled["NO-VEST"] = sequence
            let result = try store.commit(batch, receivedAt: Date())
            for (offset, record) in batch.events.enumerated() where !result.notStored.contains(offset) {
                let index = indices[offset]
                versions[index] = max(versions[index] ?? 0, record.version)
            }
            live.stored(result)
            sinceCheckpoint += 1
            if random.int(0...4) == 0 {
                live.saveCheckpoint(store: store)
                sinceCheckpoint = 0
            }
        }
        return sinceCheckpoint
    }

    @Test(arguments: [HubStoreBackend.sqlite, .postgres], [1, 2, 3] as [UInt64])
    func aRestartOnTheCheckpointGetsTheFactsOfAFullFold(_ backend: HubStoreBackend, seed: UInt64) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        var random = SampleRandom(seed: seed)
        var sequence: UInt64 = 0
        var versions: [Int: Int] = [:]
        var store = try fixture.open()
        for round in 0..<3 {
            let live = try Self.monitor(store)
            _ = try Self.ingest(
                store,
                live: live,
                random: &random,
                batches: 12,
                sequence: &sequence,
                versions: &versions
            )
            // The live facts follow too, once folded again after the corrections.
            _ = live.evaluate(store: store)
            #expect(live.network.countries.map(\.facts) == (try Self.fullFold(store)), "live, round \(round)")
            if round == 1 {
                // A clean stop: the checkpoint covers every commit.
                live.saveCheckpoint(store: store)
            }
            // Otherwise a crash: whatever was committed after the last checkpoint is replayed at the next start.
            try store.close()
            store = try fixture.open()
            let restarted = try Self.monitor(store)
            #expect(restarted.startedFrom.hasPrefix("checkpoint"), "round \(round): \(restarted.startedFrom)")
            #expect(restarted.network.countries.map(\.facts) == (try Self.fullFold(store)), "restart, round \(round)")
            #expect(restarted.countedEvents == (try store.counts().total))
        }
        try store.close()
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aCheckpointOfAnotherFormatIsIgnored(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        var random = SampleRandom(seed: 11)
        var sequence: UInt64 = 0
        var versions: [Int: Int] = [:]
        let live = try Self.monitor(store)
        _ = try Self.ingest(store, live: live, random: &random, batches: 8, sequence: &sequence, versions: &versions)
        live.saveCheckpoint(store: store)
        // What an older (or newer) release wrote: another format, and bytes this one does not read.
        let saved = try store.loadGapCheckpoint()
        let older = GapCheckpoint(
            generation: saved.generation,
            format: ActivityDays.format + 1,
            position: saved.position,
            days: [1, 2, 3]
        )
        #expect(try store.saveGapCheckpoint(older))
        let restarted = try Self.monitor(store)
        #expect(restarted.startedFrom == "every counter cell")
        #expect(restarted.network.countries.map(\.facts) == (try Self.fullFold(store)))
        // It wrote a checkpoint of its own format, which the next start takes.
        #expect(try store.loadGapCheckpoint().format == ActivityDays.format)
        #expect(try Self.monitor(store).startedFrom.hasPrefix("checkpoint"))
    }

    /// The outcome of a commit can reach the monitor after a fold of the counters already read it (the commit ended
    /// on the writer's thread while the reactor folded): it is not counted twice.
    @Test func aCommitTheFoldAlreadyReadIsNotCountedTwice() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var batch = HubBatch()
        batch.events = (0..<20).map { HubGapMonitorTests.record($0, UInt64($0 + 1)) }
        batch.settled["NO-VEST"] = 20
        let result = try store.commit(batch, receivedAt: Date())
        let monitor = try Self.monitor(store)
        let folded = monitor.days
        monitor.stored(result)
        #expect(monitor.days == folded)
        #expect(monitor.countedEvents == 20)
    }

    @Test func aRebuildOfTheCountersMakesTheLiveDaysFoldAfresh() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var random = SampleRandom(seed: 5)
        var sequence: UInt64 = 0
        var versions: [Int: Int] = [:]
        let live = try Self.monitor(store)
        _ = try Self.ingest(store, live: live, random: &random, batches: 6, sequence: &sequence, versions: &versions)
        try store.rebuildActivityCounts(validator: EventValidator(taxonomy: InProcessDaemons.taxonomy), today: .today())
        _ = try Self.ingest(store, live: live, random: &random, batches: 2, sequence: &sequence, versions: &versions)
        // The save is refused (another generation), so the days are folded from the rebuilt counters.
        live.saveCheckpoint(store: store)
        #expect(live.startedFrom == "every counter cell")
        #expect(try store.loadGapCheckpoint().format == ActivityDays.format)
        _ = live.evaluate(store: store)
        #expect(live.network.countries.map(\.facts) == (try Self.fullFold(store)))
    }
}
