import CLibZMQ
import Synchronization

/// A libzmq context: owns the I/O threads and makes sockets.
///
/// One per process is usual. The context must outlive its sockets: close every socket (and every
/// ``ZMQMailbox``) before ``terminate()``, which waits for exactly that.
package final class ZMQContext: Sendable {
    /// The C context. libzmq documents contexts as thread-safe, so sharing the pointer between threads is sound;
    /// `nonisolated(unsafe)` only tells the compiler what libzmq guarantees. It is never freed except by
    /// `terminate()`, and `isTerminated` keeps `zmq_socket` from ever seeing a freed context.
    nonisolated(unsafe) private let handle: UnsafeMutableRawPointer

    /// Set once, under the lock, before `zmq_ctx_term` runs; `makeSocket` checks it under the same lock.
    private let isTerminated = Mutex(false)

    /// Makes a context with libzmq's defaults (one I/O thread).
    package init() throws(ZMQError) {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("create a ZeroMQ context") }
        self.handle = handle
    }

    /// Makes a socket of `type` with LINGER 0, so closing it never waits for unsent messages.
    ///
    /// The socket belongs to the calling thread from now on (see ``ZMQSocket``).
    package func makeSocket(_ type: ZMQSocketType) throws(ZMQError) -> ZMQSocket {
        let operation = "create a \(type) socket"
        let raw: UnsafeMutableRawPointer? = isTerminated.withLock { terminated in
            // Under the lock so a concurrent terminate() cannot free the context between the check and the call.
            terminated ? nil : zmq_socket(handle, type.rawValue)
        }
        guard let raw else {
            if isTerminated.withLock({ $0 }) {
                throw ZMQError(code: .terminated, operation: operation, message: "the context was terminated")
            }
            throw ZMQError.last(operation)
        }
        let socket = ZMQSocket(handle: raw, type: type)
        do {
            try socket.setOption(.linger, .zero)
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Terminates the context: blocking calls on its sockets fail with ``ZMQError/Code/terminated`` and this call
    /// waits until every socket is closed, then frees the context.
    ///
    /// Idempotent and callable from any thread; only the first call does the work (later ones return at once).
    /// Never call it on a thread that still owns an open socket of this context: it would wait for itself.
    package func terminate() {
        let first = isTerminated.withLock { terminated in
            defer { terminated = true }
            return !terminated
        }
        guard first else { return }
        // EINTR means a signal arrived while waiting for sockets to close; the context is not freed yet, so wait again.
        while zmq_ctx_term(handle) != 0 {
            guard zmq_errno() == EINTR else { return }
        }
    }
}
