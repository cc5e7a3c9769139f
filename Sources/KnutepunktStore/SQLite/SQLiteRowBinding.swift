import GRDB
import GRDBSQLite

/// Binds one row of values to a prepared statement through SQLite's C API and runs it: for the hub's commit, which
/// runs a statement or two per event. Building GRDB's `StatementArguments` (an array of boxed values) for every row
/// cost about a fifth of the commit; here each value goes straight to `sqlite3_bind_*` (SQLite copies it).
///
/// Use it inside a transaction of the statement's own database, one row at a time:
/// `var row = SQLiteRowBinding(statement); row.bind(…); …; try row.run(db)`.
struct SQLiteRowBinding: ~Copyable {
    private let handle: OpaquePointer
    private var index: Int32 = 0

    /// Tells SQLite to copy the value before the bind call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ statement: Statement) {
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    mutating func bind(_ text: String) {
        index += 1
        var text = text
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress {
                _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                    sqlite3_bind_text(handle, index, characters, Int32(bytes.count), Self.transient)
                }
            } else {
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }

    /// Binds UTF-8 bytes as text without copying them: they must stay valid and unchanged until ``run(_:)``
    /// returns.
    mutating func bind(borrowedText bytes: UnsafeBufferPointer<UInt8>) {
        index += 1
        if let base = bytes.baseAddress {
            _ = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                sqlite3_bind_text(handle, index, characters, Int32(bytes.count), nil)
            }
        } else {
            _ = sqlite3_bind_text(handle, index, "", 0, nil)
        }
    }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: Int) {
        bind(Int64(value))
    }

    mutating func bind(_ value: Double) {
        index += 1
        sqlite3_bind_double(handle, index, value)
    }

    mutating func bind(blob bytes: [UInt8]) {
        index += 1
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress {
                _ = sqlite3_bind_blob(handle, index, base, Int32(raw.count), Self.transient)
            } else {
                _ = sqlite3_bind_zeroblob(handle, index, 0)
            }
        }
    }

    /// Runs the statement (it must return no rows) and resets it; throws SQLite's error as GRDB reports errors.
    consuming func run(_ db: Database) throws {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection))
            )
        }
    }

    /// Runs a query and says whether it gives at least one row, then resets it; throws SQLite's error as GRDB
    /// reports errors. For the common "is it there at all" question, without building rows.
    consuming func hasRow(_ db: Database) throws -> Bool {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        guard code == SQLITE_ROW || code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: String(cString: sqlite3_errmsg(db.sqliteConnection))
            )
        }
        return code == SQLITE_ROW
    }
}
