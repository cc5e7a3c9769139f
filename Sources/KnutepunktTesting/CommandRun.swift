import Foundation
import KnutepunktService

/// Runs the built `knutepunkt` executable once, as a user would from a shell, and collects what it printed.
package struct CommandRun: Sendable {
    package var status: Int32
    package var output: String
    package var errors: String

    /// Runs `knutepunkt arguments…` with `input` on standard input; waits (without blocking the cooperative pool)
    /// until it exits.
    package static func knutepunkt(_ arguments: [String], input: String = "") async throws -> CommandRun {
        try await program(Repository.executable, arguments, input: input)
    }

    /// Runs any program (an absolute path) the same way.
    package static func program(_ path: String, _ arguments: [String], input: String = "") async throws -> CommandRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let exited = ReadySignal<Int32>()
        process.terminationHandler = { exited.fulfil($0.terminationStatus) }
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Drain both pipes on their own threads so a chatty child never blocks on a full pipe.
        let output = ReadySignal<Data>()
        let errors = ReadySignal<Data>()
        Thread.detachNewThread { output.fulfil(stdout.fileHandleForReading.readDataToEndOfFile()) }
        Thread.detachNewThread { errors.fulfil(stderr.fileHandleForReading.readDataToEndOfFile()) }
        let status = try await exited.value()
        return CommandRun(
            status: status,
            output: String(decoding: try await output.value(), as: UTF8.self),
            errors: String(decoding: try await errors.value(), as: UTF8.self)
        )
    }
}
