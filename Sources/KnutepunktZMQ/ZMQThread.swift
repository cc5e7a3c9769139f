import Foundation
import Synchronization

/// A dedicated OS thread for blocking socket work, so `zmq_poll` never blocks the cooperative thread pool.
package final class ZMQThread: Sendable {
    private struct State {
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    private init() {}

    /// Starts `body` on a new thread named `name` (Linux shows at most 15 characters of it).
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) -> ZMQThread {
        let handle = ZMQThread()
        let thread = Thread {
            // Named from inside: swift-corelibs-foundation does not pass a name set before start() on to the OS.
            Thread.current.name = name
            body()
            handle.finish()
        }
        thread.start()
        return handle
    }

    private func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until the body has returned; returns at once if it already has. Any number of tasks may wait.
    ///
    /// Not cancellable: the body decides when it ends (tell it through a ``ZMQMailbox``).
    package func join() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if done { continuation.resume() }
        }
    }

    /// Whether the body has returned.
    package var isFinished: Bool { state.withLock { $0.finished } }
}
