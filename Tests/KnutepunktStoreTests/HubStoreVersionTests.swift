import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The versions part of the HubStore contract, on every backend: a correction replaces what its event counted, a
/// withdrawal takes it out, every version is kept for the history, and conflicting, stale, foreign and identical
/// versions are refused or recognised without changing anything that counts. Counters always equal a rebuild.
@Suite struct HubStoreVersionTests {
    /// Version `version` of test event `index` of NO-VEST, with `participants` as its figure to change.
    static func version(
        _ index: Int,
        _ version: Int = 1,
        participants: Int = 12,
        withdrawn: Bool = false,
        basedOn: Int? = nil,
        source: String = "NO-VEST",
        sequence: UInt64,
        node: String = "NO-VEST-BERGEN"
    ) -> HubEventRecord {
        var event = EventFixtures.activity(source: "NO-VEST", index: index, region: "NO-VEST", node: node)
        event.participants = participants
        event.version = version
        event.basedOn = basedOn ?? (version > 1 ? version - 1 : nil)
        event.withdrawalReason = withdrawn ? "entered twice" : nil
        event.submittedBy = "kari"
        return HubEventRecord(source: source, sequence: sequence, event: event, payload: event.canonicalJSON())
    }

    static func commit(_ store: any HubStore, _ records: [HubEventRecord]) throws -> HubCommitResult {
        var batch = HubBatch()
        batch.events = records
        for record in records {
            batch.settled[record.source] = max(batch.settled[record.source] ?? 0, record.sequence)
        }
        return try store.commit(batch, receivedAt: Date())
    }

    /// The counters the latest versions give, counted afresh.
    static func recount(_ records: [HubEventRecord]) -> ActivityCounters {
        var counters = ActivityCounters()
        for record in records where !record.withdrawn { counters.add(record.cell, record.count) }
        return counters
    }

    static func rebuildMatches(_ store: any HubStore) throws -> Bool {
        let kept = try store.activityCounters()
        try store.rebuildActivityCounts(validator: EventValidator(taxonomy: InProcessDaemons.taxonomy), today: .today())
        return try store.activityCounters() == kept
    }

