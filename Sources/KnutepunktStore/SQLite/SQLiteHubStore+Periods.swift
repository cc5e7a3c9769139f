import Foundation
import GRDB
import KnutepunktDomain

/// Monthly returns (``HubPeriodsStore``) in SQLite.
extension SQLiteHubStore {
    /// The table of monthly returns, apart from the events and their counters.
    static func registerPeriodsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-monthly-returns") { db in
            try db.execute(
                sql: """
                    CREATE TABLE monthly_returns(
                        source TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        return_id TEXT NOT NULL,
                        region TEXT NOT NULL,
                        node TEXT NOT NULL,
                        month TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        payload BLOB NOT NULL,
                        PRIMARY KEY(source, seq),
                        UNIQUE(node, month, version)
                    );
                    CREATE TABLE period_steps(
                        id INTEGER PRIMARY KEY,
                        region TEXT NOT NULL,
                        month TEXT NOT NULL,
                        step TEXT NOT NULL,
                        by_name TEXT NOT NULL,
                        role TEXT NOT NULL,
                        at TEXT NOT NULL,
                        reason TEXT
                    );
                    """
            )
        }
    }

    package func periodSteps() throws(StoreError) -> [PeriodLedger.Step] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT region, month, step, by_name, role, at, reason FROM period_steps ORDER BY id"
                ).compactMap { row in
                    guard let kind = PeriodLedger.Step.Kind(rawValue: row["step"]),
                        let role = PeriodLedger.Role(rawValue: row["role"])
                    else { return nil }
                    return PeriodLedger.Step(
                        region: row["region"],
                        month: row["month"],
                        kind: kind,
                        by: row["by_name"],
                        role: role,
                        at: row["at"],
                        reason: row["reason"]
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    package func recordPeriodStep(_ step: PeriodLedger.Step) throws(StoreError) {
        do {
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO period_steps(region, month, step, by_name, role, at, reason)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        step.region, step.month, step.kind.rawValue, step.by, step.role.rawValue, step.at, step.reason,
                    ]
                )
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// Writes a batch's returns inside its commit. A resend of a stored (source, seq), or a version number already
    /// stored for its node and month, is ignored.
    static func insertReturns(_ returns: [HubReturnRecord], stamp: Double, in db: Database) throws {
        guard !returns.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO monthly_returns(source, seq, return_id, region, node, month, version, status,
                                                      received_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for item in returns {
            let record = item.record
            try insert.execute(arguments: [
                item.source, Int64(item.sequence), record.id.lowercasedText, record.region, record.node,
                record.month.text, record.version, record.status.rawValue, stamp, Data(item.payload),
            ])
        }
    }

    package func monthlyReturns() throws(StoreError) -> [HubStoredReturn] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT source, seq, received_at, payload FROM monthly_returns ORDER BY received_at, source, seq"
                ).compactMap { row in
                    Self.storedReturn(
                        source: row["source"],
                        sequence: UInt64(row["seq"] as Int64),
                        receivedAt: row["received_at"],
                        payload: [UInt8](row["payload"] as Data)
                    )
                }
            }
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// A stored return read back from its payload (written by this hub, so it parses; nil otherwise).
    static func storedReturn(
        source: String,
        sequence: UInt64,
        receivedAt: Double,
        payload: [UInt8]
    )
        -> HubStoredReturn?
    {
        guard let object = try? JSONValue.parse(payload), let record = MonthlyReturn(stored: object) else { return nil }
        return HubStoredReturn(
            source: source,
            sequence: sequence,
            record: record,
            receivedAt: Date(timeIntervalSince1970: receivedAt)
        )
    }
}
