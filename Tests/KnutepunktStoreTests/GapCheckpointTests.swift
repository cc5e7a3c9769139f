import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The checkpoint part of the HubStore contract, on every backend: the checkpoint is saved and read back, a rebuild
/// or a copy of the counters makes it stale (a new generation) and refuses a save for the old one, and the versions
/// stored after a position, read back with what the versions they replaced counted, bring days rolled up to that
/// position to exactly the counters.
@Suite struct GapCheckpointTests {
    /// The counters rolled up per day, as the store holds them now.
    static func daysOfCounters(_ store: any HubStore) throws -> (ActivityDays, position: Int64, generation: Int64) {
        var days = ActivityDays()
        let (position, generation) = try store.foldActivityCounts { days.add($0, $1) }
        return (days, position, generation)
    }

    static func replay(_ store: any HubStore, onto days: inout ActivityDays, after position: Int64) throws -> Int64 {
        var last = position
        try store.forEachCountedChange(after: position) { change in
            if let (cell, count) = change.removed { days.add(cell, count, sign: -1) }
            if let (cell, count) = change.added { days.add(cell, count) }
            #expect(change.position > last, "in storage order")
            last = change.position
        }
        return last
    }

    @Test(arguments: HubStoreBackend.allCases)
    func theCheckpointIsSavedReadBackAndMadeStaleByARebuild(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let empty = try store.loadGapCheckpoint()
        #expect(empty.format == 0)
        let result = try HubStoreVersionTests.commit(
            store,
            [HubStoreVersionTests.version(1, sequence: 1), HubStoreVersionTests.version(2, sequence: 2)]
        )
        #expect(result.position > 0)
        let (days, position, generation) = try Self.daysOfCounters(store)
        #expect(position == result.position)
        #expect(generation == empty.generation)
        let checkpoint = GapCheckpoint(
            generation: generation,
            format: ActivityDays.format,
            position: position,
            days: days.encoded()
        )
        #expect(try store.saveGapCheckpoint(checkpoint))
        #expect(try store.loadGapCheckpoint() == checkpoint)

        try store.rebuildActivityCounts(validator: EventValidator(taxonomy: InProcessDaemons.taxonomy), today: .today())
        let stale = try store.loadGapCheckpoint()
        #expect(stale.format == 0, "a rebuild leaves no checkpoint to read")
        #expect(stale.generation == generation + 1)
        #expect(try !store.saveGapCheckpoint(checkpoint), "a save for the old generation is refused")
        var fresh = checkpoint
        fresh.generation = stale.generation
        #expect(try store.saveGapCheckpoint(fresh))
    }

    @Test(arguments: HubStoreBackend.allCases)
    func versionsAfterAPositionBringTheDaysToTheCounters(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        typealias V = HubStoreVersionTests
        let first = try V.commit(store, (1...6).map { V.version($0, sequence: UInt64($0)) })
        let (atFirst, position, _) = try Self.daysOfCounters(store)
        #expect(position == first.position)

        // Corrections, a withdrawal, a correction of the withdrawn event back in, and new events, in two batches
        // (one with two versions of the same event).
        let second = try V.commit(
            store,
            [
                V.version(1, 2, participants: 30, sequence: 7), V.version(2, 2, withdrawn: true, sequence: 8),
                V.version(7, sequence: 9), V.version(3, 2, participants: 5, sequence: 10),
                V.version(3, 3, participants: 6, sequence: 11),
            ]
        )
        #expect(second.superseding.count == 4)
        #expect(second.uncounted.events == 4, "what versions 1 of events 1, 2, 3 and version 2 of 3 counted")
        _ = try V.commit(store, [V.version(2, 3, participants: 13, sequence: 12), V.version(8, sequence: 13)])

        var replayed = atFirst
        let last = try Self.replay(store, onto: &replayed, after: position)
        let (now, positionNow, _) = try Self.daysOfCounters(store)
        #expect(last == positionNow)
        #expect(replayed == now)
        var fromStart = ActivityDays()
        _ = try Self.replay(store, onto: &fromStart, after: 0)
        #expect(fromStart == now)
        #expect(now.events == (try store.counts().total))
    }
}
