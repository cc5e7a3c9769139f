import Foundation
import GRDB

/// Opens SQLite files the way every Knutepunkt store wants them: WAL, fsync at every commit, foreign keys.
package enum SQLiteFile {
    /// Opens (creating folders as needed) a database file for a single writer.
    ///
    /// `synchronous = FULL` in WAL mode makes SQLite fsync the WAL on every commit, so a commit that returned is on
    /// disk: we acknowledge nothing before that.
    ///
    /// `cacheMebibytes` sets SQLite's page cache for the connection (SQLite's default is 2 MiB): a store whose
    /// indexes outgrow the cache reads their pages back from the OS on every commit.
    /// `autocheckpointPages` moves SQLite's automatic checkpoint (default: at 1,000 pages of WAL), for a store whose
    /// WAL is checkpointed by a ``SQLiteCheckpointer``.
    package static func open(
        path: String,
        label: String,
        cacheMebibytes: Int? = nil,
        autocheckpointPages: Int? = nil
    ) throws(StoreError) -> DatabaseQueue {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError(code: .cannotOpen, path: path, message: "cannot create folder \(folder): \(error)")
            }
        }
        var configuration = Configuration()
        configuration.label = label
        configuration.busyMode = .timeout(5)
        // WAL is set here rather than with `configuration.journalMode = .wal`: GRDB's WAL set-up runs after
        // `prepareDatabase` and lowers `synchronous` to NORMAL, which fsyncs only at checkpoints — a commit could
        // then be acknowledged and still lost in a power cut.
        configuration.prepareDatabase { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            guard mode == "wal" else { throw DatabaseError(message: "could not switch \(path) to WAL mode") }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if let cacheMebibytes { try db.execute(sql: "PRAGMA cache_size = -\(cacheMebibytes * 1024)") }
            if let autocheckpointPages { try db.execute(sql: "PRAGMA wal_autocheckpoint = \(autocheckpointPages)") }
        }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// The bytes a database takes on disk: its file, its write-ahead log and its shared-memory index (0 for files
    /// that are not there).
    package static func sizeOnDisk(_ path: String) -> Int64 {
        [path, path + "-wal", path + "-shm"].reduce(Int64(0)) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
    }
}
