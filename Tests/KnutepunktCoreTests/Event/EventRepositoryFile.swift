import Foundation

/// Files of the repository, found from this source file's path
/// (Tests/KnutepunktCoreTests/Event/ → the repository root is four levels up).
enum RepositoryFile {
    static func url(_ path: String, filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(path)))
    }
}