    /// A correction or withdrawal replacing a version dated in a locked month is refused PERIOD_LOCKED, also when it
    /// moves the activity out of that month (it would change the month); once the month is open again it is stored.
    @Test(arguments: HubStoreBackend.allCases)
    func aVersionReplacingOneDatedInALockedMonthIsRefused(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let first = Self.version(1, sequence: 1)  // dated 2025-01-02
        #expect(try Self.commit(store, [first]).decisions == HubCommitResult(countedChange: 1))
        // Version 2 moves the activity to March; another version 2 withdraws it.
        var event = EventFixtures.activity(source: "NO-VEST", index: 1, region: "NO-VEST", node: "NO-VEST-BERGEN")
        event.version = 2
        event.basedOn = 1
        event.date = LocalDate(iso: "2025-03-10")!
        event.submittedBy = "kari"
        let moved = HubEventRecord(source: "NO-VEST", sequence: 2, event: event, payload: event.canonicalJSON())
        let withdrawal = Self.version(1, 2, withdrawn: true, sequence: 3)
        let lock = PeriodLedger.Lock(
            region: "NO-VEST",
            month: "2025-01",
            lockedBy: "nina",
            lockedAt: "2025-02-20T10:00:00Z"
        )
        var batch = HubBatch()
        batch.events = [moved, withdrawal]
        batch.settled = ["NO-VEST": 3]
        batch.locks = PeriodLocks(version: 2, locks: [lock])
        let result = try store.commit(batch, receivedAt: Date())
        #expect(result.refused.map(\.index) == [0, 1])
        #expect(result.refused.map(\.refusal.code) == [.periodLocked, .periodLocked])
        #expect(result.refused.allSatisfy { $0.refusal.current == 1 })
        #expect(
            result.refused[0].refusal.message
                == "event \(first.eventID.lowercasedText) version 1, which this one replaces, is dated 2025-01-02: "
                + "2025-01 is locked for NO-VEST (accepted by nina at 2025-02-20T10:00:00Z); nothing was stored. Only "
                + "the national centre can reopen the month, with a reason"
        )
        // Nothing that counts changed; both refusals are on record.
        #expect(try store.counts().versions == 1 && store.counts().rejected == 2)
        #expect(try store.activityCounters() == Self.recount([first]))
        // A lock on another region's January, or none: the correction is stored.
        var other = HubBatch()
        other.events = [HubEventRecord(source: "NO-VEST", sequence: 4, event: event, payload: event.canonicalJSON())]
        other.settled = ["NO-VEST": 4]
        other.locks = PeriodLocks(
            version: 3,
            locks: [
                PeriodLedger.Lock(
                    region: "NO-NORD",
                    month: "2025-01",
                    lockedBy: "nina",
                    lockedAt: "2025-02-20T10:00:00Z"
                )
            ]
        )
        #expect(try store.commit(other, receivedAt: Date()).decisions == HubCommitResult(superseding: [0]))
        #expect(try store.counts().versions == 2)
    }

    /// A commit reports what its stored versions count and what the versions they replaced had counted, cell by
    /// cell: the live gap facts fold these instead of the events.
    @Test(arguments: HubStoreBackend.allCases)
    func aCommitReportsWhatItCountedAndWhatItTookOut(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let first = Self.version(1, sequence: 1)
        let other = Self.version(2, sequence: 2)
        let stored = try Self.commit(store, [first, other])
        #expect(stored.counted == Self.recount([first, other]))
        #expect(stored.uncounted == ActivityCounters())

        // A correction to another node, a withdrawal, a new event, and the correction sent again.
        let corrected = Self.version(1, 2, participants: 16, sequence: 3, node: "NO-VEST-FONNA")
        let withdrawal = Self.version(2, 2, withdrawn: true, sequence: 4)
        let third = Self.version(3, sequence: 5)
        let resent = Self.version(1, 2, participants: 16, sequence: 6, node: "NO-VEST-FONNA")
        let result = try Self.commit(store, [corrected, withdrawal, third, resent])
        #expect(result.duplicateIDs == [3])
        #expect(result.counted == Self.recount([corrected, third]))
        #expect(result.uncounted == Self.recount([first, other]))
        #expect(try store.activityCounters() == Self.recount([corrected, third]))
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aCorrectionReplacesWhatItsEventCountedAndKeepsTheHistory(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let first = Self.version(1, sequence: 1)
        let other = Self.version(2, sequence: 2)
        #expect(try Self.commit(store, [first, other]).decisions == HubCommitResult(countedChange: 2))
        // A correction to another day and node moves the event to another cell.
        let corrected = Self.version(1, 2, participants: 16, sequence: 3, node: "NO-VEST-FONNA")
        #expect(try Self.commit(store, [corrected]).decisions == HubCommitResult(superseding: [0]))
        #expect(try store.counts().total == 2)
        #expect(try store.counts().versions == 3)
        #expect(try store.activityCounters() == Self.recount([corrected, other]))
        #expect(try Self.rebuildMatches(store))
        var payloads: [[UInt8]] = []
        try store.forEachPayload { payloads.append($0) }
        #expect(Set(payloads) == [corrected.payload, other.payload])

        let history = try #require(try EventHistory.read(first.eventID, from: store, withholdSmallCounts: false))
        #expect(history.versions.map(\.version) == [1, 2])
        #expect(history.versions.map(\.latest) == [false, true])
        #expect(history.versions[1].basedOn == 1)
        #expect(history.versions[1].submittedBy == "kari")
        #expect(
            history.versions[1].changes.map(\.description) == [
                "node NO-VEST-BERGEN → NO-VEST-FONNA", "participants 12 → 16",
            ]
        )
        #expect(try store.history(of: UUID()).isEmpty)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aWithdrawalCountsNowhereAndACorrectionBasedOnItRestoresTheEvent(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let first = Self.version(1, sequence: 1)
        _ = try Self.commit(store, [first, Self.version(2, sequence: 2)])
        let withdrawal = Self.version(1, 2, withdrawn: true, sequence: 3)
        #expect(try Self.commit(store, [withdrawal]).decisions == HubCommitResult(superseding: [0], countedChange: -1))
        #expect(try store.counts().total == 1)
        #expect(try store.counts().withdrawn == 1)
        #expect(try store.activityCounters() == Self.recount([Self.version(2, sequence: 2)]))
        #expect(try store.activityCountCoverage() == (1, 1))
        #expect(try Self.rebuildMatches(store))

        let restored = Self.version(1, 3, participants: 20, sequence: 4)
        #expect(try Self.commit(store, [restored]).decisions == HubCommitResult(superseding: [0], countedChange: 1))
        #expect(try store.counts().total == 2)
        #expect(try store.counts().withdrawn == 0)
        #expect(try store.activityCounters() == Self.recount([restored, Self.version(2, sequence: 2)]))
        #expect(try Self.rebuildMatches(store))
        let history = try #require(try EventHistory.read(first.eventID, from: store, withholdSmallCounts: true))
        #expect(history.versions.map(\.withdrawn) == [false, true, false])
        #expect(history.versions[1].withdrawalReason == "entered twice")
        #expect(!history.withdrawn)
    }

    /// Versions that do not fit are refused with the current version named, and change nothing that counts; the same
    /// version again is recognised; a resend of a stored sequence is already stored.
    @Test(arguments: HubStoreBackend.allCases)
    func conflictingStaleForeignAndIdenticalVersionsChangeNothing(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        _ = try Self.commit(store, [Self.version(1, sequence: 1), Self.version(1, 2, participants: 14, sequence: 2)])
        let before = try store.activityCounters()
        let attempts = [
            // Version 1 again with other content and no correction.
            Self.version(1, participants: 99, sequence: 3),
            // Based on version 1, though version 2 is stored.
            Self.version(1, 3, participants: 15, basedOn: 1, sequence: 4),
            // Another node's version of this node's event.
            Self.version(1, 3, participants: 15, source: "NO-VEST-2", sequence: 1),
            // Version 2 again, same content, another sequence.
            Self.version(1, 2, participants: 14, sequence: 5),
            // Version 2 again, its own sequence: a resend.
            Self.version(1, 2, participants: 14, sequence: 2),
        ]
        let result = try Self.commit(store, attempts)
        #expect(result.duplicateIDs == [3])
        #expect(result.alreadyStored == [4])
        #expect(result.refused.map(\.index) == [0, 1, 2])
        #expect(result.refused.map(\.refusal.code) == [.conflictingContent, .staleVersion, .foreignEvent])
        #expect(result.refused.allSatisfy { $0.refusal.current == 2 })
        let conflict = result.refused[0].refusal.message
        #expect(conflict.contains("is already at version 2 at the hub"))
        #expect(conflict.contains("participants 12 → 99"))
        #expect(result.refused[1].refusal.message.contains("based on version 1, an older one"))
        #expect(result.countedChange == 0)
        #expect(try store.activityCounters() == before)
        #expect(try store.counts().total == 1)
        #expect(try store.counts().versions == 2)
        #expect(try store.counts().rejected == 4)
        #expect(try store.settledProgress() == ["NO-VEST": 5, "NO-VEST-2": 1])
    }

    /// Versions of one event in one batch are decided in order, each against the ones before it.
    @Test(arguments: HubStoreBackend.allCases)
    func versionsWithinOneBatchSeeEachOther(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let batch = [
            Self.version(1, sequence: 1),
            Self.version(1, 2, participants: 13, sequence: 2),
            Self.version(1, 3, participants: 14, sequence: 3),
            Self.version(1, 3, participants: 30, basedOn: 1, sequence: 4),
            Self.version(1, 4, participants: 14, withdrawn: true, sequence: 5),
        ]
        let result = try Self.commit(store, batch)
        #expect(result.superseding == [1, 2, 4])
        #expect(result.refused.map(\.refusal.code) == [.conflictingContent])
        #expect(result.countedChange == 0)
        #expect(try store.counts().total == 0)
        #expect(try store.counts().withdrawn == 1)
        #expect(try store.activityCounters() == ActivityCounters())
        #expect(try Self.rebuildMatches(store))
        #expect(try store.history(of: batch[0].eventID).map(\.latest) == [false, false, false, true])
    }

    /// A version newer than the latest stored one, based on a version the hub refused, is stored; the first version
    /// the hub sees of an event is stored whatever its number.
    @Test(arguments: HubStoreBackend.allCases)
    func aFixOfARefusedVersionIsStored(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        // Version 1 of event 1 was refused (never committed); its fix is version 2.
        #expect(
            try Self.commit(store, [Self.version(1, 2, sequence: 2)]).decisions == HubCommitResult(countedChange: 1)
        )
        // Event 2: version 1 stored, version 2 refused here, version 3 based on it.
        _ = try Self.commit(store, [Self.version(2, sequence: 3)])
        let fix = Self.version(2, 3, participants: 40, basedOn: 2, sequence: 5)
        #expect(try Self.commit(store, [fix]).decisions == HubCommitResult(superseding: [0]))
        #expect(try store.activityCounters() == Self.recount([Self.version(1, 2, sequence: 2), fix]))
    }
}
