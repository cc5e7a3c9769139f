import Foundation
import Logging

extension HubStoreLocation {
    /// Opens the store on a thread of its own, runs `body` there with it, and closes it: how async code reads or
    /// writes a hub's store without blocking the cooperative thread pool (SQLite calls and the PostgreSQL store's
    /// bridged calls block their thread until the database answers).
    package func withStore<Value: Sendable>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "knutepunkt.store"),
        _ body: @escaping @Sendable (any HubStore) throws -> Value
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let thread = Thread {
                continuation.resume(
                    with: Result {
                        let store = try open(environment: environment, logger: logger)
                        defer { try? store.close() }
                        return try body(store)
                    }
                )
            }
            thread.name = "knutepunkt.store"
            thread.start()
        }
    }
}
