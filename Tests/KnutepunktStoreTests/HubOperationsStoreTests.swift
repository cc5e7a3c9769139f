import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The operations part of the HubStore contract (``HubOperationsStore``), run against every backend: test events are
/// committed with their batch and settle their sequence, but stay out of the events, counts and counters; taxonomy
/// versions are numbered 1, 2, 3, … and the same document is not published twice.
@Suite struct HubOperationsStoreTests {
    static func test(_ source: String, _ sequence: UInt64) -> HubTestEventRecord {
        var event = EventFixtures.activity(
            source: source,
            index: Int(sequence) + 1000,
            region: source,
            node: "\(source)-X"
        )
        event.isTest = true
        return HubTestEventRecord(
            source: source,
            sequence: sequence,
            eventID: event.id,
            region: event.region,
            node: event.node,
            payload: event.canonicalJSON()
        )
    }

    @Test(arguments: HubStoreBackend.allCases)
    func testEventsSettleButAreNeverCounted(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        var batch = HubBatch()
        batch.events = [HubStoreConformanceTests.record("NO-VEST", 1)]
        batch.tests = [Self.test("NO-VEST", 2)]
        batch.settled = ["NO-VEST": 2]
        #expect(
            try store.commit(batch, receivedAt: Date(timeIntervalSince1970: 1_800_000_000)).decisions
                == HubCommitResult(countedChange: 1)
        )
        // A batch of nothing but a test event is not empty: it settles a sequence.
        var second = HubBatch()
        second.tests = [Self.test("NO-NORD", 1)]
        #expect(!second.isEmpty)
        second.settled = ["NO-NORD": 1]
        _ = try store.commit(second, receivedAt: Date(timeIntervalSince1970: 1_800_000_060))
        try store.close()

        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.settledProgress() == ["NO-VEST": 2, "NO-NORD": 1])
        let counts = try reopened.counts()
        #expect(counts.total == 1 && counts.bySource == ["NO-VEST": 1] && counts.rejected == 0)
        #expect(try reopened.storedKeys().map(\.sequence) == [1])
        var cells = 0
        var events = 0
        try reopened.forEachActivityCount { _, count in
            cells += 1
            events += count.events
        }
        #expect(cells == 1 && events == 1, "the test event adds nothing to the activity counters")
        var payloads = 0
        try reopened.forEachPayload { _ in payloads += 1 }
        #expect(payloads == 1)
        let tests = try reopened.testEvents(limit: 5)
        #expect(tests.total == 2)
        #expect(tests.latest.map { "\($0.source)#\($0.sequence)" } == ["NO-NORD#1", "NO-VEST#2"], "newest first")
        #expect(tests.latest.last?.eventID == Self.test("NO-VEST", 2).eventID)
        #expect(tests.latest.first?.receivedAt == Date(timeIntervalSince1970: 1_800_000_060))
        #expect(try reopened.testEvents(limit: 1).latest.count == 1)

        // A resend of a committed test event (another hub's, or this one's before a restart) is not an error.
        var resend = HubBatch()
        resend.tests = [Self.test("NO-VEST", 2)]
        resend.settled = ["NO-VEST": 2]
        #expect(try reopened.commit(resend, receivedAt: Date()).decisions == HubCommitResult())
        #expect(try reopened.testEvents(limit: 5).total == 2)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func taxonomyVersionsAreNumberedAndKept(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        #expect(try store.taxonomyVersions().isEmpty)
        #expect(try store.latestTaxonomyVersion() == nil)
        let first = try store.publishTaxonomy("kinds: [A]\n", at: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(first.published && first.record.version == 1)
        let again = try store.publishTaxonomy("kinds: [A]\n", at: Date(timeIntervalSince1970: 1_800_000_100))
        #expect(!again.published && again.record == first.record, "the same document is not a new version")
        let second = try store.publishTaxonomy("kinds: [A, B]\n", at: Date(timeIntervalSince1970: 1_800_000_200))
        #expect(second.published && second.record.version == 2)
        try store.close()

        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.taxonomyVersions().map(\.version) == [1, 2])
        #expect(try reopened.taxonomyVersions().map(\.document) == ["kinds: [A]\n", "kinds: [A, B]\n"])
        #expect(try reopened.latestTaxonomyVersion()?.publishedAt == Date(timeIntervalSince1970: 1_800_000_200))
        // Going back to an earlier document is a new version too: versions only go up.
        #expect(try reopened.publishTaxonomy("kinds: [A]\n", at: Date()).record.version == 3)
    }
}
