import Foundation
import KnutepunktDomain
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The HubStore contract, run against every backend (SQLite and a real PostgreSQL server): events and progress,
/// idempotency (same event id, same (source, seq), a resend), settled progress that never goes back, counts, and
/// two writers racing the same events. The activity counters and the gaps have their own conformance suites
/// (``ActivityCountsTests``, ``StoredGapsTests``), also run against every backend.
@Suite struct HubStoreConformanceTests {
    static func record(_ source: String, _ sequence: UInt64, id: Int? = nil, node: String? = nil) -> HubEventRecord {
        let event = EventFixtures.activity(
            source: source,
            index: id ?? Int(sequence),
            region: source,
            node: node ?? "\(source)-X"
        )
        return HubEventRecord(source: source, sequence: sequence, event: event, payload: event.canonicalJSON())
    }

    @Test(arguments: HubStoreBackend.allCases)
    func commitStoresEventsRejectionsAndProgress(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        var batch = HubBatch()
        batch.events = [Self.record("NO-VEST", 1), Self.record("NO-VEST", 2), Self.record("NO-NORD", 1)]
        batch.rejections = [HubRejectionRecord(source: "NO-VEST", sequence: 3, reason: "INVALID_EVENT", detail: "kind")]
        batch.settled = ["NO-VEST": 3, "NO-NORD": 1]
        #expect(try store.commit(batch, receivedAt: Date()).decisions == HubCommitResult(countedChange: 3))
        try store.close()

        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.settledProgress() == ["NO-VEST": 3, "NO-NORD": 1])
        let counts = try reopened.counts()
        #expect(counts.total == 3)
        #expect(counts.byRegion == ["NO-VEST": 2, "NO-NORD": 1])
        #expect(counts.byNode == ["NO-VEST-X": 2, "NO-NORD-X": 1])
        #expect(counts.bySource == ["NO-VEST": 2, "NO-NORD": 1])
        #expect(counts.rejected == 1)
        #expect(
            try reopened.storedKeys().map { "\($0.source)#\($0.sequence)" } == ["NO-NORD#1", "NO-VEST#1", "NO-VEST#2"]
        )
        #expect(
            try reopened.storedKeys().map { $0.eventID.uuidString.lowercased() }
                == [EventFixtures.id("NO-NORD", 1), EventFixtures.id("NO-VEST", 1), EventFixtures.id("NO-VEST", 2)]
        )
        // Payloads come back byte for byte (in an order each backend chooses).
        var payloads: [[UInt8]] = []
        try reopened.forEachPayload { payloads.append($0) }
        #expect(payloads.count == 3)
        #expect(Set(payloads) == Set(batch.events.map(\.payload)))
    }

    @Test(arguments: HubStoreBackend.allCases)
    func theSizeOnDiskGrowsWithWhatIsStored(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let empty = try store.sizeOnDisk()
        #expect(empty > 0, "a new store has its schema on disk")
        var batch = HubBatch()
        batch.events = (1...2_000).map { Self.record("NO-VEST", UInt64($0)) }
        batch.settled = ["NO-VEST": 2_000]
        _ = try store.commit(batch, receivedAt: Date())
        #expect(try store.sizeOnDisk() > empty)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func anEventIdIsStoredOnceEvenUnderAnotherSequence(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        var first = HubBatch()
        first.events = [Self.record("NO-VEST", 1)]
        first.settled = ["NO-VEST": 1]
        _ = try store.commit(first, receivedAt: Date())
        var second = HubBatch()
        second.events = [Self.record("NO-VEST", 2), Self.record("NO-VEST", 3, id: 1)]
        second.settled = ["NO-VEST": 3]
        #expect(
            try store.commit(second, receivedAt: Date()).decisions
                == HubCommitResult(duplicateIDs: [1], countedChange: 1)
        )
        #expect(try store.counts().total == 2)
        #expect(try store.counts().rejected == 1)
        #expect(try store.settledProgress()["NO-VEST"] == 3)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func theSameEventIdTwiceInOneBatchIsStoredOnce(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        var batch = HubBatch()
        batch.events = [Self.record("NO-VEST", 1), Self.record("NO-VEST", 2, id: 1), Self.record("NO-VEST", 3, id: 1)]
        batch.settled = ["NO-VEST": 3]
        let result = try store.commit(batch, receivedAt: Date())
        #expect(result.decisions == HubCommitResult(duplicateIDs: [1, 2], countedChange: 1))
        #expect(try store.counts().total == 1)
        #expect(try store.counts().rejected == 2)
    }

    /// A resend of a stored (source, seq) — after a hub restart before its ACK arrived, or to a second hub on the
    /// same database — is already stored: not stored again, not refused, not counted again.
    @Test(arguments: HubStoreBackend.allCases)
    func aResendOfAStoredSequenceIsAlreadyStoredNotRefused(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        var batch = HubBatch()
        batch.events = [Self.record("NO-VEST", 1), Self.record("NO-VEST", 2)]
        batch.settled = ["NO-VEST": 2]
        #expect(try store.commit(batch, receivedAt: Date()).decisions == HubCommitResult(countedChange: 2))
        let counters = try store.activityCounters()

        var resend = HubBatch()
        resend.events = [Self.record("NO-VEST", 2), Self.record("NO-VEST", 3)]
        resend.settled = ["NO-VEST": 3]
        #expect(
            try store.commit(resend, receivedAt: Date()).decisions
                == HubCommitResult(alreadyStored: [0], countedChange: 1)
        )
        #expect(try store.counts().total == 3)
        #expect(try store.counts().rejected == 0)
        var expected = counters
        let third = Self.record("NO-VEST", 3)
        expected.add(third.cell, third.count)
        #expect(try store.activityCounters() == expected)
        #expect(try store.storedKeys().map(\.sequence) == [1, 2, 3])
    }

    @Test(arguments: HubStoreBackend.allCases)
    func settledProgressNeverGoesBackwards(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        var batch = HubBatch()
        batch.settled = ["NO-VEST": 10, "NO-NORD": 2]
        _ = try store.commit(batch, receivedAt: Date())
        batch.settled = ["NO-VEST": 4, "NO-NORD": 5]
        _ = try store.commit(batch, receivedAt: Date())
        #expect(try store.settledProgress() == ["NO-VEST": 10, "NO-NORD": 5])
    }

    @Test(arguments: HubStoreBackend.allCases)
    func anEmptyStoreHasNothing(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        #expect(try store.counts() == HubCounts(total: 0, byRegion: [:], byNode: [:], bySource: [:], rejected: 0))
        #expect(try store.settledProgress().isEmpty)
        #expect(try store.storedKeys().isEmpty)
        #expect(try store.activityCountCoverage() == (0, 0))
        #expect(try store.loadGaps() == nil)
        #expect(try store.commit(HubBatch(), receivedAt: Date()).decisions == HubCommitResult())
    }

    /// Two writers on one store (two hubs on one database) commit the same events at the same time, in opposite
    /// orders: every event is stored once, each writer's result accounts for every event, the counters equal a
    /// rebuild, and the settled-through is the highest either wrote.
    @Test(arguments: HubStoreBackend.allCases)
    func twoWritersRacingTheSameEventsStoreEachOnce(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let first = try fixture.open()
        defer { try? first.close() }
        let second = try fixture.open()
        defer { try? second.close() }
        let rounds = 20
        let perBatch = 25
        @Sendable func batch(_ round: Int, reversed: Bool) -> HubBatch {
            var batch = HubBatch()
            let range = (round * perBatch + 1)...((round + 1) * perBatch)
            batch.events = range.map { Self.record("NO-VEST", UInt64($0), node: "NO-VEST-BERGEN") }
            if reversed { batch.events.reverse() }
            batch.settled = ["NO-VEST": UInt64(range.upperBound)]
            return batch
        }
        let writers = [(first, false), (second, true)]
        let results = try await withThrowingTaskGroup(of: [HubCommitResult].self) { group in
            for (store, reversed) in writers {
                group.addTask {
                    // Synchronous store calls: off the cooperative pool, as the hub's reactor thread makes them.
                    let done = ReadySignal<[HubCommitResult]>()
                    Thread.detachNewThread {
                        do {
                            done.fulfil(
                                try (0..<rounds).map {
                                    try store.commit(batch($0, reversed: reversed), receivedAt: Date())
                                }
                            )
                        } catch {
                            done.fail(error)
                        }
                    }
                    return try await done.value()
                }
            }
            var all: [[HubCommitResult]] = []
            for try await results in group { all.append(results) }
            return all
        }
        let total = rounds * perBatch
        #expect(try first.counts().total == total)
        #expect(try first.storedKeys().map(\.sequence) == (1...total).map(UInt64.init))
        #expect(try first.counts().rejected == 0)
        // Each event was stored by exactly one writer; the other saw it as already stored.
        let alreadyStored = results.flatMap { $0 }.map(\.alreadyStored.count).reduce(0, +)
        #expect(alreadyStored == total)
        #expect(results.flatMap { $0 }.allSatisfy { $0.duplicateIDs.isEmpty })
        #expect(try first.settledProgress() == ["NO-VEST": UInt64(total)])
        let kept = try first.activityCounters()
        #expect(kept.events == total)
        let rebuilt = try first.rebuildActivityCounts(
            validator: EventValidator(taxonomy: InProcessDaemons.taxonomy),
            today: .today()
        )
        #expect(rebuilt.counted == total)
        #expect(try first.activityCounters() == kept)
    }

    /// A copy between any two backends (`hub migrate`) carries every event, refusal, settled progress, counter and
    /// gap, verifies, and a second copy inserts nothing.
    @Test(arguments: [(HubStoreBackend.sqlite, HubStoreBackend.postgres), (.postgres, .sqlite), (.postgres, .postgres)])
    func aCopyToAnotherStoreCarriesEverythingAndCanBeRerun(_ from: HubStoreBackend, _ to: HubStoreBackend) async throws
    {
        let sourceFixture = try await HubStoreFixture(from)
        defer { sourceFixture.remove() }
        let targetFixture = try await HubStoreFixture(to)
        defer { targetFixture.remove() }
        let source = try sourceFixture.open()
        defer { try? source.close() }
        let target = try targetFixture.open()
        defer { try? target.close() }
        let total = HubStoreMigration.pageSize + 500
        for start in stride(from: 1, through: total, by: 500) {
            var batch = HubBatch()
            batch.events = (start..<(start + 500)).map { Self.record("NO-VEST", UInt64($0), node: "NO-VEST-BERGEN") }
            batch.rejections = [
                HubRejectionRecord(source: "NO-NORD", sequence: UInt64(start), reason: "INVALID_EVENT", detail: "x")
            ]
            batch.settled = ["NO-VEST": UInt64(start + 499), "NO-NORD": UInt64(start)]
            _ = try source.commit(batch, receivedAt: Date(timeIntervalSince1970: 1_780_000_000 + Double(start)))
        }
        var pages: [Int] = []
        let report = try HubStoreMigration.run(from: source, to: target) { done, _ in pages.append(done) }
        #expect(report.verified, "\(report.mismatches)")
        #expect(report.sourceEvents == total)
        #expect(report.inserted == total)
        #expect(pages == [0, 2000, 2500])
        #expect(try target.remainder() == (try source.remainder()))
        #expect(try target.storedKeys().map(\.eventID) == (try source.storedKeys().map(\.eventID)))
        #expect(try target.activityCounters() == (try source.activityCounters()))
        #expect(report.targetChecksum == report.sourceChecksum)

        let again = try HubStoreMigration.run(from: source, to: target)
        #expect(again.verified)
        #expect(again.inserted == 0)
        #expect(try target.counts().total == total)
    }
}
