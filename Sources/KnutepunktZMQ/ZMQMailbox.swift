import Synchronization

/// Carries commands from any thread or task to the thread that owns a set of sockets (CZMQ's `zactor` pipe).
///
/// The owning thread puts ``makeReceiver()`` into its ``ZMQPoller``; when that socket is readable it calls
/// ``takeAll(from:)``. Everybody else calls ``post(_:)``, which never blocks.
///
/// Commands travel in a Mutex-protected queue, not through the socket: the socket only carries 1-byte wake-ups, at
/// most one outstanding at a time. That keeps the inproc pipe far below its high-water mark, so a wake-up can never
/// be refused for lack of room, and wake-ups cannot be lost (see ``takeAll(from:)`` for why).
package final class ZMQMailbox<Command: Sendable>: Sendable {
    /// The inproc endpoint the receiver binds and the sender connects to.
    package let endpoint: String
    private let context: ZMQContext
    private let state: Mutex<State>

    private struct State {
        /// Only ever touched under the lock, which is what lets a non-thread-safe socket serve every thread.
        var sender: ZMQSocket?
        var queue: [Command] = []
        /// A wake-up was sent and `takeAll` has not yet taken the queue since.
        var wakePending = false
    }

    /// Makes a mailbox with a fresh inproc endpoint and connects its sending side.
    ///
    /// inproc allows connect before bind, so posts made before the owner calls ``makeReceiver()`` still wake it.
    package init(context: ZMQContext) throws(ZMQError) {
        self.context = context
        let endpoint = "inproc://knutepunkt.mailbox.\(String(UInt64.random(in: .min ... .max), radix: 16))"
        self.endpoint = endpoint
        let sender = try context.makeSocket(.push)
        do {
            try sender.connect(endpoint)
        } catch {
            sender.close()
            throw error
        }
        state = Mutex(State(sender: sender))
    }

    /// Makes the owning thread's end: a PULL socket bound to ``endpoint``. Call it once, on that thread, and close
    /// the socket there when done.
    package func makeReceiver() throws(ZMQError) -> ZMQSocket {
        let receiver = try context.makeSocket(.pull)
        do {
            try receiver.bind(endpoint)
        } catch {
            receiver.close()
            throw error
        }
        return receiver
    }

    /// Queues a command for the owning thread and wakes it. Never blocks; callable from any thread or task.
    ///
    /// After ``close()`` commands are still queued but nobody is woken for them.
    package func post(_ command: Command) {
        state.withLock { state in
            // Queue first, then wake: whoever sees the wake-up is sure to find the command.
            state.queue.append(command)
            guard !state.wakePending, let sender = state.sender else { return }
            // A failed send (only possible while the context terminates) leaves wakePending false, so the next post
            // tries again.
            if (try? sender.send([[1]], dontWait: true)) == true {
                state.wakePending = true
            }
        }
    }

    /// Drains the wake-ups waiting on `receiver` without blocking and returns every queued command, oldest first.
    ///
    /// No wake-up is lost: wake-ups are drained before the queue is taken, under the lock that also clears
    /// `wakePending`. A post that lands before the take is returned now; one after it sees `wakePending == false`
    /// and sends a new wake-up. At worst a stale wake-up makes a later call return nothing.
    package func takeAll(from receiver: ZMQSocket) -> [Command] {
        while (try? receiver.receive(dontWait: true)) != nil {}
        return state.withLock { state in
            state.wakePending = false
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
    }

    /// Closes the sending socket. Idempotent; call it before ``ZMQContext/terminate()``, which waits for it.
    package func close() {
        state.withLock { state in
            state.sender?.close()
            state.sender = nil
        }
    }
}
