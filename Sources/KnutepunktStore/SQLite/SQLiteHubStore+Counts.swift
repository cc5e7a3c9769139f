import Foundation
import GRDB

/// The status report's counts (``HubCountSummary``): kept in two small tables by every transaction that stores
/// versions or refusals, so `counts()` reads a few rows whatever the number of events.
extension SQLiteHubStore {
    static func registerCountsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v8-event-counts") { db in
            // Filled once from the events and refusals a store already holds; from then on every write keeps them.
            try db.execute(
                sql: """
                    CREATE TABLE event_counts(
                        source TEXT NOT NULL,
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        counted INTEGER NOT NULL,
                        withdrawn INTEGER NOT NULL,
                        versions INTEGER NOT NULL,
                        PRIMARY KEY(source, region, node)
                    ) WITHOUT ROWID;
                    CREATE TABLE rejection_counts(
                        source TEXT PRIMARY KEY,
                        rejected INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO event_counts(source, region, node, counted, withdrawn, versions)
                        SELECT source, region, node, SUM(latest = 1 AND withdrawn = 0), SUM(latest = 1 AND withdrawn = 1),
                               COUNT(*)
                        FROM events GROUP BY source, region, node;
                    INSERT INTO rejection_counts(source, rejected)
                        SELECT source, COUNT(*) FROM rejections GROUP BY source;
                    """
            )
        }
    }

    /// Reads the summary tables: a few rows per node, never the events.
    package func counts() throws(StoreError) -> HubCounts {
        do {
            return try reading { db in try Self.summary(in: db).counts }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// The summary tables as they stand in `db`'s transaction.
    static func summary(in db: Database) throws -> HubCountSummary {
        var summary = HubCountSummary()
        for row in try Row.fetchAll(
            db,
            sql: "SELECT source, region, node, counted, withdrawn, versions FROM event_counts"
        ) {
            summary.add(
                HubCountSummary.Key(source: row["source"], region: row["region"], node: row["node"]),
                HubCountSummary.Tally(counted: row["counted"], withdrawn: row["withdrawn"], versions: row["versions"])
            )
        }
        for row in try Row.fetchAll(db, sql: "SELECT source, rejected FROM rejection_counts") {
            summary.addRejected(row["source"], row["rejected"])
        }
        return summary
    }

    /// Adds a transaction's changes to the summary tables, one upsert per changed key, in key order.
    static func apply(_ changes: HubCountSummary, in db: Database) throws {
        if changes.isEmpty { return }
        let events = try db.cachedStatement(
            sql: """
                INSERT INTO event_counts(source, region, node, counted, withdrawn, versions) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(source, region, node) DO UPDATE SET
                    counted = counted + excluded.counted,
                    withdrawn = withdrawn + excluded.withdrawn,
                    versions = versions + excluded.versions
                """
        )
        for (key, tally) in changes.changedEvents {
            var row = SQLiteRowBinding(events)
            row.bind(key.source)
            row.bind(key.region)
            row.bind(key.node)
            row.bind(tally.counted)
            row.bind(tally.withdrawn)
            row.bind(tally.versions)
            try row.run(db)
        }
        let rejections = try db.cachedStatement(
            sql: """
                INSERT INTO rejection_counts(source, rejected) VALUES (?, ?)
                ON CONFLICT(source) DO UPDATE SET rejected = rejected + excluded.rejected
                """
        )
        for (source, count) in changes.changedRejections {
            try rejections.execute(arguments: [source, count])
        }
    }

    /// Records a refusal, replacing the one on record for the same (source, seq), and counts it in `changes` when
    /// it is new: the insert is tried first (nearly every refusal is new), the update only when one was there.
    static func recordRejection(
        _ rejection: HubRejectionRecord,
        receivedAt: Double,
        in db: Database,
        changes: inout HubCountSummary
    ) throws {
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO rejections(source, seq, reason, detail, received_at) VALUES (?, ?, ?, ?, ?)
                """
        )
        try insert.execute(arguments: [
            rejection.source, Int64(rejection.sequence), rejection.reason, rejection.detail, receivedAt,
        ])
        if db.changesCount > 0 {
            changes.addRejected(rejection.source)
            return
        }
        let update = try db.cachedStatement(
            sql: "UPDATE rejections SET reason = ?, detail = ?, received_at = ? WHERE source = ? AND seq = ?"
        )
        try update.execute(arguments: [
            rejection.reason, rejection.detail, receivedAt, rejection.source, Int64(rejection.sequence),
        ])
    }

    /// The counts computed afresh from every stored event and refusal (a scan of the events table: for verification
    /// and tests, never for the status report).
    package func countsByScan() throws(StoreError) -> HubCounts {
        do {
            return try reading { db in
                func grouped(_ column: String) throws -> [String: Int] {
                    var result: [String: Int] = [:]
                    for row in try Row.fetchAll(
                        db,
                        sql: """
                            SELECT \(column) AS k, COUNT(*) AS n FROM events WHERE \(Self.counting) GROUP BY \(column)
                            """
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
                    rejected: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejections") ?? 0,
                    withdrawn: try Int.fetchOne(
                        db,
                        sql: "SELECT COUNT(*) FROM events WHERE latest = 1 AND withdrawn = 1"
                    ) ?? 0,
                    versions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0
                )
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
