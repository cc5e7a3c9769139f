import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktService
import KnutepunktZMQ
import Logging
import ServiceLifecycle
import Tracing

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
    /// Where the node's spans go (docs/tracing.md); the no-op tracer unless one is bootstrapped.
    private let tracer: any Tracer

    /// - Parameter reloadConfiguration: reads the configuration again on SIGHUP; the node then says which changes
    ///   need a restart (it takes none of its own keys while running; the executable applies the log level).
    package init(
        configuration: NodeConfiguration,
        taxonomy: Taxonomy,
        insecure: Bool = false,
        reloadConfiguration: (@Sendable () throws -> NodeConfiguration)? = nil,
        metrics: NodeMetrics = .disabled,
        tracer: any Tracer = InstrumentationSystem.tracer,
        logger: Logger
    ) {
        self.tracer = tracer
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
        let (configuration, taxonomy, insecure, logger, ready, metrics, tracer) =
            (configuration, taxonomy, insecure, logger, ready, metrics, tracer)
        let reloadConfiguration = reloadConfiguration
        // The node takes nothing of its own while running: SIGHUP reads the file again and the log says what needs
        // a restart (the log level, which the executable owns, changes at once).
        var hangup: (@Sendable () throws -> [NodeReactor.Command])?
        if let reloadConfiguration {
            hangup = {
                let restart = configuration.changesNeedingRestart(to: try reloadConfiguration())
                // The taxonomy file too (the running configuration's path): the node takes it while its hub has
                // announced no version of its own.
                let path = configuration.taxonomyPath
                let document = try String(contentsOfFile: path, encoding: .utf8)
                let taxonomy = try TaxonomyFile.load(path: path)
                logger.info(
                    "configuration reloaded",
                    metadata: ["needs.restart": "\(restart.isEmpty ? "nothing" : restart.joined(separator: ", "))"]
                )
                return [.taxonomyFile(taxonomy, document: document)]
            }
        }
        try await ReactorService.run(
            name: "knutepunkt-node",
            ready: ready,
            health: metrics.health,
            stop: NodeReactor.Command.stop,
            hangup: hangup,
            logger: logger
        ) { context in
            NodeReactor.run(
                NodeReactor.Setup(
                    configuration: configuration,
                    taxonomy: taxonomy,
                    insecure: insecure,
                    logger: logger,
                    context: context.zmq,
                    mailbox: context.mailbox,
                    ready: ready,
                    failure: context.failure,
                    metrics: metrics,
                    tracer: tracer
                )
            )
        }
    }
}
