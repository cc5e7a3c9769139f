import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The hub's activity counters are kept in the commit that stores each event, and a rebuild from the stored events
/// gives exactly the same counters.
@Suite struct ActivityCountsTests {
    static let today = LocalDate(year: 2026, month: 6, day: 30)!
    static let regions = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"]

    /// The sample data set, stored as the hub stores it: each region's events in batches of 50.
    static func storeSample(in store: any HubStore) throws -> [ActivityEvent] {
        let sample = SampleActivities(taxonomy: InProcessDaemons.taxonomy, start: today.adding(days: -364), seed: 5)
        var all: [ActivityEvent] = []
        for region in regions {
            let events = sample.activities(region: region)
            all += events
            var sequence: UInt64 = 0
            for chunk in stride(from: 0, to: events.count, by: 50) {
                var batch = HubBatch()
                for event in events[chunk..<min(chunk + 50, events.count)] {
                    sequence += 1
                    batch.events.append(
                        HubEventRecord(source: region, sequence: sequence, event: event, payload: event.canonicalJSON())
                    )
                }
                batch.settled[region] = sequence
                _ = try store.commit(batch, receivedAt: Date())
            }
        }
        return all
    }

    @Test(arguments: HubStoreBackend.allCases)
    func rebuildingGivesTheCountersKeptWhileStoring(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let events = try Self.storeSample(in: store)

        let incremental = try store.activityCounters()
        var expected = ActivityCounters()
        for event in events { expected.add(event) }
        #expect(incremental == expected)
        #expect(incremental.events == events.count)
        #expect(try store.activityCountCoverage() == (events.count, events.count))

        let rebuilt = try store.rebuildActivityCounts(
            validator: EventValidator(taxonomy: InProcessDaemons.taxonomy),
            today: .today()
        )
        #expect(
            rebuilt == ActivityCountRebuild(stored: events.count, counted: events.count, cells: expected.cells.count)
        )
        #expect(try store.activityCounters() == incremental)
    }

    /// The digest `rebuild-aggregates` compares: the same after a rebuild that changes nothing, different when a
    /// count changes and the cells and events stay the same.
    @Test func theDigestTellsAChangedCount() throws {
        let folder = try TemporaryDirectory(prefix: "knutepunkt-digest")
        defer { folder.remove() }
        let path = folder.file("hub.sqlite")
        let store = try SQLiteHubStore.open(path: path)
        defer { try? store.close() }
        let events = try Self.storeSample(in: store)
        let kept = try store.activityCountDigest()
        #expect(kept.events == events.count)
        #expect(kept.cells == (try store.activityCounters()).cells.count)
        try store.rebuildActivityCounts(validator: EventValidator(taxonomy: InProcessDaemons.taxonomy), today: .today())
        #expect(try store.activityCountDigest() == kept)
        try SQLiteTestAccess.execute(
            "UPDATE activity_counts SET families = families + 1 WHERE occurred_on = (SELECT MIN(occurred_on) FROM activity_counts)",
            in: path
        )
        let changed = try store.activityCountDigest()
        #expect(changed.cells == kept.cells && changed.events == kept.events)
        #expect(changed != kept)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aDuplicateEventIsNotCountedTwice(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let event = EventFixtures.activity(source: "NO-VEST", index: 1, region: "NO-VEST", node: "NO-VEST-BERGEN")
        var batch = HubBatch()
        batch.events = [
            HubEventRecord(source: "NO-VEST", sequence: 1, event: event, payload: event.canonicalJSON()),
            HubEventRecord(source: "NO-VEST", sequence: 2, event: event, payload: event.canonicalJSON()),
        ]
        #expect(try store.commit(batch, receivedAt: Date()).duplicateIDs == [1])
        let counters = try store.activityCounters()
        #expect(counters.cells == [ActivityCell(event): ActivityCount(event)])
    }

    @Test func countersThatMissEventsAreSeenAndRebuilt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("hub.sqlite")
        let store = try SQLiteHubStore.open(path: path)
        let events = try Self.storeSample(in: store)
        try store.close()
        // A store written before the counters existed: events, no counts.
        try SQLiteTestAccess.execute("DELETE FROM activity_counts", in: path)

        let reopened = try SQLiteHubStore.open(path: path)
        defer { try? reopened.close() }
        #expect(try reopened.activityCountCoverage() == (0, events.count))
        try reopened.rebuildActivityCounts(
            validator: EventValidator(taxonomy: InProcessDaemons.taxonomy),
            today: .today()
        )
        #expect(try reopened.activityCountCoverage() == (events.count, events.count))
    }

    @Test(arguments: HubStoreBackend.allCases)
    func anEventTheTaxonomyNoLongerKnowsIsLeftOutOfARebuildAndReported(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let event = EventFixtures.activity(source: "NO-VEST", index: 1, region: "NO-VEST", node: "NO-VEST-BERGEN")
        var batch = HubBatch()
        batch.events = [HubEventRecord(source: "NO-VEST", sequence: 1, event: event, payload: Array("{}".utf8))]
        _ = try store.commit(batch, receivedAt: Date())
        let rebuilt = try store.rebuildActivityCounts(
            validator: EventValidator(taxonomy: InProcessDaemons.taxonomy),
            today: .today()
        )
        #expect(rebuilt == ActivityCountRebuild(stored: 1, counted: 0, cells: 0))
        #expect(try store.activityCountCoverage() == (0, 1))
    }
}
