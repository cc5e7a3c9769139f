import Foundation
import GRDB
import KnutepunktDomain

/// Test events and the taxonomy's versions (``HubOperationsStore``) in SQLite.
extension SQLiteHubStore {
    /// The tables of test events and taxonomy versions, both kept apart from the events and their counters.
    static func registerOperationsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-test-events-and-taxonomy-versions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE test_events(
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        event_id TEXT NOT NULL,
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        payload BLOB NOT NULL,
                        PRIMARY KEY(source, seq)
                    );
                    CREATE TABLE taxonomy_versions(
                        version INTEGER PRIMARY KEY,
                        published_at REAL NOT NULL,
                        document TEXT NOT NULL
                    );
                    """
            )
        }
    }

    /// Writes a batch's test events inside its commit. A resend of a stored (source, seq) is ignored.
    static func insertTests(_ tests: [HubTestEventRecord], stamp: Double, in db: Database) throws {
        guard !tests.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO test_events(source, seq, event_id, region, node, received_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        )
        for test in tests {
            try insert.execute(arguments: [
                test.source, Int64(test.sequence), test.eventID.lowercasedText, test.region, test.node, stamp,
                Data(test.payload),
            ])
        }
    }

    package func testEvents(limit: Int) throws(StoreError) -> (total: Int, latest: [HubStoredTestEvent]) {
        do {
            return try queue.read { db in
                let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM test_events") ?? 0
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT source, seq, event_id, region, node, received_at FROM test_events
                        ORDER BY received_at DESC, source, seq DESC LIMIT ?
                        """,
                    arguments: [limit]
                )
                let latest = rows.compactMap { row -> HubStoredTestEvent? in
                    guard let id = UUID(uuidString: row["event_id"]) else { return nil }
                    return HubStoredTestEvent(
                        source: row["source"],
                        sequence: UInt64(row["seq"] as Int64),
                        eventID: id,
                        region: row["region"],
                        node: row["node"],
                        receivedAt: Date(timeIntervalSince1970: row["received_at"])
                    )
                }
                return (total, latest)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func taxonomyVersions() throws(StoreError) -> [TaxonomyVersionRecord] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT version, published_at, document FROM taxonomy_versions ORDER BY version"
                ).map {
                    TaxonomyVersionRecord(
                        version: $0["version"],
                        publishedAt: Date(timeIntervalSince1970: $0["published_at"]),
                        document: $0["document"]
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func publishTaxonomy(
        _ document: String,
        at date: Date
    ) throws(StoreError) -> (record: TaxonomyVersionRecord, published: Bool) {
        do {
            return try queue.write { db in
                if let row = try Row.fetchOne(
                    db,
                    sql: "SELECT version, published_at, document FROM taxonomy_versions ORDER BY version DESC LIMIT 1"
                ), (row["document"] as String) == document {
                    let latest = TaxonomyVersionRecord(
                        version: row["version"],
                        publishedAt: Date(timeIntervalSince1970: row["published_at"]),
                        document: document
                    )
                    return (latest, false)
                }
                let next = (try Int.fetchOne(db, sql: "SELECT max(version) FROM taxonomy_versions") ?? 0) + 1
                try db.execute(
                    sql: "INSERT INTO taxonomy_versions(version, published_at, document) VALUES (?, ?, ?)",
                    arguments: [next, date.timeIntervalSince1970, document]
                )
                return (TaxonomyVersionRecord(version: next, publishedAt: date, document: document), true)
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
