import Foundation
import KnutepunktDomain
import KnutepunktStore
import KnutepunktTesting
import Testing

@Suite struct OutboxStoreTests {
    static func entry(_ n: Int) -> OutboxStore.Entry {
        OutboxStore.Entry(id: UUID(uuidString: EventFixtures.id("T", n))!, payload: Array("payload-\(n)".utf8))
    }

    @Test func aLowerAcknowledgementNeverLowersTheRecordedSettlement() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("outbox.sqlite"))
        defer { try? store.close() }
        _ = try store.append((0..<5).map(Self.entry))
        try store.markSettled(through: 5)
        // A hub restored from an older backup acknowledges again from 3: the outbox keeps its own record.
        try store.markSettled(through: 3)
        #expect(try store.positions().settledThrough == 5)
        // Delivered events stay readable for a resend until pruned.
        #expect(try store.payloads(1...5).count == 5)
    }

    /// The locked months a node learnt are kept across reopening; an outbox from before they were kept (an existing
    /// one, with events) gains the table on opening and holds none until told.
    @Test func periodLocksSurviveReopeningAndAnOlderOutboxIsMigrated() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("outbox.sqlite")
        let store = try OutboxStore.open(path: path)
        _ = try store.append((0..<2).map(Self.entry))
        #expect(try store.periodLocks() == PeriodLocks())
        let locks = PeriodLocks(
            version: 4,
            locks: [
                .init(region: "NO-VEST", month: "2026-10", lockedBy: "nina", lockedAt: "2026-11-20T09:00:00Z"),
                .init(region: "NO-VEST", month: "2026-09", lockedBy: "nina", lockedAt: "2026-10-20T09:00:00Z"),
            ]
        )
        try store.recordPeriodLocks(locks)
        // A newer set replaces the old one whole.
        let fewer = PeriodLocks(version: 5, locks: [locks.locks[0]])
        try store.recordPeriodLocks(fewer)
        try store.close()
        let reopened = try OutboxStore.open(path: path)
        #expect(try reopened.periodLocks() == fewer)
        try reopened.close()

        // The outbox as it was before v3-period-locks: the migration adds the table, the events stay.
        try SQLiteTestAccess.execute(
            """
            DROP TABLE period_locks; DELETE FROM outbox_meta WHERE key = 'period_locks_version';
            DELETE FROM grdb_migrations WHERE identifier = 'v3-period-locks';
            """,
            in: path
        )
        let migrated = try OutboxStore.open(path: path)
        defer { try? migrated.close() }
        #expect(try migrated.periodLocks() == PeriodLocks())
        #expect(try migrated.positions().lastSequence == 2)
        try migrated.recordPeriodLocks(locks)
        #expect(try migrated.periodLocks().locks.map(\.month) == ["2026-09", "2026-10"])
    }

    @Test func appendNumbersConsecutivelyAndSurvivesReopening() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("outbox/outbox.sqlite")
        let store = try OutboxStore.open(path: path)
        let first = try store.append((0..<3).map(Self.entry))
        #expect(first.map(\.sequence) == [1, 2, 3])
        #expect(first.allSatisfy { !$0.existing && $0.status == .queued })
        try store.close()

        let reopened = try OutboxStore.open(path: path)
        defer { try? reopened.close() }
        let second = try reopened.append([Self.entry(3)])
        #expect(second.map(\.sequence) == [4])
        #expect(
            try reopened.payloads(1...4).map { String(decoding: $0.payload, as: UTF8.self) } == [
                "payload-0", "payload-1", "payload-2", "payload-3",
            ]
        )
    }

    @Test func anIdAlreadyHeldIsNotStoredTwice() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("o.sqlite"))
        defer { try? store.close() }
        _ = try store.append([Self.entry(0), Self.entry(1)])
        try store.markSettled(through: 1)
        let again = try store.append([Self.entry(1), Self.entry(0), Self.entry(2)])
        #expect(again.map(\.sequence) == [2, 1, 3])
        #expect(again.map(\.existing) == [true, true, false])
        #expect(again.map(\.status) == [.queued, .delivered, .queued])
        // The same id twice in one batch is stored once.
        let twice = try store.append([Self.entry(7), Self.entry(7)])
        #expect(twice.map(\.sequence) == [4, 4])
        #expect(twice.map(\.existing) == [false, true])
        #expect(try store.positions().lastSequence == 4)
    }

    @Test func settlementRejectionAndSummary() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("o.sqlite"))
        defer { try? store.close() }
        _ = try store.append((0..<5).map(Self.entry))
        try store.markRejected(sequence: 2, code: 100, reason: "INVALID_EVENT: kind")
        try store.markSettled(through: 3)
        let summary = try store.summary()
        #expect(summary.lastSequence == 5)
        #expect(summary.deliveredThrough == 3)
        #expect(summary.backlog == 2)
        #expect(summary.rejected == 1)
        let rejected = try #require(try store.status(of: Self.entry(1).id))
        #expect(rejected.status == .rejected)
        #expect(rejected.reason == "INVALID_EVENT: kind")
        #expect(try store.status(of: Self.entry(0).id)?.status == .delivered)
        #expect(try store.status(of: Self.entry(4).id)?.status == .queued)
    }

    @Test func advanceSequenceSkipsNumbersTheHubAlreadySettled() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("o.sqlite"))
        defer { try? store.close() }
        try store.advanceSequence(to: 41)
        #expect(try store.append([Self.entry(0)]).first?.sequence == 42)
        #expect(try store.positions().settledThrough == 41)
    }

    /// Events a new outbox numbered below what the hub settled move up after it, in order, still queued.
    @Test func advanceSequenceRenumbersTheUnsettledEventsAfterTheHubs() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("o.sqlite"))
        defer { try? store.close() }
        _ = try store.append([Self.entry(0), Self.entry(1), Self.entry(2)])
        #expect(try !store.greeted())
        try store.advanceSequence(to: 10)
        #expect(try store.status(of: Self.entry(0).id)?.sequence == 11)
        #expect(try store.status(of: Self.entry(2).id)?.sequence == 13)
        #expect(try store.status(of: Self.entry(2).id)?.status == .queued)
        #expect(try store.positions().lastSequence == 13)
        #expect(try store.positions().settledThrough == 10)
        #expect(try store.append([Self.entry(3)]).first?.sequence == 14)
        try store.markGreeted()
        #expect(try store.greeted())
    }

    /// Settled versions past retention go once a later version replaced them; the latest version of every event
    /// stays (the coordinator lists, corrects and withdraws it), and so do queued versions and the numbering.
    @Test func pruningKeepsTheLatestVersionsQueuedEventsAndTheNumbering() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("o.sqlite"))
        defer { try? store.close() }
        _ = try store.append((0..<4).map(Self.entry))
        var corrections = [Self.entry(0), Self.entry(1), Self.entry(3)]
        for index in corrections.indices { corrections[index].version = 2 }
        _ = try store.append(corrections)
        try store.markSettled(through: 6, at: Date(timeIntervalSinceNow: -3600))
        // Versions 1 of events 0 and 1 (sequences 1 and 2) are replaced and settled; event 3's version 2 is queued,
        // so its version 1 (sequence 4), though replaced, is settled and goes too.
        #expect(try store.pruneSettled(before: Date(timeIntervalSinceNow: -60)) == 3)
        #expect(try store.payloads(1...7).map(\.sequence) == [3, 5, 6, 7])
        #expect(try store.append([Self.entry(9)]).first?.sequence == 8)
        #expect(try store.status(of: Self.entry(0).id)?.version == 2)
    }

    /// A cumulative ACK is recorded once, not by rewriting every version it settles (payloads and all): the rows stay
    /// as appended, and every reader sees the settled ones delivered.
    @Test func anAcknowledgementSettlesVersionsWithoutRewritingThem() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("o.sqlite")
        let store = try OutboxStore.open(path: path)
        defer { try? store.close() }
        _ = try store.append((0..<100).map(Self.entry))
        try store.markRejected(sequence: 7, code: 100, reason: "INVALID_EVENT: kind")
        try store.markSettled(through: 60)
        #expect(
            try SQLiteTestAccess.rows("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status", in: path)
                == [["queued", "99"], ["rejected", "1"]]
        )
        #expect(
            try SQLiteTestAccess.rows("SELECT count(*) FROM outbox WHERE settled_at IS NOT NULL", in: path) == [["1"]]
        )
        #expect(try store.status(of: Self.entry(0).id)?.status == .delivered)
        #expect(try store.status(of: Self.entry(59).id)?.status == .delivered)
        #expect(try store.status(of: Self.entry(60).id)?.status == .queued)
        #expect(try store.status(of: Self.entry(6).id)?.status == .rejected)
        let listed = try store.events(since: nil, limit: 1_000).events
        #expect(listed.filter { $0.status == .delivered }.count == 59)
        #expect(listed.filter { $0.status == .queued }.count == 40)
        let summary = try store.summary()
        #expect(summary.backlog == 40)
        #expect(summary.rejected == 1)
        #expect(summary.deliveredThrough == 60)
        // Appending a version already held reports the status it reads with.
        #expect(try store.append([Self.entry(3)]).first?.status == .delivered)
    }

    /// Retention counts from the ACK that settled a version: versions settled by an old ACK go, those a recent ACK
    /// settled stay until it is old too, however the record of the ACKs is trimmed in between.
    @Test func pruningDatesEachVersionByTheAcknowledgementThatSettledIt() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try OutboxStore.open(path: folder.file("o.sqlite"))
        defer { try? store.close() }
        _ = try store.append((0..<4).map(Self.entry))
        var corrections = (0..<4).map(Self.entry)
        for index in corrections.indices { corrections[index].version = 2 }
        _ = try store.append(corrections)
        try store.markSettled(through: 1, at: Date(timeIntervalSinceNow: -7_200))
        try store.markSettled(through: 2, at: Date(timeIntervalSinceNow: -3_600))
        try store.markSettled(through: 8, at: Date(timeIntervalSinceNow: -10))
        // Versions 1 of events 0 and 1 (sequences 1 and 2) were settled an hour ago or more; 3 and 4 ten seconds ago.
        #expect(try store.pruneSettled(before: Date(timeIntervalSinceNow: -60)) == 2)
        #expect(try store.payloads(1...8).map(\.sequence) == [3, 4, 5, 6, 7, 8])
        #expect(try store.pruneSettled(before: Date(timeIntervalSinceNow: -60)) == 0)
        #expect(try store.pruneSettled(before: Date(timeIntervalSinceNow: 1)) == 2)
        #expect(try store.payloads(1...8).map(\.sequence) == [5, 6, 7, 8])
        #expect(try store.status(of: Self.entry(0).id)?.status == .delivered)
    }

    /// An outbox whose versions were settled the old way (each row rewritten) keeps them delivered and prunes them by
    /// their own dates once it gains the record of ACKs.
    @Test func anOutboxSettledRowByRowIsMigrated() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("o.sqlite")
        let store = try OutboxStore.open(path: path)
        _ = try store.append((0..<3).map(Self.entry))
        var correction = Self.entry(0)
        correction.version = 2
        _ = try store.append([correction])
        try store.close()
        let hourAgo = Date(timeIntervalSinceNow: -3_600).timeIntervalSince1970
        try SQLiteTestAccess.execute(
            """
            UPDATE outbox SET status = 'delivered', settled_at = \(hourAgo) WHERE seq <= 2;
            UPDATE outbox_meta SET value = 2 WHERE key = 'settled_through';
            DROP TABLE outbox_settlements; DELETE FROM grdb_migrations WHERE identifier = 'v4-settlements';
            """,
            in: path
        )
        let migrated = try OutboxStore.open(path: path)
        defer { try? migrated.close() }
        #expect(try migrated.status(of: Self.entry(1).id)?.status == .delivered)
        #expect(try migrated.status(of: Self.entry(2).id)?.status == .queued)
        #expect(try migrated.summary().backlog == 2)
        // Event 0's version 1 (sequence 1) was settled an hour ago and replaced: it goes.
        #expect(try migrated.pruneSettled(before: Date(timeIntervalSinceNow: -60)) == 1)
        try migrated.markSettled(through: 4)
        #expect(try migrated.summary().backlog == 0)
        #expect(try migrated.status(of: Self.entry(0).id)?.status == .delivered)
    }
}
