import Foundation

/// docs/protocol.md, read from the source tree, so tests can hold the document to what the code does.
enum ProtocolDocument {
    static func text(filePath: String = #filePath) throws -> String {
        // This file is Tests/KnutepunktCoreTests/Wire/ProtocolDocument.swift; the repository root is four levels up.
        let root = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/protocol.md"), encoding: .utf8)
    }
}
