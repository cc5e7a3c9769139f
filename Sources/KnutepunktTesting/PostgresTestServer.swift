import Foundation
import KnutepunktService
import KnutepunktStore
import Synchronization

/// A real PostgreSQL server for the tests, from Debian's `postgresql` package: one per test process, created with
/// `initdb` in a fresh temporary folder, started with `pg_ctl` on a loopback ephemeral port, and stopped (its folder
/// removed) when the test process ends. Each test takes its own database (``makeDatabase()``), so tests stay
/// independent.
///
/// The server runs under a small shell that holds the read end of a pipe whose write end only this process holds:
/// when the process exits, however it exits, the pipe closes and the shell stops the server. initdb refuses to run
/// as root, so as root the shell runs as the `postgres` system user the package creates.
package final class PostgresTestServer: Sendable {
    /// Where Debian's PostgreSQL 15 server binaries are.
    package static let binaries = "/usr/lib/postgresql/15/bin"
    /// The superuser `initdb` creates (trust authentication on loopback: tests need no password).
    package static let user = "knutepunkt"

    package let port: Int
    /// Keeps the shell and the write end of its pipe alive for the life of the process (never released).
    private let held: Mutex<(process: Process, keepAlive: Pipe)>

    private init(port: Int, process: Process, keepAlive: Pipe) {
        self.port = port
        self.held = Mutex((process, keepAlive))
    }

    private static let started = Mutex<ReadySignal<PostgresTestServer>?>(nil)

    /// The test process's server, started by the first caller.
    package static func shared() async throws -> PostgresTestServer {
        let (signal, first) = started.withLock { current in
            if let current { return (current, false) }
            let signal = ReadySignal<PostgresTestServer>()
            current = signal
            return (signal, true)
        }
        if first {
            // Starting blocks on child processes and pipe reads: on its own thread, never the cooperative pool.
            Thread.detachNewThread {
                do {
                    signal.fulfil(try start())
                } catch {
                    signal.fail(error)
                }
            }
        }
        return try await signal.value()
    }

    /// A new, empty database on the shared server, named uniquely.
    package static func makeDatabase() async throws -> PostgresLocation {
        let server = try await shared()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try await server.run(
            binaries + "/createdb",
            ["-h", "127.0.0.1", "-p", "\(server.port)", "-U", user, String(name)]
        )
        return PostgresLocation(host: "127.0.0.1", port: server.port, user: user, database: String(name))
    }

    /// Runs SQL in `location`'s database with `psql`, as another client would (e.g. to break a store's connection).
    package static func execute(_ sql: String, in location: PostgresLocation) async throws {
        let server = try await shared()
        try await server.run(
            "/usr/bin/psql",
            ["-h", location.host, "-p", "\(location.port)", "-U", location.user, "-d", location.database, "-c", sql]
        )
    }

    /// A failure to start or use the test server, with what the server said.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Runs a PostgreSQL client program to completion (off the cooperative pool).
    private func run(_ executable: String, _ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let exited = ReadySignal<Int32>()
        process.terminationHandler = { exited.fulfil($0.terminationStatus) }
        try process.run()
        let message = ReadySignal<Data>()
        Thread.detachNewThread { message.fulfil(errors.fileHandleForReading.readDataToEndOfFile()) }
        let status = try await exited.value()
        let text = String(decoding: try await message.value(), as: UTF8.self)
        guard status == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
        }
    }

    /// The shell that creates, starts, holds and finally stops the server. Arguments: candidate ports.
    private static let script = """
        set -u
        BIN=\(binaries)
        DIR=$(mktemp -d /tmp/knutepunkt-pg-XXXXXX)
        # However the shell ends (the pipe closed, or a signal), the server stops and its folder goes.
        trap '"$BIN/pg_ctl" -D "$DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1; rm -rf "$DIR"' EXIT
        trap 'exit 1' HUP INT TERM
        if ! "$BIN/initdb" -D "$DIR/data" -U \(user) --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1; then
            cat "$DIR/initdb.log" >&2; exit 1
        fi
        for PORT in "$@"; do
            if "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \\
                -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=200" start >/dev/null 2>&1; then
                echo "ready $PORT"
                # Holds until the test process's end of the pipe closes (it exited, or was killed).
                read -r _ || true
                exit 0
            fi
        done
        cat "$DIR/server.log" >&2
        exit 1
        """

    private static func start() throws -> PostgresTestServer {
        try installIfMissing()
        let ports = try (0..<3).map { _ in try LoopbackPort.free() }
        let process = Process()
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", "/bin/bash", "-c", script, "bash"] + ports.map(String.init)
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script, "bash"] + ports.map(String.init)
        }
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // The first line says which port the server took; EOF instead means it could not start.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("ready "), let port = Int(text.dropFirst("ready ".count)) else {
            process.waitUntilExit()
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "the PostgreSQL test server did not start: \(said)")
        }
        return PostgresTestServer(port: port, process: process, keepAlive: input)
    }

    /// Installs Debian's `postgresql` package when its server binaries are missing (root only; `make test` does the
    /// same before the tests run).
    private static func installIfMissing() throws {
        if FileManager.default.isExecutableFile(atPath: binaries + "/initdb") { return }
        guard getuid() == 0 else {
            throw Failure(description: "PostgreSQL 15 is not installed: run `sudo apt-get install -y postgresql`")
        }
        for arguments in [["update", "-qq"], ["install", "-y", "-qq", "postgresql"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/apt-get")
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["DEBIAN_FRONTEND": "noninteractive"]) {
                $1
            }
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw Failure(description: "apt-get \(arguments.joined(separator: " ")) failed")
            }
        }
    }
}
