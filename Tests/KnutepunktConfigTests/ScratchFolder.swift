import Foundation

/// A fresh folder under the system's temporary directory for files a test writes; `remove()` deletes it.
///
/// (KnutepunktTesting has a `TemporaryDirectory`, but this target must not depend on it yet.)
struct ScratchFolder {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "knutepunkt-config-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` inside the folder and returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Where the repository's files are, found from this source file's path (Tests/KnutepunktConfigTests/…).
enum RepositoryFiles {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var configs: String { "\(root)/Configs" }
    static var taxonomy: String { "\(configs)/taxonomy.yaml" }

    /// The daemon files of the local network, Configs/local/*.yaml, sorted.
    static var localDaemonFiles: [String] {
        let folder = "\(configs)/local"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
    }
}
