import Foundation
import GRDB
import KnutepunktDomain

/// The node's durable outbox: every accepted event, numbered, until the hub has settled it (and for a retention
/// period after, so a hub restored from an older backup can get it again).
///
/// Used from one thread (the node's reactor thread). All methods are synchronous and commit before returning; a
/// commit is fsync'd (see ``SQLiteFile``), so an event that `append` returned for survives a crash.
///
/// Each row is one version of an event (`event_id`, `version` unique). The latest version of every event stays for
/// good, so a coordinator can list, correct and withdraw it; earlier versions go once they are settled and past
/// retention.
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

    /// One event version to append: its id, version and canonical payload.
    package struct Entry: Sendable, Hashable {
        package var id: UUID
        package var version: Int
        package var payload: [UInt8]
        package init(id: UUID, version: Int = 1, payload: [UInt8]) {
            self.id = id
            self.version = version
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
        /// The version stored, or with `existing` the one held.
        package var version: Int = 1
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
        migrator.registerMigration("v2-versions") { db in
            // Versions of an event: (event_id, version) is unique instead of event_id. SQLite cannot drop a
            // constraint, so the table is copied; every event stored so far is its version 1.
            try db.execute(
                sql: """
                    CREATE TABLE outbox_versions(
                        seq INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL,
                        version INTEGER NOT NULL DEFAULT 1,
                        payload BLOB NOT NULL,
                        accepted_at REAL NOT NULL,
                        status TEXT NOT NULL DEFAULT 'queued',
                        reason_code INTEGER,
                        reason TEXT,
                        settled_at REAL,
                        UNIQUE(event_id, version)
                    );
                    INSERT INTO outbox_versions(seq, event_id, version, payload, accepted_at, status, reason_code,
                                                reason, settled_at)
                        SELECT seq, event_id, 1, payload, accepted_at, status, reason_code, reason, settled_at
                        FROM outbox;
                    DROP TABLE outbox;
                    ALTER TABLE outbox_versions RENAME TO outbox;
                    CREATE INDEX outbox_status ON outbox(status, seq);
                    """
            )
        }
        migrator.registerMigration("v3-period-locks") { db in try Self.createPeriodLocks(db) }
        migrator.registerMigration("v4-settlements") { db in
            // A cumulative ACK is one row here instead of a rewrite of every row it settles (payloads and all): a
            // version still marked queued whose sequence is at most `settled_through` is delivered, settled when the
            // first ACK through its sequence came. Rows settled before this migration keep their own marks.
            try db.execute(
                sql: "CREATE TABLE outbox_settlements(through INTEGER PRIMARY KEY, settled_at REAL NOT NULL)"
            )
        }
        do {
            try migrator.migrate(queue)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Runs `body` in a write transaction (for the extensions in other files).
    func writing<T>(_ body: (Database) throws -> T) throws(StoreError) -> T { try write(body) }

    /// Runs `body` in a read transaction (for the extensions in other files).
    func reading<T>(_ body: (Database) throws -> T) throws(StoreError) -> T { try read(body) }

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

    static func meta(_ key: String, _ db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db, sql: "SELECT value FROM outbox_meta WHERE key = ?", arguments: [key]) ?? 0)
    }

    static func setMeta(_ key: String, _ value: UInt64, _ db: Database) throws {
        try db.execute(sql: "UPDATE outbox_meta SET value = ? WHERE key = ?", arguments: [Int64(value), key])
    }

    /// Appends entries in one transaction, numbering new ones consecutively. A version (id and version) the outbox
    /// already holds is not stored again: its outcome reports the existing sequence and status. No versioning rules
    /// here: ``submit(_:acceptedAt:)`` applies them.
    package func append(_ entries: [Entry], acceptedAt: Date = Date()) throws(StoreError) -> [AppendOutcome] {
        try write { db in
            var last = try Self.meta("last_sequence", db)
            var outcomes: [AppendOutcome] = []
            outcomes.reserveCapacity(entries.count)
            for entry in entries {
                if let held = try Self.version(entry.id, entry.version, db) {
                    outcomes.append(held.outcome(id: entry.id))
                    continue
                }
                last += 1
                try Self.insert(entry, sequence: last, acceptedAt: acceptedAt, db)
                outcomes.append(
                    AppendOutcome(
                        id: entry.id,
                        sequence: last,
                        status: .queued,
                        existing: false,
                        version: entry.version
                    )
                )
            }
            try Self.setMeta("last_sequence", last, db)
            return outcomes
        }
    }

    /// One stored version, as read back.
    struct HeldVersion {
        var sequence: UInt64
        var version: Int
        var status: Status
        var reason: String?
        var payload: [UInt8]
        var acceptedAt: Double

        func outcome(id: UUID) -> AppendOutcome {
            AppendOutcome(id: id, sequence: sequence, status: status, existing: true, reason: reason, version: version)
        }

        init(_ row: Row) {
            sequence = UInt64(row["seq"] as Int64)
            version = row["version"]
            status = Status(rawValue: row["status"]) ?? .queued
            reason = row["reason"]
            payload = [UInt8](row["payload"] as Data)
            acceptedAt = row["accepted_at"]
        }
    }

    /// A version's status: as marked, except that a version still marked queued whose sequence the hub has settled
    /// (at most `settled_through`, see ``markSettled(through:at:)``) is delivered.
    static let statusColumn = """
        CASE WHEN status = 'queued' AND seq <= (SELECT value FROM outbox_meta WHERE key = 'settled_through')
        THEN 'delivered' ELSE status END
        """

    static let versionColumns = "seq, event_id, version, \(statusColumn) AS status, reason, payload, accepted_at"

    /// The stored version `version` of event `id`, if held.
    static func version(_ id: UUID, _ version: Int, _ db: Database) throws -> HeldVersion? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(versionColumns) FROM outbox WHERE event_id = ? AND version = ?"),
            arguments: [id.lowercasedText, version]
        ).map(HeldVersion.init)
    }

    /// The latest version of event `id` the outbox holds.
    static func head(_ id: UUID, _ db: Database) throws -> HeldVersion? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT \(versionColumns) FROM outbox WHERE event_id = ? ORDER BY version DESC LIMIT 1"
            ),
            arguments: [id.lowercasedText]
        ).map(HeldVersion.init)
    }

    static func insert(_ entry: Entry, sequence: UInt64, acceptedAt: Date, _ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO outbox(seq, event_id, version, payload, accepted_at) VALUES (?, ?, ?, ?, ?)"
        ).execute(arguments: [
            Int64(sequence), entry.id.lowercasedText, entry.version, Data(entry.payload),
            acceptedAt.timeIntervalSince1970,
        ])
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
    /// only ever grows. The versions it settles are not rewritten: one row records the ACK and when it came, and a
    /// version still marked queued at or below `settled_through` reads as delivered (``statusColumn``). Rewriting
    /// them cost a write of every page of payloads a second time, most of a catching-up node's work.
    package func markSettled(through: UInt64, at date: Date = Date()) throws(StoreError) {
        try write { db in
            // Never lowered: after a hub restored from an older backup re-acknowledges what it lacked, the outbox
            // keeps its own, higher record (see docs/protocol.md, node rule 3).
            guard try Self.meta("settled_through", db) < through else { return }
            try Self.setMeta("settled_through", through, db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO outbox_settlements(through, settled_at) VALUES (?, ?)",
                arguments: [Int64(through), date.timeIntervalSince1970]
            )
        }
    }

    /// Records that the hub already holds this very version under another sequence (NACK DUPLICATE_EVENT_ID in a
    /// KPN/1.1 session): delivered, with the hub's words kept as the reason.
    package func markAlreadyStored(sequence: UInt64, detail: String, at date: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET status = 'delivered', reason = ?, settled_at = ? WHERE seq = ?",
                arguments: ["already at the hub: \(detail)", date.timeIntervalSince1970, Int64(sequence)]
            )
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
            let settled = try Self.meta("settled_through", db)
            let last = try Self.meta("last_sequence", db)
            if sequence > settled, last > settled {
                // The events the hub never saw under their numbers move up, in order, above the hub's: negated
                // first, so that no two rows share a number on the way.
                let shift = Int64(sequence - settled)
                try db.execute(
                    sql: "UPDATE outbox SET seq = -(seq + ?) WHERE seq > ?",
                    arguments: [shift, Int64(settled)]
                )
                try db.execute(sql: "UPDATE outbox SET seq = -seq WHERE seq < 0")
                try Self.setMeta("last_sequence", last + UInt64(shift), db)
            } else if last < sequence {
                try Self.setMeta("last_sequence", sequence, db)
            }
            if try Self.meta("settled_through", db) < sequence {
                try Self.setMeta("settled_through", sequence, db)
            }
        }
    }

    /// Whether a hub has welcomed this outbox yet (an outbox that has settled anything has been).
    package func greeted() throws(StoreError) -> Bool {
        try read { db in try Self.meta("greeted", db) == 1 || Self.meta("settled_through", db) > 0 }
    }

    /// Records that a hub has welcomed this outbox.
    package func markGreeted() throws(StoreError) {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO outbox_meta(key, value) VALUES ('greeted', 1)")
        }
    }

    /// The highest sequence assigned so far and how far the hub has settled.
    package func positions() throws(StoreError) -> (lastSequence: UInt64, settledThrough: UInt64) {
        try read { db in (try Self.meta("last_sequence", db), try Self.meta("settled_through", db)) }
    }

    /// Counters for `knutepunkt status`.
    package func summary() throws(StoreError) -> Summary {
        try read { db in
            let settled = try Self.meta("settled_through", db)
            let counts = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FILTER (WHERE status = 'queued' AND seq > ?) AS backlog,
                           COUNT(*) FILTER (WHERE status = 'rejected') AS rejected,
                           COUNT(*) AS retained
                    FROM outbox
                    """,
                arguments: [Int64(settled)]
            )
            return Summary(
                lastSequence: try Self.meta("last_sequence", db),
                deliveredThrough: settled,
                backlog: counts?["backlog"] ?? 0,
                rejected: counts?["rejected"] ?? 0,
                retained: counts?["retained"] ?? 0
            )
        }
    }

    /// The status of an event's latest version by id, or nil when the outbox does not hold it.
    package func status(of id: UUID) throws(StoreError) -> AppendOutcome? {
        try read { db in try Self.head(id, db)?.outcome(id: id) }
    }

    /// The latest version of an event, with its canonical payload; nil when the outbox does not hold it.
    package func latest(of id: UUID) throws(StoreError) -> (outcome: AppendOutcome, payload: [UInt8])? {
        try read { db in try Self.head(id, db).map { ($0.outcome(id: id), $0.payload) } }
    }

    /// Deletes versions settled before `date` (the retention period has passed) that a later version of their
    /// event has replaced. Queued versions are never deleted, and neither is the latest version of any event: it is
    /// what the coordinator lists, corrects and withdraws.
    @discardableResult
    package func pruneSettled(before date: Date) throws(StoreError) -> Int {
        try write { db in
            // A version the ACKs settled (still marked queued) was settled before `date` when an ACK before `date`
            // reached its sequence; ACKs only grow, so that is every sequence up to the last such ACK.
            let before = date.timeIntervalSince1970
            let acked =
                try Int64.fetchOne(
                    db,
                    sql: "SELECT max(through) FROM outbox_settlements WHERE settled_at < ?",
                    arguments: [before]
                ) ?? 0
            try db.execute(
                sql: """
                    DELETE FROM outbox
                    WHERE (CASE WHEN status = 'queued' THEN seq <= ? ELSE settled_at < ? END)
                    AND EXISTS (SELECT 1 FROM outbox AS newer
                                WHERE newer.event_id = outbox.event_id AND newer.version > outbox.version)
                    """,
                arguments: [acked, before]
            )
            let removed = db.changesCount
            // The last ACK before `date` answers for every earlier one from now on.
            try db.execute(sql: "DELETE FROM outbox_settlements WHERE through < ?", arguments: [acked])
            return removed
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
