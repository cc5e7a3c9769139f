import Foundation
import GRDB
import KnutepunktStore

/// The dashboard's own small SQLite file, holding the acknowledgements of gaps (an append-only audit table).
///
/// Why a file of its own rather than a table in the hub's store: the hub's store has one writer (the hub's thread,
/// which acknowledges events only after its commits) and sits behind ``HubStore``, which is getting a PostgreSQL
/// implementation; acknowledgements are a human workflow about published gaps, not events, and the dashboard can
/// run beside the hub with only read access to the hub's file. The gap key and the day it was opened tie an
/// acknowledgement to the hub's gap.
///
/// Blocking: call it from the dashboard feed's thread (``DashboardFeed/perform(_:)``), not from async code.
package final class AcknowledgementStore: Sendable {
    private let queue: DatabaseQueue
    package let path: String

    private init(queue: DatabaseQueue, path: String) {
        self.queue = queue
        self.path = path
    }

    /// Opens or creates the file at `path` (WAL; every acknowledgement is on disk when ``add`` returns).
    package static func open(path: String) throws(DashboardError) -> AcknowledgementStore {
        do {
            // The same SQLite set-up as every Knutepunkt store: WAL, fsync at every commit.
            let queue = try SQLiteFile.open(path: path, label: "dashboard")
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1-acknowledgements") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE acknowledgements(
                            id INTEGER PRIMARY KEY,
                            gap_key TEXT NOT NULL,
                            gap_opened_on TEXT,
                            severity TEXT NOT NULL,
                            user TEXT NOT NULL,
                            role TEXT NOT NULL,
                            note TEXT NOT NULL,
                            at TEXT NOT NULL
                        );
                        CREATE INDEX acknowledgements_gap ON acknowledgements(gap_key);
                        """
                )
            }
            try migrator.migrate(queue)
            return AcknowledgementStore(queue: queue, path: path)
        } catch {
            throw DashboardError(
                code: .acknowledgementStore,
                message: "cannot open the acknowledgement store \(path): \(error); check the folder's permissions"
            )
        }
    }

    /// Records one acknowledgement and returns it with its id.
    package func add(
        gap: GapRecordReference,
        severity: String,
        user: DashboardUser,
        note: String,
        at date: Date
    ) throws(DashboardError) -> Acknowledgement {
        let at = Self.timestamp(date)
        do {
            let id = try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO acknowledgements(gap_key, gap_opened_on, severity, user, role, note, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [gap.key, gap.openedOn, severity, user.name, user.role.rawValue, note, at]
                )
                return db.lastInsertedRowID
            }
            return Acknowledgement(
                id: id,
                gapKey: gap.key,
                gapOpenedOn: gap.openedOn,
                severity: severity,
                user: user.name,
                role: user.role.rawValue,
                note: note,
                at: at
            )
        } catch {
            throw DashboardError(code: .acknowledgementStore, message: "cannot record the acknowledgement: \(error)")
        }
    }

    /// Every acknowledgement, newest first.
    package func all() throws(DashboardError) -> [Acknowledgement] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM acknowledgements ORDER BY id DESC").map { row in
                    Acknowledgement(
                        id: row["id"],
                        gapKey: row["gap_key"],
                        gapOpenedOn: row["gap_opened_on"],
                        severity: row["severity"],
                        user: row["user"],
                        role: row["role"],
                        note: row["note"],
                        at: row["at"]
                    )
                }
            }
        } catch {
            throw DashboardError(code: .acknowledgementStore, message: "cannot read the acknowledgements: \(error)")
        }
    }

    package func close() {
        try? queue.close()
    }

    /// UTC, `2026-11-30T22:41:07Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
