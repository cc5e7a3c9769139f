import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import KnutepunktZMQ
import Logging
import ServiceLifecycle
import Tracing

/// The national hub daemon as a `Service`: one dedicated thread owns its sockets and its store; this type starts
/// that thread, asks it to stop on graceful shutdown and waits for it without blocking the cooperative pool.
package final class HubService: Service {
    /// The endpoints actually bound (useful when the configuration asked for port `*`).
    package struct Endpoints: Sendable, Hashable {
        package var listen: String
        package var publish: String
        package var control: String
    }

    package let configuration: HubConfiguration
    private let taxonomy: Taxonomy
    private let thresholds: GapThresholds
    private let insecure: Bool
    private let reloadConfiguration: (@Sendable () throws -> HubConfiguration)?
    private let reloadThresholds: (@Sendable () throws -> GapThresholds)?
    /// Where the hub's spans go (docs/tracing.md); the no-op tracer unless one is bootstrapped.
    private let tracer: any Tracer
    private let supported: ProtocolVersion
    private let logger: Logger
    /// Metrics and health, for the daemon's HTTP server.
    package let metrics: HubMetrics
    private let ready = ReadySignal<Endpoints>()

    package init(
        configuration: HubConfiguration,
        taxonomy: Taxonomy,
        thresholds: GapThresholds = .standard,
        insecure: Bool = false,
        reloadConfiguration: (@Sendable () throws -> HubConfiguration)? = nil,
        reloadThresholds: (@Sendable () throws -> GapThresholds)? = nil,
        metrics: HubMetrics = .disabled,
        supported: ProtocolVersion = .current,
        tracer: any Tracer = InstrumentationSystem.tracer,
        logger: Logger
    ) {
        self.tracer = tracer
        self.configuration = configuration
        self.taxonomy = taxonomy
        self.thresholds = thresholds
        self.insecure = insecure
        self.reloadConfiguration = reloadConfiguration
        self.reloadThresholds = reloadThresholds
        self.metrics = metrics
        self.supported = supported
        var logger = logger
        logger[metadataKey: "hub.id"] = "\(configuration.id)"
        self.logger = logger
    }

    /// Waits until the hub's sockets are bound (or it failed to start).
    package func endpoints() async throws -> Endpoints {
        try await ready.value()
    }

    package func run() async throws {
        let reloadConfiguration = reloadConfiguration
        let reloadThresholds = reloadThresholds
        let configuration = configuration
        var hangup: (@Sendable () throws -> [HubReactor.Command])?
        if reloadConfiguration != nil || reloadThresholds != nil {
            // SIGHUP reads the configuration and the gap thresholds again.
            hangup = { @Sendable in
                var commands: [HubReactor.Command] = []
                if let reloadConfiguration {
                    commands.append(.reload(try reloadConfiguration()))
                    // The taxonomy file too: a changed one is published as the next version (the path itself needs a
                    // restart, so it is the running configuration's).
                    let path = configuration.taxonomyPath
                    commands.append(
                        .publishTaxonomy(document: try String(contentsOfFile: path, encoding: .utf8), file: path)
                    )
                }
                if let reloadThresholds { commands.append(.reloadThresholds(try reloadThresholds())) }
                return commands
            }
        }
        let (taxonomy, thresholds, insecure) = (taxonomy, thresholds, insecure)
        let (logger, ready, metrics, supported, tracer) = (logger, ready, metrics, supported, tracer)
        try await ReactorService.run(
            name: "knutepunkt-hub",
            ready: ready,
            health: metrics.health,
            stop: HubReactor.Command.stop,
            hangup: hangup,
            logger: logger
        ) { context in
            HubReactor.run(
                HubReactor.Setup(
                    configuration: configuration,
                    taxonomy: taxonomy,
                    thresholds: thresholds,
                    insecure: insecure,
                    logger: logger,
                    context: context.zmq,
                    mailbox: context.mailbox,
                    ready: ready,
                    failure: context.failure,
                    metrics: metrics,
                    supported: supported,
                    tracer: tracer
                )
            )
        }
    }
}
