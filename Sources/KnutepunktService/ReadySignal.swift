import Synchronization

/// A value that becomes available once (or fails once), awaited by any number of tasks.
///
/// Daemons use it to say "my sockets are bound, here are the endpoints" from their socket thread to async code
/// (tests read back ephemeral ports this way instead of sleeping).
package final class ReadySignal<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private let state = Mutex<State>(.waiting([]))

    package init() {}

    /// Makes the value available; later calls are ignored.
    package func fulfil(_ value: Value) { finish(.success(value)) }

    /// Reports that the value will never come; later calls are ignored.
    package func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Waits for the value.
    package func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
