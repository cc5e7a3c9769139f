import Foundation
import KnutepunktConfig
import KnutepunktCore
import KnutepunktZMQ
import Logging
import ServiceLifecycle
import UnixSignals

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
        logger: Logger
    ) {
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
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<HubReactor.Command>(context: context)
        defer { mailbox.close() }
        let failure = FailureBox()
        let setup = HubReactor.Setup(
            configuration: configuration,
            taxonomy: taxonomy,
            thresholds: thresholds,
            insecure: insecure,
            logger: logger,
            context: context,
            mailbox: mailbox,
            ready: ready,
            failure: failure,
            metrics: metrics,
            supported: supported
        )
        // Trapped before the daemon's thread starts: an untrapped SIGHUP would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let thread = ZMQThread.start(name: "knutepunkt-hub") {
            HubReactor.run(setup)
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                if reloadConfiguration != nil || reloadThresholds != nil {
                    // SIGHUP reads the configuration and the gap thresholds again; a broken file keeps the running
                    // one.
                    tasks.addTask { [logger, reloadConfiguration, reloadThresholds] in
                        for await _ in hangups {
                            do {
                                if let reloadConfiguration { mailbox.post(.reload(try reloadConfiguration())) }
                                if let reloadThresholds { mailbox.post(.reloadThresholds(try reloadThresholds())) }
                            } catch {
                                logger.error(
                                    "reload refused; the running configuration stays",
                                    metadata: ["error": "\(error)"]
                                )
                            }
                        }
                    }
                }
                // Ready for /readyz once the store is open and the sockets are bound.
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
