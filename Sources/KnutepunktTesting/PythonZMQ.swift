import Foundation

/// The Python interpreter that can `import zmq` (Debian's python3-zmq), for tests that check our wire formats against
/// an independent implementation. pyenv's or a venv's python3 may come first on PATH without the Debian package, so
/// the system interpreter is tried as well. nil when there is none: such tests skip and say why.
package enum PythonZMQ {
    package static let interpreter: String? = {
        var candidates = ["/usr/bin/python3", "/usr/local/bin/python3"]
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/python3")
        }
        var tried = Set<String>()
        for candidate in candidates where tried.insert(candidate).inserted {
            guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: candidate)
            probe.arguments = ["-c", "import zmq"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        return nil
    }()

    /// `Tests/Python`, where the Python peers live.
    package static var scripts: String { Repository.root + "/Tests/Python" }
}
