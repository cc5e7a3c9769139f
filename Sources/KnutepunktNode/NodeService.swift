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
    private let reloadConfiguration: (@Sendable () throws -> NodeConfiguration)?
    /// Metrics and health, for the daemon's HTTP server.
    package let metrics: NodeMetrics

    /// - Parameter reloadConfiguration: reads the configuration again on SIGHUP; the node then says which changes
    ///   need a restart (it takes none of its own keys while running; the executable applies the log level).
    package init(
        configuration: NodeConfiguration,
        taxonomy: Taxonomy,
        insecure: Bool = false,
        reloadConfiguration: (@Sendable () throws -> NodeConfiguration)? = nil,
        metrics: NodeMetrics = .disabled,
        logger: Logger
    ) {
        self.configuration = configuration
        self.taxonomy = taxonomy
        self.insecure = insecure
        self.reloadConfiguration = reloadConfiguration
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "node.id"] = "\(configuration.id)"
        logger[metadataKey: "region"] = "\(configuration.region)"
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
            failure: failure,
            metrics: metrics
        )
        // Trapped before the daemon's thread starts: an untrapped SIGHUP would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let thread = ZMQThread.start(name: "knutepunkt-node") {
            NodeReactor.run(reactor)
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                // `systemctl reload` sends SIGHUP: the file is read again and the log says what needs a restart (the
                // log level, which the executable owns, changes at once).
                tasks.addTask { [logger, configuration, reloadConfiguration] in
                    for await _ in hangups {
                        guard let reloadConfiguration else {
                            logger.notice("SIGHUP: nothing to reload; restart the node to apply changes")
                            continue
                        }
                        do {
                            let fresh = try reloadConfiguration()
                            let restart = configuration.changesNeedingRestart(to: fresh)
                            logger.info(
                                "configuration reloaded",
                                metadata: [
                                    "needs.restart": "\(restart.isEmpty ? "nothing" : restart.joined(separator: ", "))"
                                ]
                            )
                        } catch {
                            logger.error(
                                "reload refused; the running configuration stays",
                                metadata: ["error": "\(error)"]
                            )
                        }
                    }
                }
                // Ready for /readyz once the outbox is open and the control socket is bound.
                tasks.addTask { [ready, metrics] in
                    if (try? await ready.value()) != nil { metrics.health.setReady(true) }
                }
                await thread.join()
                metrics.health.stopped()
                tasks.cancelAll()
            }
        } onGracefulShutdown: { [metrics] in
            metrics.health.setReady(false)
            mailbox.post(.stop)
        }
        if let error = failure.error { throw error }
    }
}
