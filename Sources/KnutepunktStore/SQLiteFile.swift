import Foundation
import GRDB

/// Opens SQLite files the way every Knutepunkt store wants them: WAL, fsync at every commit, foreign keys.
enum SQLiteFile {
    /// Opens (creating folders as needed) a database file for a single writer.
    ///
    /// `synchronous = FULL` in WAL mode makes SQLite fsync the WAL on every commit, so a commit that returned is on
    /// disk: we acknowledge nothing before that.
    static func open(path: String, label: String) throws(StoreError) -> DatabaseQueue {
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
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw StoreError(error, path: path)
        }
    }
}
