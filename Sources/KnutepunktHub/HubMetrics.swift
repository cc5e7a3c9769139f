import CoreMetrics
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import Synchronization

/// The hub's metrics and health, written by its reactor thread (see Deploy/README.md, "Metrics", for what each
/// means). The executable gives it the Prometheus factory; tests give it one with their own registry; without one the
/// numbers go nowhere.
///
/// Counters are incremented where things happen (events stored, NACKs sent, publishes); the gauges, and the security
/// refusals the hub already counts for `knutepunkt status`, are read from the reactor at most once per
/// ``defaultObserveInterval`` by ``observe(now:_:)``, so the metrics and the status report always agree.
package final class HubMetrics: Sendable {
    /// What the reactor reports on each observation.
    package struct Observation: Sendable {
        /// Nodes with an open session.
        package var connectedNodes: Int
        /// Nodes the configuration allows to connect.
        package var grantedNodes: Int
        /// Connections and messages refused for security or rate reasons, by reason, since start (status' counts).
        package var refusals: [String: Int]
        /// The severity (`AMBER`, `RED`) of each open gap.
        package var openGapSeverities: [String]
        /// Events in the store.
        package var storedEvents: Int
        /// The store's size on disk (SQLite: the database and its write-ahead log; PostgreSQL: the database), when
        /// measured this time (the reactor measures it at most every ``storeSizeInterval``).
        package var storeBytes: Int64?

        package init(
            connectedNodes: Int,
            grantedNodes: Int,
            refusals: [String: Int],
            openGapSeverities: [String],
            storedEvents: Int,
            storeBytes: Int64? = nil
        ) {
            self.connectedNodes = connectedNodes
            self.grantedNodes = grantedNodes
            self.refusals = refusals
            self.openGapSeverities = openGapSeverities
            self.storedEvents = storedEvents
            self.storeBytes = storeBytes
        }
    }

    /// How often the gauges are refreshed from the reactor.
    package static let defaultObserveInterval: Duration = .milliseconds(250)
    /// How often the store's size is measured (a query on PostgreSQL).
    package static let storeSizeInterval: Duration = .seconds(15)

    /// The refusals the hub counts (`knutepunkt status`' `security.refused`), present at 0 from the start.
    package static let refusalNames = [
        "connection refused", "key revoked", "wrong node", "unknown node", "grant withdrawn", "rate limited",
        "foreign region",
    ]

    /// What each metric means (`# HELP`); Deploy/README.md, "Reading the metrics", says more.
    package static let help: [String: String] = [
        "knutepunkt_build_info": "The release, protocol version and commit this daemon runs (always 1)",
        "knutepunkt_hub_events_accepted_total": "Events stored since start, each once",
        "knutepunkt_hub_commit_failures_total":
            "Store commits that failed since start (nothing of them stored or acknowledged), by reason",
        "knutepunkt_hub_store_writable": "1 while the store commits, 0 while its commits fail (disk full, I/O error)",
        "knutepunkt_hub_events_rejected_total": "Events refused (NACK) since start, by reason code",
        "knutepunkt_hub_stored_events": "Events in the store, all time",
        "knutepunkt_hub_store_bytes": "The store's size on disk, in bytes",
        "knutepunkt_hub_connected_nodes": "Nodes with an open session",
        "knutepunkt_hub_granted_nodes": "Nodes the configuration allows to connect",
        "knutepunkt_hub_refused_total": "Connections and messages refused for security or rate reasons, by reason",
        "knutepunkt_hub_open_gaps": "Open service gaps, by severity",
        "knutepunkt_hub_published_total": "Messages handed to the PUB socket, by kind (event, gap, test)",
        "knutepunkt_hub_test_events_total": "Test events committed since start (kept apart, never counted nationally)",
        "knutepunkt_hub_publish_failures_total": "Messages the PUB socket refused, by kind",
        "knutepunkt_hub_returns_total":
            "Monthly return versions committed since start, by status (complete, nil, reopened)",
        "knutepunkt_hub_returns_expected": "Monthly returns expected for the months that have ended, by region",
        "knutepunkt_hub_returns_received": "Monthly returns received (complete or nil), by region",
        "knutepunkt_hub_returns_on_time": "Monthly returns received within timelyDays after their month, by region",
        "knutepunkt_hub_returns_overdue": "Monthly returns missing after their due day, by region",
    ]

    /// Liveness and readiness, shown by `/healthz` and `/readyz`.
    package let health: DaemonHealth
    private let observeInterval: Duration
    private let factory: any MetricsFactory
    private let accepted: Counter
    private let tests: Counter
    private let connected: Gauge
    private let granted: Gauge
    private let stored: Gauge
    private let storeSize: Gauge
    private let openGaps: [String: Gauge]
    private let published: [String: Counter]
    private let publishFailures: [String: Counter]
    private struct Reported {
        var refusals: [String: Int] = [:]
        var nextObservation: ContinuousClock.Instant?
    }
    private let reported = Mutex(Reported())

    /// Metrics that go nowhere (the default for tests that do not look at them).
    package static var disabled: HubMetrics { HubMetrics(factory: NOOPMetricsHandler.instance) }

    /// - Parameter observeInterval: how often the gauges are refreshed (tests: `.zero`, every turn of the loop).
    package init(
        factory: any MetricsFactory,
        health: DaemonHealth = DaemonHealth(),
        observeInterval: Duration = HubMetrics.defaultObserveInterval
    ) {
        self.factory = factory
        self.observeInterval = observeInterval
        self.health = health
        accepted = Counter(label: "knutepunkt_hub_events_accepted_total", factory: factory)
        tests = Counter(label: "knutepunkt_hub_test_events_total", factory: factory)
        connected = Gauge(label: "knutepunkt_hub_connected_nodes", factory: factory)
        granted = Gauge(label: "knutepunkt_hub_granted_nodes", factory: factory)
        stored = Gauge(label: "knutepunkt_hub_stored_events", factory: factory)
        storeSize = Gauge(label: "knutepunkt_hub_store_bytes", factory: factory)
        // Every counter with every label value it can have is there from the start, at 0: a rate() over a series
        // that appears only with its first increment misses that increment.
        accepted.increment(by: 0)
        for reason in Self.commitFailureReasons {
            Counter(label: "knutepunkt_hub_commit_failures_total", dimensions: [("reason", reason)], factory: factory)
                .increment(by: 0)
        }
        Gauge(label: "knutepunkt_hub_store_writable", factory: factory).record(1)
        tests.increment(by: 0)
        for status in MonthlyReturn.Status.allCases {
            Counter(label: "knutepunkt_hub_returns_total", dimensions: [("status", status.rawValue)], factory: factory)
                .increment(by: 0)
        }
        for reason in ReasonCode.allKnown where reason.isEventLevel {
            Counter(
                label: "knutepunkt_hub_events_rejected_total",
                dimensions: [("reason", reason.name)],
                factory: factory
            ).increment(by: 0)
        }
        for name in Self.refusalNames {
            Counter(
                label: "knutepunkt_hub_refused_total",
                dimensions: [("reason", name.replacingSpaces())],
                factory: factory
            )
            .increment(by: 0)
        }
        openGaps = Dictionary(
            uniqueKeysWithValues: GapSeverity.allCases.map {
                (
                    $0.rawValue,
                    Gauge(label: "knutepunkt_hub_open_gaps", dimensions: [("severity", $0.rawValue)], factory: factory)
                )
            }
        )
        let kinds = ["event", "gap", "test"]
        published = Dictionary(
            uniqueKeysWithValues: kinds.map {
                ($0, Counter(label: "knutepunkt_hub_published_total", dimensions: [("kind", $0)], factory: factory))
            }
        )
        publishFailures = Dictionary(
            uniqueKeysWithValues: kinds.map {
                (
                    $0,
                    Counter(
                        label: "knutepunkt_hub_publish_failures_total",
                        dimensions: [("kind", $0)],
                        factory: factory
                    )
                )
            }
        )
        Gauge(label: "knutepunkt_build_info", dimensions: BuildInfo.labels(daemon: "hub"), factory: factory).record(1)
    }

    /// A batch was committed: `stored` new events, and a NACK for each of `refused` (reason names).
    package func committed(stored count: Int, refused reasons: [String]) {
        if count > 0 { accepted.increment(by: Int64(count)) }
        var byReason: [String: Int] = [:]
        for reason in reasons { byReason[reason, default: 0] += 1 }
        for (reason, count) in byReason {
            Counter(label: "knutepunkt_hub_events_rejected_total", dimensions: [("reason", reason)], factory: factory)
                .increment(by: Int64(count))
        }
    }

    /// Why a commit failed, as the `reason` label says it.
    package static let commitFailureReasons = ["disk_full", "io_error"]

    /// A commit failed (`reason` one of ``commitFailureReasons``); the store is not writable until one succeeds.
    package func commitFailed(reason: String) {
        Counter(label: "knutepunkt_hub_commit_failures_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
        Gauge(label: "knutepunkt_hub_store_writable", factory: factory).record(0)
    }

    /// A commit succeeded after failures: the store is writable again.
    package func storeWritable() {
        Gauge(label: "knutepunkt_hub_store_writable", factory: factory).record(1)
    }

    /// Test events committed (docs/events.md, "Test events"): counted here only.
    package func committedTests(_ count: Int) {
        if count > 0 { tests.increment(by: Int64(count)) }
    }

    /// A monthly return version with `status` was committed.
    package func committedReturn(_ status: String) {
        Counter(label: "knutepunkt_hub_returns_total", dimensions: [("status", status)], factory: factory).increment()
    }

    /// Completeness as of the last fold of the gap facts: expected, received, on time and overdue per region.
    package func completeness(_ completeness: Completeness) {
        for (region, tally) in completeness.regions {
            for (name, value) in [
                ("expected", tally.expected), ("received", tally.received), ("on_time", tally.onTime),
                ("overdue", tally.overdue),
            ] {
                Gauge(label: "knutepunkt_hub_returns_\(name)", dimensions: [("region", region)], factory: factory)
                    .record(value)
            }
        }
    }

    /// A message of `kind` (`event`, `gap`, `test`) handed to the PUB socket, or refused by it.
    package func published(_ kind: String, failed: Bool = false) {
        (failed ? publishFailures : published)[kind]?.increment()
    }

    /// Called by the reactor on every turn of its loop: beats the liveness clock, and when the gauges are due, asks
    /// for an observation (only then is `make` run).
    package func observe(now: ContinuousClock.Instant, _ make: () -> Observation) {
        health.beat(now: now)
        let due = reported.withLock { state in
            guard state.nextObservation.map({ now >= $0 }) ?? true else { return false }
            state.nextObservation = now + observeInterval
            return true
        }
        guard due else { return }
        let observation = make()
        connected.record(observation.connectedNodes)
        granted.record(observation.grantedNodes)
        stored.record(observation.storedEvents)
        if let bytes = observation.storeBytes { storeSize.record(bytes) }
        var bySeverity: [String: Int] = [:]
        for severity in observation.openGapSeverities { bySeverity[severity, default: 0] += 1 }
        for (severity, gauge) in openGaps { gauge.record(bySeverity[severity] ?? 0) }
        let increments: [(String, Int)] = reported.withLock { state in
            var increments: [(String, Int)] = []
            for (reason, count) in observation.refusals where count > state.refusals[reason, default: 0] {
                increments.append((reason, count - state.refusals[reason, default: 0]))
                state.refusals[reason] = count
            }
            return increments
        }
        for (reason, increment) in increments {
            Counter(
                label: "knutepunkt_hub_refused_total",
                dimensions: [("reason", reason.replacingSpaces())],
                factory: factory
            ).increment(by: Int64(increment))
        }
    }
}

extension String {
    /// `connection refused` → `connection_refused`, for a label value that reads well in PromQL.
    func replacingSpaces() -> String { String(map { $0 == " " ? "_" : $0 }) }
}
