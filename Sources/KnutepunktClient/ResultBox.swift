import Synchronization

/// Hands a result from a dedicated thread back to the task that waited for it.
final class ResultBox<T: Sendable>: Sendable {
    private let stored = Mutex<Result<T, any Error>?>(nil)
    func set(_ result: Result<T, any Error>) { stored.withLock { $0 = result } }
    func get() throws -> T {
        guard let result = stored.withLock({ $0 }) else {
            preconditionFailure("the client thread ended without a result")
        }
        return try result.get()
    }
}
