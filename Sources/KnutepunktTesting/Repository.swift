import Foundation

/// Where things are in this repository and its build, for tests.
package enum Repository {
    /// The repository's top folder (found from this source file's path).
    package static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A file of the repository, by its path from the top folder.
    package static func url(_ path: String) -> URL {
        URL(fileURLWithPath: root).appendingPathComponent(path)
    }

    /// The bytes of a file of the repository.
    package static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(path)))
    }

    /// The taxonomy shipped in Configs/.
    package static var taxonomyPath: String { "\(root)/Configs/taxonomy.yaml" }

    /// The built `knutepunkt` executable next to the running test bundle (override with KNUTEPUNKT_BIN).
    package static var executable: String {
        if let path = ProcessInfo.processInfo.environment["KNUTEPUNKT_BIN"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        // The runner may sit inside a bundle folder (…/KnutepunktPackageTests.xctest); the tool is beside the bundle.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("knutepunkt").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return "\(root)/.build/debug/knutepunkt"
    }
}
