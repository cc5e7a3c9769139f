import GRDB
import GRDBSQLite
import KnutepunktGaps

/// Brings the stored activity counters to a rebuild's totals, given in key order, writing only the rows that differ.
///
/// The table is read in its key's order beside the totals (a merge): a cell whose counts are right is left alone, a
/// wrong count is updated, a missing cell is inserted, and a cell the rebuild did not find is deleted. A rebuild over
/// counters that were right, or nearly, reads the table once instead of deleting every row and writing every page
/// again; over an empty table (a store from before the counters) it inserts every cell.
///
/// Every change lands at or before the row the table's cursor stands on, which SQLite allows while the cursor reads
/// on (the cursor finds its place again by its key).
struct SQLiteCountRewrite {
    private let existing: Statement
    private let insert: Statement
    private let update: Statement
    private let delete: Statement
    /// The cursor's row: its key bytes (as ``CountKey`` makes them) and counts; nil past the last row.
    private var current: (key: [UInt8], count: ActivityCount)?
    /// Rows inserted, updated and deleted.
    private(set) var written = 0

    private static let keyColumns =
        "region, node, occurred_on, kind, tier, funding, target_groups, age_bands, professions, programmes"
    private static let keyMatches = """
        region = ? AND node = ? AND occurred_on = ? AND kind = ? AND tier = ? AND funding = ?
        AND target_groups = ? AND age_bands = ? AND professions = ? AND programmes = ?
        """

    init(in db: Database) throws {
        existing = try db.makeStatement(
            sql: """
                SELECT \(Self.keyColumns), events, families, participants, sessions
                FROM activity_counts ORDER BY \(Self.keyColumns)
                """
        )
        insert = try db.makeStatement(
            sql: """
                INSERT INTO activity_counts(\(Self.keyColumns), events, families, participants, sessions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        update = try db.makeStatement(
            sql: """
                UPDATE activity_counts SET events = ?, families = ?, participants = ?, sessions = ?
                WHERE \(Self.keyMatches)
                """
        )
        delete = try db.makeStatement(sql: "DELETE FROM activity_counts WHERE \(Self.keyMatches)")
        sqlite3_reset(existing.sqliteStatement)
        try advance(db)
    }

    /// Gives the cell `key` (its ``CountKey`` bytes, keys in increasing order from one call to the next) the total
    /// `count`.
    mutating func apply(_ key: UnsafeBufferPointer<UInt8>, _ count: ActivityCount, in db: Database) throws {
        while let row = current, row.key.withUnsafeBufferPointer({ CountKey.precedes($0, key) }) {
            try row.key.withUnsafeBufferPointer { try run(delete, key: $0, in: db) }
            try advance(db)
        }
        if let row = current, row.key.withUnsafeBufferPointer({ $0.elementsEqual(key) }) {
            if row.count != count {
                var binding = SQLiteRowBinding(update)
                for number in [count.events, count.families, count.participants, count.sessions] {
                    binding.bind(number)
                }
                CountKey.forEachColumn(of: key) { binding.bind(borrowedText: $0) }
                try binding.run(db)
                written += 1
            }
            try advance(db)
        } else {
            var binding = SQLiteRowBinding(insert)
            CountKey.forEachColumn(of: key) { binding.bind(borrowedText: $0) }
            for number in [count.events, count.families, count.participants, count.sessions] { binding.bind(number) }
            try binding.run(db)
            written += 1
        }
    }

    /// Deletes the cells after the last total; the rewrite is done.
    mutating func finish(in db: Database) throws -> Int {
        while let row = current {
            try row.key.withUnsafeBufferPointer { try run(delete, key: $0, in: db) }
            try advance(db)
        }
        return written
    }

    private mutating func run(_ statement: Statement, key: UnsafeBufferPointer<UInt8>, in db: Database) throws {
        var binding = SQLiteRowBinding(statement)
        CountKey.forEachColumn(of: key) { binding.bind(borrowedText: $0) }
        try binding.run(db)
        written += 1
    }

    /// Steps the table's cursor to its next row.
    private mutating func advance(_ db: Database) throws {
        let handle = existing.sqliteStatement
        let code = sqlite3_step(handle)
        guard code == SQLITE_ROW else {
            current = nil
            sqlite3_reset(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code),
                    message: String(cString: sqlite3_errmsg(db.sqliteConnection))
                )
            }
            return
        }
        // The last row's buffer is reused.
        var key = current.take()?.key ?? []
        key.removeAll(keepingCapacity: true)
        for column in 0..<Int32(CountKey.columns) {
            if let text = sqlite3_column_text(handle, column) {
                key.append(
                    contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
                )
            }
            key.append(0)
        }
        let count = ActivityCount(
            events: Int(sqlite3_column_int64(handle, 10)),
            families: Int(sqlite3_column_int64(handle, 11)),
            participants: Int(sqlite3_column_int64(handle, 12)),
            sessions: Int(sqlite3_column_int64(handle, 13))
        )
        current = (key, count)
    }
}
