import Synchronization

/// Carries the error that ended a socket thread back to the async code that waited for it.
package final class FailureBox: Sendable {
    package init() {}
    private let stored = Mutex<(any Error)?>(nil)
    package func record(_ error: any Error) { stored.withLock { $0 = error } }
    package var error: (any Error)? { stored.withLock { $0 } }
}
