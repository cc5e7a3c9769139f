import GRDB

/// A storage failure, with a code ops can act on and a message that says what to do.
package struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in terms an operator can act on. Extensible: new codes may appear.
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// The disk (or the filesystem quota) is full.
        package static let diskFull = Code(rawValue: "DISK_FULL")
        /// The database file could not be opened or created.
        package static let cannotOpen = Code(rawValue: "CANNOT_OPEN")
        /// A read or write failed at the operating-system level.
        package static let ioFailure = Code(rawValue: "IO_FAILURE")
        /// The file is not a database, or it is damaged.
        package static let corrupt = Code(rawValue: "CORRUPT")
        /// Another process holds the database.
        package static let busy = Code(rawValue: "BUSY")
        /// The file was written by a newer version of Knutepunkt.
        package static let unsupportedSchema = Code(rawValue: "UNSUPPORTED_SCHEMA")
        /// The database server cannot be reached, or refused the connection (PostgreSQL).
        package static let unreachable = Code(rawValue: "UNREACHABLE")
        /// Anything else the database reported.
        package static let database = Code(rawValue: "DATABASE")

        package var description: String { rawValue }
    }

    package var code: Code
    /// The file (SQLite) or the database URL without its password (PostgreSQL) the error is about.
    package var path: String
    /// What failed, in words.
    package var message: String

    package init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    package var description: String {
        "\(code) (\(path)): \(message). \(advice)"
    }

    /// What an operator should do about it.
    package var advice: String {
        switch code {
        case .diskFull: "Free disk space on the volume that holds this file; nothing accepted so far is lost"
        case .cannotOpen: "Check that the folder exists and that the service user may write to it"
        case .ioFailure: "Check the disk and the kernel log (dmesg) for I/O errors"
        case .corrupt: "Restore the file from a backup, or move it aside to start empty"
        case .busy: "Another process is using this database; stop it or point this daemon at another file"
        case .unsupportedSchema: "Run the newest knutepunkt release, which understands this file"
        case .unreachable:
            "Check that the PostgreSQL server runs, listens on that host and port, and admits this user and database"
        default: "See the message above"
        }
    }

    /// Maps an error thrown by GRDB/SQLite, once, at the storage boundary.
    package init(_ error: any Error, path: String) {
        if let store = error as? StoreError {
            self = store
            return
        }
        guard let db = error as? DatabaseError else {
            self.init(code: .database, path: path, message: "\(error)")
            return
        }
        let code: Code
        switch db.resultCode {
        case .SQLITE_FULL: code = .diskFull
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY: code = .cannotOpen
        case .SQLITE_IOERR: code = .ioFailure
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: code = .corrupt
        case .SQLITE_BUSY, .SQLITE_LOCKED: code = .busy
        default: code = .database
        }
        self.init(code: code, path: path, message: db.message ?? "\(db.resultCode)")
    }
}
