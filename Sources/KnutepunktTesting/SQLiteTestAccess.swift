import GRDB

/// Reaches into a store file the way an older version or an operator would, for tests (e.g. to make a store that
/// predates a table's contents).
package enum SQLiteTestAccess {
    package static func execute(_ sql: String, in path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }
}
