import Foundation
import GRDB

/// Reaches into a store file the way an older version or an operator would, for tests (e.g. to make a store that
/// predates a table's contents).
package enum SQLiteTestAccess {
    package static func execute(_ sql: String, in path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }

    /// Every stored event's payload, as the store holds it.
    package static func payloads(in path: String) throws -> [[UInt8]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { database in
            try Data.fetchAll(database, sql: "SELECT payload FROM events ORDER BY source, seq").map { Array($0) }
        }
    }

    /// The rows `sql` selects, each column as text (NULL as ""), for checkers that read a store as an outsider.
    package static func rows(_ sql: String, in path: String) throws -> [[String]] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { database in
            try Row.fetchAll(database, sql: sql).map { row in
                (0..<row.count).map { index in
                    let value: DatabaseValue = row[index]
                    switch value.storage {
                    case .null: return ""
                    case .int64(let number): return String(number)
                    case .double(let number): return String(number)
                    case .string(let text): return text
                    case .blob(let data): return String(decoding: data, as: UTF8.self)
                    }
                }
            }
        }
    }
}
