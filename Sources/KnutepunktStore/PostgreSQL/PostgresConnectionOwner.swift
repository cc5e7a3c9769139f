import Foundation
import Logging
import PostgresNIO
import Synchronization

/// One PostgreSQL connection driven by its own NIO event loop, used synchronously.
///
/// Threading: the hub's reactor runs on a dedicated thread and calls the store synchronously, so every call here
/// blocks the *calling* thread on an `EventLoopFuture` while the connection's own event-loop thread does the I/O.
/// Never call it from an event-loop thread (NIO traps that) and prefer not to from the cooperative pool. Calls are
/// serialised by a mutex: one connection carries one transaction at a time. A connection found closed (server
/// restart, network) is replaced at the next call; the call that saw it fail throws, so the hub does not ACK.
final class PostgresConnectionOwner: Sendable {
    let location: PostgresLocation
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let password: String?
    private let connection: Mutex<PostgresConnection?>

    init(location: PostgresLocation, password: String?, logger: Logger) {
        self.location = location
        self.password = password
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.connection = Mutex(nil)
    }

    private func connect() throws -> PostgresConnection {
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host,
            port: location.port,
            username: location.user,
            password: password,
            database: location.database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(10)
        // Durability is the store's contract: never let a server default weaken the commit the hub ACKs after.
        configuration.options.additionalStartupParameters = [
            ("synchronous_commit", "on"), ("application_name", "knutepunkt-hub"),
        ]
        let eventLoop = group.next()
        let logger = self.logger
        // postgres-nio connects only through async code. Run it on the connection's own event loop (as a task
        // executor), not the cooperative pool: the caller blocks below, and may itself be a pool thread.
        let promise = eventLoop.makePromise(of: PostgresConnection.self)
        let connecting = Task(executorPreference: EventLoopTaskExecutor(eventLoop)) {
            do {
                promise.succeed(
                    try await PostgresConnection.connect(
                        on: eventLoop,
                        configuration: configuration,
                        id: 1,
                        logger: logger
                    )
                )
            } catch {
                promise.fail(error)
            }
        }
        defer { connecting.cancel() }
        return try promise.futureResult.wait()
    }

    /// Runs `body` with the open connection (opening it first if needed), holding it for the whole call.
    func with<Result>(_ body: (Session) throws -> Result) throws(StoreError) -> Result {
        do {
            return try connection.withLock { current -> Result in
                if current == nil || current?.isClosed == true {
                    current = try connect()
                }
                guard let open = current else { preconditionFailure("connection opened above") }
                return try body(Session(connection: open, logger: logger))
            }
        } catch {
            throw StoreError(postgres: error, location: location)
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. A `snapshot`
    /// transaction only reads, and every statement in it sees the same snapshot (REPEATABLE READ).
    func transaction<Result>(snapshot: Bool = false, _ body: (Session) throws -> Result) throws(StoreError) -> Result {
        try with { session in
            try session.run(snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
            do {
                let result = try body(session)
                try session.run("COMMIT")
                return result
            } catch {
                // Best effort: a broken connection has no transaction left to roll back.
                _ = try? session.run("ROLLBACK")
                throw error
            }
        }
    }

    func close() throws(StoreError) {
        do {
            let open = connection.withLock { current in
                defer { current = nil }
                return current
            }
            if let open, !open.isClosed { try open.close().wait() }
            try group.syncShutdownGracefully()
        } catch {
            throw StoreError(postgres: error, location: location)
        }
    }

    /// The open connection, for the length of one call.
    struct Session {
        let connection: PostgresConnection
        let logger: Logger

        /// Runs one statement and collects every row.
        @discardableResult
        func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
            try connection.query(query, logger: logger).wait()
        }

        /// Runs one statement without parameters (DDL, transaction control).
        func run(_ sql: String) throws {
            _ = try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait()
        }
    }
}

extension StoreError {
    /// Maps an error from postgres-nio, once, at the storage boundary.
    init(postgres error: any Error, location: PostgresLocation) {
        if let store = error as? StoreError {
            self = store
            return
        }
        let path = "\(location)"
        guard let psql = error as? PSQLError else {
            if error is NIOConnectionError || error is IOError || error is ChannelError {
                self.init(code: .unreachable, path: path, message: "\(error)")
            } else {
                self.init(code: .database, path: path, message: "\(error)")
            }
            return
        }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let message = psql.serverInfo?[.message] ?? "\(psql.code)" + (psql.underlying.map { ": \($0)" } ?? "")
        let code: Code
        switch (psql.code, state) {
        case (.connectionError, _), (.serverClosedConnection, _), (.clientClosedConnection, _), (.sslUnsupported, _),
            (.uncleanShutdown, _), (.unsupportedAuthMechanism, _), (.authMechanismRequiresPassword, _),
            (.saslError, _):
            code = .unreachable
        case (_, "53100"): code = .diskFull
        case (_, "58030"): code = .ioFailure
        case (_, "XX001"), (_, "XX002"): code = .corrupt
        case (_, "40001"), (_, "40P01"), (_, "55P03"), (_, "53300"): code = .busy
        case (_, let state) where state.hasPrefix("08") || state.hasPrefix("28") || state == "3D000":
            code = .unreachable
        default: code = .database
        }
        self.init(code: code, path: path, message: state.isEmpty ? message : "\(message) (SQLSTATE \(state))")
    }
}

/// Runs tasks' jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
