import Foundation
import GRDB
import KnutepunktDomain
import KnutepunktGaps

extension SQLiteHubStore {
    static func registerCheckpointMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-gap-checkpoint") { db in
            // One row: the folded activity (ActivityDays) up to a storage position, and the counters' generation.
            try db.execute(
                sql: """
                    CREATE TABLE gap_checkpoint(
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        generation INTEGER NOT NULL,
                        format INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        days BLOB NOT NULL,
                        written_at REAL NOT NULL
                    );
                    INSERT INTO gap_checkpoint(id, generation, format, position, days, written_at)
                        VALUES (1, 0, 0, 0, x'', 0);
                    """
            )
        }
    }

    /// Marks the checkpoint as no longer describing the counters (they were rebuilt or replaced), in `db`'s
    /// transaction: a new generation, no format.
    static func invalidateCheckpoint(in db: Database) throws {
        try db.execute(sql: "UPDATE gap_checkpoint SET generation = generation + 1, format = 0, days = x''")
    }

    package func loadGapCheckpoint() throws(StoreError) -> GapCheckpoint {
        do {
            return try reading { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: "SELECT generation, format, position, days FROM gap_checkpoint WHERE id = 1"
                    )
                else { return GapCheckpoint(generation: 0, format: 0, position: 0, days: []) }
                return GapCheckpoint(
                    generation: row["generation"],
                    format: row["format"],
                    position: row["position"],
                    days: [UInt8](row["days"] as Data)
                )
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func saveGapCheckpoint(_ checkpoint: GapCheckpoint) throws(StoreError) -> Bool {
        do {
            return try writing { db in
                try db.execute(
                    sql: """
                        UPDATE gap_checkpoint SET format = ?, position = ?, days = ?, written_at = ?
                        WHERE id = 1 AND generation = ?
                        """,
                    arguments: [
                        checkpoint.format, checkpoint.position, Data(checkpoint.days), Date().timeIntervalSince1970,
                        checkpoint.generation,
                    ]
                )
                return db.changesCount == 1
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func forEachCountedChange(
        after position: Int64,
        _ body: (CountedChange) throws -> Void
    ) throws(StoreError) {
        do {
            try reading { db in
                // The version each one replaced is the one stored before it for the same event: versions are
                // stored in order, each as the event's latest.
                let rows = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT e.id, e.withdrawn, e.payload, p.withdrawn AS replaced_withdrawn,
                               p.payload AS replaced_payload
                        FROM events e
                        LEFT JOIN events p ON p.id = (
                            SELECT MAX(q.id) FROM events q WHERE q.event_id = e.event_id AND q.id < e.id
                        )
                        WHERE e.id > ? ORDER BY e.id
                        """,
                    arguments: [position]
                )
                while let row = try rows.next() {
                    let replaced = (row["replaced_payload"] as Data?).map { data in
                        (payload: [UInt8](data), withdrawn: row["replaced_withdrawn"] as Bool)
                    }
                    try body(
                        CountedChange.reading(
                            position: row["id"],
                            payload: [UInt8](row["payload"] as Data),
                            withdrawn: row["withdrawn"],
                            replaced: replaced
                        )
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func hasActivityCounts() throws(StoreError) -> Bool {
        do {
            return try reading { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM activity_counts)") ?? false
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func foldActivityCounts(
        _ body: (ActivityCell, ActivityCount) throws -> Void
    ) throws(StoreError) -> (position: Int64, generation: Int64) {
        do {
            return try reading { db in
                let position = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM events") ?? 0
                let generation =
                    try Int64.fetchOne(db, sql: "SELECT generation FROM gap_checkpoint WHERE id = 1") ?? 0
                try Self.forEachActivityCount(in: db, body)
                return (position, generation)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
