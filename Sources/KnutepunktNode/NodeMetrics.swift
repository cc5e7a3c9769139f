import CoreMetrics
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import Synchronization

/// The node's metrics and health, written by its reactor thread (see Deploy/README.md, "Metrics"). The executable
/// gives it the Prometheus factory; tests give it one with their own registry; without one the numbers go nowhere.
package final class NodeMetrics: Sendable {
    /// What the reactor reports on each observation.
    package struct Observation: Sendable {
        /// Events in the outbox the hub has not settled yet.
        package var outboxDepth: UInt64
        /// The hub link's phase: `ready`, `greeting` or `disconnected`.
        package var hubLink: String
        /// The outbox's size on disk (the database and its write-ahead log), when measured this time.
        package var outboxBytes: Int64?

        package init(outboxDepth: UInt64, hubLink: String, outboxBytes: Int64? = nil) {
            self.outboxDepth = outboxDepth
            self.hubLink = hubLink
            self.outboxBytes = outboxBytes
        }
    }

    /// How often the gauges are refreshed from the reactor.
    package static let defaultObserveInterval: Duration = .milliseconds(250)

    /// What each metric means (`# HELP`); Deploy/README.md, "Reading the metrics", says more.
    package static let help: [String: String] = [
        "knutepunkt_build_info": "The release, protocol version and commit this daemon runs (always 1)",
        "knutepunkt_node_events_accepted_total": "Events written to the outbox since start",
        "knutepunkt_node_events_rejected_total":
            "Events refused since start: stage submit (validation at the node) or hub (NACK), by reason code",
        "knutepunkt_node_outbox_depth": "Events in the outbox the hub has not settled yet",
        "knutepunkt_node_outbox_bytes": "The outbox's size on disk, in bytes",
        "knutepunkt_node_hub_link_up": "1 while the session with the hub is open, else 0",
        "knutepunkt_node_ack_latency_seconds": "Per EVENT message, from its first send to the ACK that covers it",
    ]

    /// Liveness and readiness, shown by `/healthz` and `/readyz`.
    package let health: DaemonHealth
    private let observeInterval: Duration
    private let factory: any MetricsFactory
    private let accepted: Counter
    private let depth: Gauge
    private let outboxSize: Gauge
    private let linkUp: Gauge
    private let ackLatency: Timer
    private struct State {
        var latency = AckLatency()
        var nextObservation: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    /// Metrics that go nowhere (the default for tests that do not look at them).
    package static var disabled: NodeMetrics { NodeMetrics(factory: NOOPMetricsHandler.instance) }

    /// - Parameter observeInterval: how often the gauges are refreshed (tests: `.zero`, every turn of the loop).
    package init(
        factory: any MetricsFactory,
        health: DaemonHealth = DaemonHealth(),
        observeInterval: Duration = NodeMetrics.defaultObserveInterval
    ) {
        self.factory = factory
        self.observeInterval = observeInterval
        self.health = health
        accepted = Counter(label: "knutepunkt_node_events_accepted_total", factory: factory)
        depth = Gauge(label: "knutepunkt_node_outbox_depth", factory: factory)
        outboxSize = Gauge(label: "knutepunkt_node_outbox_bytes", factory: factory)
        // Every counter with every label value it can have is there from the start, at 0.
        accepted.increment(by: 0)
        for reason in ReasonCode.allKnown where reason.isEventLevel {
            for stage in ["submit", "hub"] {
                Counter(
                    label: "knutepunkt_node_events_rejected_total",
                    dimensions: [("stage", stage), ("reason", reason.name)],
                    factory: factory
                ).increment(by: 0)
            }
        }
        linkUp = Gauge(label: "knutepunkt_node_hub_link_up", factory: factory)
        ackLatency = Timer(label: "knutepunkt_node_ack_latency_seconds", factory: factory)
        Gauge(label: "knutepunkt_build_info", dimensions: BuildInfo.labels(daemon: "node"), factory: factory).record(1)
    }

    /// Submissions were handled: `accepted` new events written to the outbox, and one refusal per reason name in
    /// `invalid` (the event failed validation at the node).
    package func submitted(accepted count: Int, invalid reasons: [String]) {
        if count > 0 { accepted.increment(by: Int64(count)) }
        for reason in reasons { rejected(stage: "submit", reason: reason) }
    }

    /// The hub refused an event (NACK) for `reason`.
    package func rejectedByHub(_ reason: String) {
        rejected(stage: "hub", reason: reason)
    }

    private func rejected(stage: String, reason: String) {
        Counter(
            label: "knutepunkt_node_events_rejected_total",
            dimensions: [("stage", stage), ("reason", reason)],
            factory: factory
        ).increment()
    }

    /// Events through `through` went to the hub now.
    package func sent(through: UInt64, now: ContinuousClock.Instant) {
        state.withLock { $0.latency.sent(through: through, now: now) }
    }

    /// The hub settled (acknowledged or refused) everything through `through`.
    package func acknowledged(through: UInt64, now: ContinuousClock.Instant) {
        let latencies = state.withLock { $0.latency.acknowledged(through: through, now: now) }
        for latency in latencies { ackLatency.recordNanoseconds(latency.nanoseconds) }
    }

    /// Called by the reactor on every turn of its loop: beats the liveness clock, and when the gauges are due, asks
    /// for an observation (only then is `make` run).
    package func observe(now: ContinuousClock.Instant, _ make: () -> Observation) {
        health.beat(now: now)
        let due = state.withLock { state in
            guard state.nextObservation.map({ now >= $0 }) ?? true else { return false }
            state.nextObservation = now + observeInterval
            return true
        }
        guard due else { return }
        let observation = make()
        depth.record(Int64(clamping: observation.outboxDepth))
        if let bytes = observation.outboxBytes { outboxSize.record(bytes) }
        linkUp.record(observation.hubLink == "ready" ? 1 : 0)
        health.setDetail("hubLink", observation.hubLink)
        health.setDetail("outboxDepth", "\(observation.outboxDepth)")
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for metrics handlers that take them.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
