import Foundation

/// A fresh folder under the system's temporary directory, removed by `remove()`.
package struct TemporaryDirectory: Sendable {
    package let path: String

    package init(prefix: String = "knutepunkt") throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "\(prefix)-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    /// The path of `name` inside this folder.
    package func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
