import Foundation
import KnutepunktService

/// Headless Chromium and the Python that drives it over the DevTools protocol (`Tests/Browser/`), installed from
/// Debian's packages when missing, so the browser test runs on a fresh CI machine too.
package enum HeadlessBrowser {
    /// The Debian packages the browser test needs.
    package static let packages = ["chromium", "python3-websocket"]
    /// Debian's Python: the one python3-websocket installs into (pyenv's python3 may come first on PATH).
    package static let python = "/usr/bin/python3"
    package static let chromium = "/usr/bin/chromium"

    /// The folder of the DevTools scripts.
    package static var scripts: String { "\(Repository.root)/Tests/Browser" }

    /// Installs Chromium and python3-websocket with apt-get when either is missing (as root, or with `sudo -n`).
    package static func ensureInstalled() async throws {
        if try await isInstalled() { return }
        var run = try await aptGet(["-y", "-q", "install"] + packages)
        if run.status != 0 {
            // A fresh machine may not have the package lists yet.
            _ = try await aptGet(["-q", "update"])
            run = try await aptGet(["-y", "-q", "install"] + packages)
        }
        guard run.status == 0, try await isInstalled() else {
            throw BrowserUnavailable(
                message: "cannot install \(packages.joined(separator: " ")) (apt-get said: \(run.errors.suffix(400))); "
                    + "install them with `sudo apt-get install -y \(packages.joined(separator: " "))`"
            )
        }
    }

    /// apt-get as root, or through `sudo -n` (never asks for a password).
    private static func aptGet(_ arguments: [String]) async throws -> CommandRun {
        let command = ["/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "/usr/bin/apt-get"] + arguments
        if getuid() == 0 { return try await CommandRun.program(command[0], Array(command.dropFirst())) }
        return try await CommandRun.program("/usr/bin/sudo", ["-n"] + command)
    }

    private static func isInstalled() async throws -> Bool {
        guard FileManager.default.isExecutableFile(atPath: chromium),
            FileManager.default.isExecutableFile(atPath: python)
        else { return false }
        return try await CommandRun.program(python, ["-c", "import websocket"]).status == 0
    }

    package struct BrowserUnavailable: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }
}

/// The browser script as a child process: its exit, what it said on stderr, the first line it prints on stdout (its
/// "I have got this far"), and its stdin, for telling it what the test did meanwhile.
package final class BrowserRun: Sendable {
    private let process: Process
    private let exited = ReadySignal<Int32>()
    private let stderr = ReadySignal<Data>()
    private let firstLine = ReadySignal<String?>()
    private let input: FileHandle

    package struct Failed: Error, CustomStringConvertible {
        package var errors: String
        package init(errors: String) { self.errors = errors }
        package var description: String { "the browser script failed: \(errors)" }
    }

    /// Starts `python3 arguments…`.
    package init(arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: HeadlessBrowser.python)
        process.arguments = arguments
        let errors = Pipe()
        let output = Pipe()
        let input = Pipe()
        process.standardError = errors
        process.standardOutput = output
        process.standardInput = input
        let exited = exited
        process.terminationHandler = { exited.fulfil($0.terminationStatus) }
        try process.run()
        self.process = process
        self.input = input.fileHandleForWriting
        let stderr = stderr
        Thread.detachNewThread { stderr.fulfil(errors.fileHandleForReading.readDataToEndOfFile()) }
        let firstLine = firstLine
        Thread.detachNewThread {
            // The bytes up to the first line end, or nil if the script closed stdout (it ended) before one.
            var line: [UInt8] = []
            while let byte = try? output.fileHandleForReading.read(upToCount: 1), let first = byte.first {
                if first == 0x0A {
                    firstLine.fulfil(String(decoding: line, as: UTF8.self))
                    _ = output.fileHandleForReading.readDataToEndOfFile()
                    return
                }
                line.append(first)
            }
            firstLine.fulfil(nil)
        }
    }

    /// The first line the script prints (without its line end); throws with what it said on stderr if it ended
    /// without one.
    package func line() async throws -> String {
        if let line = try await firstLine.value() { return line }
        try await waitForExit()
        throw Failed(errors: "the script ended without printing a line")
    }

    /// Writes `line` to the script's stdin.
    package func tell(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    package var hasExited: Bool { !process.isRunning }
    package var status: Int32 { process.terminationStatus }
    package var errors: String {
        guard hasExited else { return "(still running)" }
        return process.terminationStatus == 0 ? "" : "exit \(process.terminationStatus)"
    }

    package func waitForExit() async throws {
        _ = try await exited.value()
        let text = String(decoding: try await stderr.value(), as: UTF8.self)
        if process.terminationStatus != 0 { throw Failed(errors: text) }
    }

    /// Stops the script (and with it Chromium) if it still runs.
    package func stop() {
        if process.isRunning { process.terminate() }
    }
}
