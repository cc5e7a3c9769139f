import Foundation
import KnutepunktConfig
import KnutepunktCore
import KnutepunktZMQ
import Logging
import ServiceLifecycle
import UnixSignals

/// The regional node daemon as a `Service`: one dedicated thread owns its sockets and its outbox; this type starts
/// that thread, tells it to stop on graceful shutdown, and waits for it without blocking the cooperative pool.
package final class NodeService: Service {
    /// The endpoints actually bound (useful when the configuration asked for port `*`).
    package struct Endpoints: Sendable, Hashable {
        package var control: String
    }

    package let configuration: NodeConfiguration
    private let taxonomy: Taxonomy
    private let insecure: Bool
    private let logger: Logger
    private let ready = ReadySignal<Endpoints>()

    package init(configuration: NodeConfiguration, taxonomy: Taxonomy, insecure: Bool = false, logger: Logger) {
        self.configuration = configuration
        self.taxonomy = taxonomy
        self.insecure = insecure
        var logger = logger
        logger[metadataKey: "node.id"] = "\(configuration.id)"
        self.logger = logger
    }

    /// Waits until the daemon's sockets are bound (or it failed to start).
    package func endpoints() async throws -> Endpoints {
        try await ready.value()
    }

    package func run() async throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<NodeReactor.Command>(context: context)
        defer { mailbox.close() }
        let failure = FailureBox()
        let reactor = NodeReactor.Setup(
            configuration: configuration,
            taxonomy: taxonomy,
            insecure: insecure,
            logger: logger,
            context: context,
            mailbox: mailbox,
            ready: ready,
            failure: failure
        )
        // Trapped before the daemon's thread starts: an untrapped SIGHUP would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let thread = ZMQThread.start(name: "knutepunkt-node") {
            NodeReactor.run(reactor)
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                // `systemctl reload` sends SIGHUP; the node has nothing it can take while running, so it says so
                // instead of ending.
                tasks.addTask { [logger] in
                    for await _ in hangups {
                        logger.notice("SIGHUP: a node reloads nothing while running; restart it to apply changes")
                    }
                }
                await thread.join()
                tasks.cancelAll()
            }
        } onGracefulShutdown: {
            mailbox.post(.stop)
        }
        if let error = failure.error { throw error }
    }
}
