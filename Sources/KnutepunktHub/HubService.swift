import Foundation
import KnutepunktConfig
import KnutepunktCore
import KnutepunktZMQ
import Logging
import ServiceLifecycle

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
    private let logger: Logger
    private let ready = ReadySignal<Endpoints>()

    package init(
        configuration: HubConfiguration,
        taxonomy: Taxonomy,
        thresholds: GapThresholds = .standard,
        logger: Logger
    ) {
        self.configuration = configuration
        self.taxonomy = taxonomy
        self.thresholds = thresholds
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
            logger: logger,
            context: context,
            mailbox: mailbox,
            ready: ready,
            failure: failure
        )
        let thread = ZMQThread.start(name: "knutepunkt-hub") {
            HubReactor.run(setup)
        }
        await withGracefulShutdownHandler {
            await thread.join()
        } onGracefulShutdown: {
            mailbox.post(.stop)
        }
        if let error = failure.error { throw error }
    }
}
