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
    private let logger: Logger
    private let ready = ReadySignal<Endpoints>()

    package init(
        configuration: HubConfiguration,
        taxonomy: Taxonomy,
        thresholds: GapThresholds = .standard,
        insecure: Bool = false,
        reloadConfiguration: (@Sendable () throws -> HubConfiguration)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.taxonomy = taxonomy
        self.thresholds = thresholds
        self.insecure = insecure
        self.reloadConfiguration = reloadConfiguration
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
            failure: failure
        )
        // Trapped before the daemon's thread starts: an untrapped SIGHUP would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let thread = ZMQThread.start(name: "knutepunkt-hub") {
            HubReactor.run(setup)
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                if let reloadConfiguration {
                    // SIGHUP reads the configuration again; a broken file keeps the running one.
                    tasks.addTask { [logger] in
                        for await _ in hangups {
                            do {
                                mailbox.post(.reload(try reloadConfiguration()))
                            } catch {
                                logger.error(
                                    "reload refused; the running configuration stays",
                                    metadata: ["error": "\(error)"]
                                )
                            }
                        }
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
