import Foundation
import GRDB

/// The node's durable outbox: every accepted event, numbered, until the hub has settled it (and for a retention
/// period after, so a hub restored from an older backup can get it again).
///
/// Used from one thread (the node's reactor thread). All methods are synchronous and commit before returning; a
/// commit is fsync'd (see ``SQLiteFile``), so an event that `append` returned for survives a crash.
package final class OutboxStore: Sendable {
    /// What the outbox holds for one event.
    package enum Status: String, Sendable, Hashable, Codable {
        /// Waiting for the hub to settle it.
        case queued
        /// Stored at the hub (the hub's ACK covered it).
        case delivered
        /// Refused by the hub (a NACK); kept with the reason.
        case rejected
    }

    /// One event to append: its id and its canonical payload.
    package struct Entry: Sendable, Hashable {
        package var id: UUID
        package var payload: [UInt8]
        package init(id: UUID, payload: [UInt8]) {
            self.id = id
            self.payload = payload
        }
    }

    /// What `append` did with an entry.
    package struct AppendOutcome: Sendable, Hashable {
        package var id: UUID
        package var sequence: UInt64
        package var status: Status
        /// True when the outbox already held an event with this id (nothing new was stored).
        package var existing: Bool
        /// The hub's reason, for a rejected event.
        package var reason: String?
    }

    /// Counters for status reports.
    package struct Summary: Sendable, Hashable, Codable {
        package var lastSequence: UInt64
        package var deliveredThrough: UInt64
        package var backlog: Int
        package var rejected: Int
        package var retained: Int
    }

    private let queue: DatabaseQueue
    package let path: String

    private init(queue: DatabaseQueue, path: String) {
        self.queue = queue
        self.path = path
    }

    /// Opens or creates the outbox at `path`.
    package static func open(path: String) throws(StoreError) -> OutboxStore {
        let queue = try SQLiteFile.open(path: path, label: "outbox")
        let store = OutboxStore(queue: queue, path: path)
        try store.migrate()
        return store
    }

    private func migrate() throws(StoreError) {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox(
                        seq INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL UNIQUE,
                        payload BLOB NOT NULL,
                        accepted_at REAL NOT NULL,
                        status TEXT NOT NULL DEFAULT 'queued',
                        reason_code INTEGER,
                        reason TEXT,
                        settled_at REAL
                    );
                    CREATE INDEX outbox_status ON outbox(status, seq);
                    CREATE TABLE outbox_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    INSERT INTO outbox_meta(key, value) VALUES ('last_sequence', 0), ('settled_through', 0);
                    """
            )
        }
        do {
            try migrator.migrate(queue)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.write(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try queue.read(body)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    private static func meta(_ key: String, _ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT value FROM outbox_meta WHERE key = ?", arguments: [key]) ?? 0)
    }

    private static func setMeta(_ key: String, _ value: UInt64, _ db: Database) throws {
        try db.execute(sql: "UPDATE outbox_meta SET value = ? WHERE key = ?", arguments: [Int64(value), key])
    }

    /// Appends entries in one transaction, numbering new ones consecutively. An id the outbox already holds is not
    /// stored again: its outcome reports the existing sequence and status.
    package func append(_ entries: [Entry], acceptedAt: Date = Date()) throws(StoreError) -> [AppendOutcome] {
        try write { db in
            var last = try Self.meta("last_sequence", db)
            var outcomes: [AppendOutcome] = []
            outcomes.reserveCapacity(entries.count)
            let find = try db.cachedStatement(sql: "SELECT seq, status, reason FROM outbox WHERE event_id = ?")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO outbox(seq, event_id, payload, accepted_at) VALUES (?, ?, ?, ?)"
            )
            for entry in entries {
                let key = entry.id.lowercasedText
                if let row = try Row.fetchOne(find, arguments: [key]) {
                    let status = Status(rawValue: row["status"]) ?? .queued
                    outcomes.append(
                        AppendOutcome(
                            id: entry.id,
                            sequence: UInt64(row["seq"] as Int64),
                            status: status,
                            existing: true,
                            reason: row["reason"]
                        )
                    )
                    continue
                }
                last += 1
                try insert.execute(arguments: [
                    Int64(last), key, Data(entry.payload), acceptedAt.timeIntervalSince1970,
                ])
                outcomes.append(AppendOutcome(id: entry.id, sequence: last, status: .queued, existing: false))
            }
            try Self.setMeta("last_sequence", last, db)
            return outcomes
        }
    }

    /// The payloads with sequences in `range`, in order. Sequences pruned after retention are missing.
    package func payloads(_ range: ClosedRange<UInt64>) throws(StoreError) -> [(sequence: UInt64, payload: [UInt8])] {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT seq, payload FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq",
                arguments: [Int64(range.lowerBound), Int64(range.upperBound)]
            )
            var result: [(sequence: UInt64, payload: [UInt8])] = []
            result.reserveCapacity(range.count)
            while let row = try rows.next() {
                let data: Data = row["payload"]
                result.append((UInt64(row["seq"] as Int64), [UInt8](data)))
            }
            return result
        }
    }

    /// Records that the hub settled every sequence up to `through` (cumulative ACK); the recorded settled-through
    /// only ever grows.
    package func markSettled(through: UInt64, at date: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET status = 'delivered', settled_at = ? WHERE seq <= ? AND status = 'queued'",
                arguments: [date.timeIntervalSince1970, Int64(through)]
            )
            // Never lowered: after a hub restored from an older backup re-acknowledges what it lacked, the outbox
            // keeps its own, higher record (see docs/protocol.md, node rule 3).
            if try Self.meta("settled_through", db) < through {
                try Self.setMeta("settled_through", through, db)
            }
        }
    }

    /// Records the hub's refusal of one event (a NACK).
    package func markRejected(sequence: UInt64, code: UInt16, reason: String, at date: Date = Date()) throws(StoreError)
    {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = 'rejected', reason_code = ?, reason = ?, settled_at = ? WHERE seq = ?
                    """,
                arguments: [Int(code), reason, date.timeIntervalSince1970, Int64(sequence)]
            )
        }
    }

    /// Moves the numbering past `sequence`: the hub has settled numbers this outbox never assigned (its file was
    /// replaced). Reusing them would make the hub drop new events as duplicates.
    package func advanceSequence(to sequence: UInt64) throws(StoreError) {
        try write { db in
            if try Self.meta("last_sequence", db) < sequence {
                try Self.setMeta("last_sequence", sequence, db)
            }
            if try Self.meta("settled_through", db) < sequence {
                try Self.setMeta("settled_through", sequence, db)
            }
        }
    }

    /// The highest sequence assigned so far and how far the hub has settled.
    package func positions() throws(StoreError) -> (lastSequence: UInt64, settledThrough: UInt64) {
        try read { db in (try Self.meta("last_sequence", db), try Self.meta("settled_through", db)) }
    }

    /// Counters for `knutepunkt status`.
    package func summary() throws(StoreError) -> Summary {
        try read { db in
            let counts = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FILTER (WHERE status = 'queued') AS backlog,
                           COUNT(*) FILTER (WHERE status = 'rejected') AS rejected,
                           COUNT(*) AS retained
                    FROM outbox
                    """
            )
            return Summary(
                lastSequence: try Self.meta("last_sequence", db),
                deliveredThrough: try Self.meta("settled_through", db),
                backlog: counts?["backlog"] ?? 0,
                rejected: counts?["rejected"] ?? 0,
                retained: counts?["retained"] ?? 0
            )
        }
    }

    /// The status of one event by id, or nil when the outbox does not hold it.
    package func status(of id: UUID) throws(StoreError) -> AppendOutcome? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT seq, status, reason FROM outbox WHERE event_id = ?",
                    arguments: [id.lowercasedText]
                )
            else { return nil }
            return AppendOutcome(
                id: id,
                sequence: UInt64(row["seq"] as Int64),
                status: Status(rawValue: row["status"]) ?? .queued,
                existing: true,
                reason: row["reason"]
            )
        }
    }

    /// Deletes delivered and rejected events settled before `date` (the retention period has passed). Queued events
    /// are never deleted.
    @discardableResult
    package func pruneSettled(before date: Date) throws(StoreError) -> Int {
        try write { db in
            try db.execute(
                sql: "DELETE FROM outbox WHERE status != 'queued' AND settled_at < ?",
                arguments: [date.timeIntervalSince1970]
            )
            return db.changesCount
        }
    }

    /// Closes the file. The store must not be used afterwards.
    /// The outbox's size on disk in bytes: the database file and its write-ahead log.
    package func sizeOnDisk() -> Int64 {
        SQLiteFile.sizeOnDisk(path)
    }

    package func close() throws(StoreError) {
        do {
            try queue.close()
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
