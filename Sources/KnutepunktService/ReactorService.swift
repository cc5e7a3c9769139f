import KnutepunktZMQ
import Logging
import ServiceLifecycle
import UnixSignals

/// The skeleton every daemon shares (CZMQ's `zactor` in Swift): one dedicated thread owns the daemon's sockets and
/// its store and runs its reactor loop; async code talks to it through a mailbox with an `inproc://` wake-up.
///
/// ``run(name:ready:health:stop:hangup:logger:reactor:)`` creates the ZeroMQ context and the mailbox, traps SIGHUP
/// before the thread starts (an untrapped SIGHUP would end the process), starts the thread, marks the daemon ready
/// for `/readyz` once `ready` is fulfilled, turns each SIGHUP into commands posted to the thread, posts `stop` on
/// graceful shutdown and waits for the thread without blocking the cooperative pool. A start-up or loop failure the
/// thread recorded is thrown when it has ended.
package enum ReactorService {
    /// What the reactor's thread gets: the context to make its sockets in, the mailbox to take commands from, and
    /// where to record a failure that ends it.
    package struct Context<Command: Sendable>: Sendable {
        package var zmq: ZMQContext
        package var mailbox: ZMQMailbox<Command>
        package var failure: FailureBox
    }

    package static func run<Command: Sendable, Endpoints: Sendable>(
        name: String,
        ready: ReadySignal<Endpoints>,
        health: DaemonHealth,
        stop: Command,
        hangup: (@Sendable () throws -> [Command])?,
        logger: Logger,
        reactor: @escaping @Sendable (Context<Command>) -> Void
    ) async throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<Command>(context: context)
        defer { mailbox.close() }
        let failure = FailureBox()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let setup = Context(zmq: context, mailbox: mailbox, failure: failure)
        let thread = ZMQThread.start(name: name) { reactor(setup) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                // `systemctl reload` sends SIGHUP: the files are read again; a broken file keeps what runs.
                tasks.addTask {
                    for await _ in hangups {
                        guard let hangup else {
                            logger.notice("SIGHUP: nothing to reload; restart the daemon to apply changes")
                            continue
                        }
                        do {
                            for command in try hangup() { mailbox.post(command) }
                        } catch {
                            logger.error(
                                "reload refused; the running configuration stays",
                                metadata: ["error": "\(error)"]
                            )
                        }
                    }
                }
                // Ready for /readyz once the store is open and the sockets are bound.
                tasks.addTask {
                    if (try? await ready.value()) != nil { health.setReady(true) }
                }
                await thread.join()
                health.stopped()
                tasks.cancelAll()
            }
        } onGracefulShutdown: {
            health.setReady(false)
            mailbox.post(stop)
        }
        if let error = failure.error { throw error }
    }
}
