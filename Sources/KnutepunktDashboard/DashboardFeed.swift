import Foundation
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps the dashboard's live state (``DashboardState``) as a `Service`: a dedicated thread follows the hub's gap
/// stream (Clone pattern: SUB to `gap.` first, then the GAPS snapshot) and its event stream (`event.`), reads the
/// views from the hub's store after new events, and asks the hub for its node status. The hub's own thread is never
/// touched: the dashboard is one more subscriber and control client, with a connection of its own to the store.
///
/// Every blocking call (zmq_poll, control requests, SQLite) runs on that thread; async code reaches the store and
/// the acknowledgements through ``perform(_:)``, which posts work to the thread through a ``ZMQMailbox``.
package final class DashboardFeed: Service {
    package let state: DashboardState
    let configuration: DashboardConfiguration
    let logger: Logger
    private let gate = Mutex(Gate())

    /// Whether the feed's thread takes work, and how to reach it.
    private struct Gate {
        var mailbox: ZMQMailbox<Command>?
        /// The hub's control endpoint as the feed connects to it (bound ports resolved), once the feed runs.
        var controlEndpoint: String?
    }

    enum Command: Sendable {
        case stop
        /// Runs on the feed's thread; nil when the feed is stopping.
        case perform(@Sendable (FeedResources?) -> Void)
    }

    /// Where the hub's sockets really are, for a feed inside the hub's own process: its configuration may name
    /// ports as `*`, known only once the hub has bound them.
    private let boundEndpoints: (@Sendable () async throws -> (publish: String, control: String))?

    package init(
        configuration: DashboardConfiguration,
        state: DashboardState = DashboardState(),
        logger: Logger,
        boundEndpoints: (@Sendable () async throws -> (publish: String, control: String))? = nil
    ) {
        self.configuration = configuration
        self.state = state
        self.logger = logger
        self.boundEndpoints = boundEndpoints
    }

    package func run() async throws {
        var configuration = self.configuration
        if let boundEndpoints {
            let bound = try await boundEndpoints()
            configuration.publishEndpoint = DashboardConfiguration.localConnection(toBound: bound.publish)
            configuration.controlEndpoint = DashboardConfiguration.localConnection(toBound: bound.control)
        }
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<Command>(context: context)
        defer { mailbox.close() }
        let failure = FailureBox()
        gate.withLock {
            $0.mailbox = mailbox
            $0.controlEndpoint = configuration.controlEndpoint
        }
        let setup = FeedLoop.Setup(
            configuration: configuration,
            state: state,
            logger: logger,
            context: context,
            mailbox: mailbox,
            failure: failure,
            closeGate: { self.gate.withLock { $0.mailbox = nil } }
        )
        let thread = ZMQThread.start(name: "kp-dashboard") {
            FeedLoop.run(setup)
        }
        await withGracefulShutdownHandler {
            await thread.join()
        } onGracefulShutdown: {
            mailbox.post(.stop)
        }
        state.finish()
        if let error = failure.error {
            logger.error("the dashboard feed stopped", metadata: ["error": "\(error)"])
            throw error
        }
    }

    /// Runs `body` on the feed's thread, with the hub's store and the acknowledgements; throws when the feed is not
    /// running.
    /// The hub's control endpoint as the feed reaches it; nil until the feed runs.
    var hubControlEndpoint: String? { gate.withLock { $0.controlEndpoint } }

    package func perform<T: Sendable>(_ body: @escaping @Sendable (FeedResources) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let posted = gate.withLock { gate -> Bool in
                guard let mailbox = gate.mailbox else { return false }
                // Posted under the gate's lock: the thread closes the gate before it fails what is queued, so a
                // command is either run or failed, never left behind.
                mailbox.post(
                    .perform { resources in
                        guard let resources else {
                            continuation.resume(throwing: DashboardError.stopped)
                            return
                        }
                        continuation.resume(with: Result { try body(resources) })
                    }
                )
                return true
            }
            if !posted { continuation.resume(throwing: DashboardError.stopped) }
        }
    }
}

extension DashboardError {
    static let stopped = DashboardError(code: .stopped, message: "the dashboard is not running (starting or stopping)")
}

/// What work run on the feed's thread may use. Confined to that thread.
package final class FeedResources {
    package let acknowledgements: AcknowledgementStore
    package let state: DashboardState
    private let openStore: () throws -> any HubStore
    private var store: (any HubStore)?

    init(acknowledgements: AcknowledgementStore, state: DashboardState, openStore: @escaping () throws -> any HubStore)
    {
        self.acknowledgements = acknowledgements
        self.state = state
        self.openStore = openStore
    }

    /// The hub's store, opened on first use (the hub may create it after the dashboard starts).
    package func hubStore() throws -> any HubStore {
        if let store { return store }
        let opened = try openStore()
        store = opened
        return opened
    }

    /// Forgets the store after a failure, so the next use opens it afresh.
    func dropStore() {
        try? store?.close()
        store = nil
    }
}
