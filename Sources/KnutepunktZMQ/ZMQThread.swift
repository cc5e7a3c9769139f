import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

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
            // Named from inside, through pthreads: swift-corelibs-foundation does not pass a name set before start()
            // on to the OS, and its setter leaves the kernel's name to chance.
            Self.nameCurrentThread(name)
            body()
            handle.finish()
        }
        thread.start()
        return handle
    }

    /// Gives the calling thread `name` as the kernel knows it (its first 15 UTF-8 bytes, whole characters only).
    private static func nameCurrentThread(_ name: String) {
        var bytes = 0
        var short = ""
        for character in name {
            bytes += character.utf8.count
            if bytes > 15 { break }
            short.append(character)
        }
        #if os(Linux)
        // What pthread_setname_np does (glibc's header hides it from Swift): the kernel takes the name from here.
        if let file = fopen("/proc/thread-self/comm", "w") {
            fputs(short, file)
            fclose(file)
        }
        #else
        Thread.current.name = name
        #endif
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
