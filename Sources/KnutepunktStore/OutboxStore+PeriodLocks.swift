import GRDB
import KnutepunktDomain

// The locked months a node has learnt from the hub (docs/protocol.md, "PERIODS"), kept in its outbox so that after a
// restart it refuses an event dated in a locked month before queuing it, even before its link to the hub is back.
extension OutboxStore {
    /// The migration that adds the table of locked months (`v3-period-locks`).
    static func createPeriodLocks(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE period_locks(
                    region TEXT NOT NULL,
                    month TEXT NOT NULL,
                    locked_by TEXT NOT NULL,
                    locked_at TEXT NOT NULL,
                    PRIMARY KEY(region, month)
                );
                INSERT INTO outbox_meta(key, value) VALUES ('period_locks_version', 0);
                """
        )
    }

    /// The locks last recorded, with their version; empty (version 0) when none ever were.
    package func periodLocks() throws(StoreError) -> PeriodLocks {
        try reading { db in
            let locks = try Row.fetchAll(
                db,
                sql: "SELECT region, month, locked_by, locked_at FROM period_locks ORDER BY region, month"
            ).map { row in
                PeriodLedger.Lock(
                    region: row["region"],
                    month: row["month"],
                    lockedBy: row["locked_by"],
                    lockedAt: row["locked_at"]
                )
            }
            return PeriodLocks(version: try Self.meta("period_locks_version", db), locks: locks)
        }
    }

    /// Replaces the recorded locks with `locks`, in one transaction: the set a node holds is the hub's latest whole.
    package func recordPeriodLocks(_ locks: PeriodLocks) throws(StoreError) {
        try writing { db in
            try db.execute(sql: "DELETE FROM period_locks")
            for lock in locks.locks {
                try db.execute(
                    sql: "INSERT INTO period_locks(region, month, locked_by, locked_at) VALUES (?, ?, ?, ?)",
                    arguments: [lock.region, lock.month, lock.lockedBy, lock.lockedAt]
                )
            }
            try Self.setMeta("period_locks_version", locks.version, db)
        }
    }
}
