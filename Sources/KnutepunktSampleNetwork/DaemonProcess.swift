import Foundation
import KnutepunktService

/// A `knutepunkt hub` or `knutepunkt node` child process, started with `--announce` so that it prints one JSON line
/// with its bound endpoints when it is ready (no guessing, no sleeping).
package final class DaemonProcess: Sendable {
    package let name: String
    package let arguments: [String]
    private let process: Process
    private let announcement = ReadySignal<[String: String]>()
    private let exit = ReadySignal<Int32>()

    /// Starts `executable arguments… --announce`, sending its log (stderr) to `logFile` (appending) or to ours.
    package init(name: String, executable: String, arguments: [String], logFile: String? = nil) throws {
        self.name = name
        self.arguments = arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + ["--announce"]
        let stdout = Pipe()
        process.standardOutput = stdout
        if let logFile {
            if !FileManager.default.fileExists(atPath: logFile) {
                _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
            try handle.seekToEnd()
            process.standardError = handle
        }
        process.standardInput = FileHandle.nullDevice
        let exit = self.exit
        process.terminationHandler = { finished in exit.fulfil(finished.terminationStatus) }
        self.process = process
        try process.run()
        let reader = stdout.fileHandleForReading
        let announcement = self.announcement
        let name = self.name
        // Reading a pipe blocks, so it happens on its own thread, never in the cooperative pool.
        Thread.detachNewThread {
            var line: [UInt8] = []
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty {
                    announcement.fail(DaemonProcessError(message: "\(name) exited before it was ready"))
                    return
                }
                line.append(contentsOf: chunk)
                if let newline = line.firstIndex(of: UInt8(ascii: "\n")) {
                    let text = String(decoding: line[..<newline], as: UTF8.self)
                    if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] {
                        announcement.fulfil(object)
                    } else {
                        announcement.fail(
                            DaemonProcessError(message: "\(name) announced something unreadable: \(text)")
                        )
                    }
                    // Keep draining so the child never blocks on a full pipe.
                    while !reader.availableData.isEmpty {}
                    return
                }
            }
        }
    }

    /// The child's process id.
    package var pid: Int32 { process.processIdentifier }

    /// Waits until the daemon has bound its sockets; returns the endpoints it announced.
    package func ready() async throws -> [String: String] {
        try await announcement.value()
    }

    /// Sends a signal (SIGTERM to stop gracefully, SIGKILL to crash it).
    /// Whether the process has not exited yet.
    package var isRunning: Bool { process.isRunning }

    package func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to exit and returns its status.
    package func exited() async -> Int32 {
        (try? await exit.value()) ?? -1
    }

    /// Stops the daemon with SIGTERM and waits for it to exit.
    @discardableResult
    package func stop() async -> Int32 {
        signal(SIGTERM)
        return await exited()
    }

    /// The path of the running `knutepunkt` executable, to start daemons as copies of ourselves.
    package static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// A daemon child process did not come up.
package struct DaemonProcessError: Error, CustomStringConvertible {
    package var message: String
    package init(message: String) { self.message = message }
    package var description: String { message }
}
