import Foundation
import GRDB

/// The hub's store in one SQLite file (WAL, fsync at every commit). The embedded default.
package final class SQLiteHubStore: HubStore {
    private let queue: DatabaseQueue
    package let path: String

    private init(queue: DatabaseQueue, path: String) {
        self.queue = queue
        self.path = path
    }

    /// Opens or creates the store at `path`.
    package static func open(path: String) throws(StoreError) -> SQLiteHubStore {
        let store = SQLiteHubStore(queue: try SQLiteFile.open(path: path, label: "hub"), path: path)
        try store.migrate()
        return store
    }

    private func migrate() throws(StoreError) {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events(
                        id INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL UNIQUE,
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        occurred_on TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        payload BLOB NOT NULL,
                        UNIQUE(source, seq)
                    );
                    CREATE INDEX events_region ON events(region, occurred_on);
                    CREATE TABLE rejections(
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        PRIMARY KEY(source, seq)
                    );
                    CREATE TABLE sources(
                        source TEXT PRIMARY KEY,
                        settled_through INTEGER NOT NULL,
                        updated_at REAL NOT NULL
                    );
                    """
            )
        }
        do {
            try migrator.migrate(queue)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func settledProgress() throws(StoreError) -> [String: UInt64] {
        do {
            return try queue.read { db in
                var result: [String: UInt64] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT source, settled_through FROM sources") {
                    result[row["source"]] = UInt64(row["settled_through"] as Int64)
                }
                return result
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func commit(_ batch: HubBatch, receivedAt: Date) throws(StoreError) -> HubCommitResult {
        if batch.isEmpty { return HubCommitResult() }
        let stamp = receivedAt.timeIntervalSince1970
        do {
            return try queue.write { db in
                var result = HubCommitResult()
                // `OR IGNORE` only swallows uniqueness conflicts here (every column is NOT NULL and given): a
                // conflict on (source, seq) cannot happen because the session state machine drops sequences it has
                // settled, so a conflict means the event id is already stored under another sequence.
                let insert = try db.cachedStatement(
                    sql: """
                        INSERT OR IGNORE INTO events(event_id, source, seq, region, node, kind, occurred_on, received_at, payload)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """
                )
                let reject = try db.cachedStatement(
                    sql: """
                        INSERT OR REPLACE INTO rejections(source, seq, reason, detail, received_at)
                        VALUES (?, ?, ?, ?, ?)
                        """
                )
                for (index, event) in batch.events.enumerated() {
                    try insert.execute(arguments: [
                        event.eventID.uuidString.lowercased(), event.source, Int64(event.sequence), event.region,
                        event.node, event.kind, event.occurredOn, stamp, Data(event.payload),
                    ])
                    if db.changesCount == 0 {
                        result.duplicateIDs.append(index)
                        try reject.execute(arguments: [
                            event.source, Int64(event.sequence), "DUPLICATE_EVENT_ID",
                            "event \(event.eventID.uuidString.lowercased()) is already stored", stamp,
                        ])
                    }
                }
                for rejection in batch.rejections {
                    try reject.execute(arguments: [
                        rejection.source, Int64(rejection.sequence), rejection.reason, rejection.detail, stamp,
                    ])
                }
                let settle = try db.cachedStatement(
                    sql: """
                        INSERT INTO sources(source, settled_through, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT(source) DO UPDATE SET
                            settled_through = max(settled_through, excluded.settled_through),
                            updated_at = excluded.updated_at
                        """
                )
                for (source, through) in batch.settled {
                    try settle.execute(arguments: [source, Int64(through), stamp])
                }
                return result
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func counts() throws(StoreError) -> HubCounts {
        do {
            return try queue.read { db in
                func grouped(_ column: String) throws -> [String: Int] {
                    var result: [String: Int] = [:]
                    for row in try Row.fetchAll(
                        db,
                        sql: "SELECT \(column) AS k, COUNT(*) AS n FROM events GROUP BY \(column)"
                    ) {
                        result[row["k"]] = row["n"]
                    }
                    return result
                }
                let byRegion = try grouped("region")
                return HubCounts(
                    total: byRegion.values.reduce(0, +),
                    byRegion: byRegion,
                    byNode: try grouped("node"),
                    bySource: try grouped("source"),
                    rejected: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejections") ?? 0
                )
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func forEachPayload(_ body: ([UInt8]) throws -> Void) throws(StoreError) {
        do {
            try queue.read { db in
                let rows = try Row.fetchCursor(db, sql: "SELECT payload FROM events ORDER BY id")
                while let row = try rows.next() {
                    let data: Data = row["payload"]
                    try body([UInt8](data))
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func storedKeys() throws(StoreError) -> [(source: String, sequence: UInt64, eventID: UUID)] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT source, seq, event_id FROM events ORDER BY source, seq").map {
                    row in
                    (row["source"], UInt64(row["seq"] as Int64), UUID(uuidString: row["event_id"]) ?? UUID())
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func close() throws(StoreError) {
        do {
            try queue.close()
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
