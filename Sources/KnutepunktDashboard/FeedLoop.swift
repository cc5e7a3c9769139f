import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ
import Logging

/// The body of the dashboard feed's thread (see ``DashboardFeed``). It owns the SUB socket, the control client, the
/// store connection and the acknowledgement store; nothing else touches them.
struct FeedLoop {
    struct Setup: Sendable {
        var configuration: DashboardConfiguration
        var state: DashboardState
        var logger: Logger
        var context: ZMQContext
        var mailbox: ZMQMailbox<DashboardFeed.Command>
        var failure: FailureBox
        /// Stops the feed from taking work (called before what is queued is failed).
        var closeGate: @Sendable () -> Void
    }

    /// How long to wait before asking an unreachable hub again.
    static let retryDelay: Duration = .seconds(2)
    /// The views are read again at least this often, so the date and the silent nodes move on without events.
    static let periodicRefresh: Duration = .seconds(60)
    /// Most messages taken from the SUB socket in one turn of the loop (the mailbox gets its turn in between).
    static let drainLimit = 1000

    let setup: Setup
    let clock = ContinuousClock()
    var clone = GapCloneStateMachine()
    var needSnapshot = true
    var snapshotDue: ContinuousClock.Instant
    var refreshDue: ContinuousClock.Instant?
    var statusDue: ContinuousClock.Instant
    var control: ControlClient?
    var problem: String?

    private init(_ setup: Setup) {
        self.setup = setup
        let now = clock.now
        snapshotDue = now
        refreshDue = now
        statusDue = now
    }

    static func run(_ setup: Setup) {
        var receiver: ZMQSocket?
        do {
            receiver = try setup.mailbox.makeReceiver()
            var loop = FeedLoop(setup)
            try loop.run(receiver: receiver!)
        } catch {
            setup.failure.record(error)
        }
        // Take no more work, then fail what is still queued, so no request waits forever.
        setup.closeGate()
        if let receiver {
            for case .perform(let body) in setup.mailbox.takeAll(from: receiver) { body(nil) }
            receiver.close()
        }
    }

    private mutating func run(receiver: ZMQSocket) throws {
        let configuration = setup.configuration
        let subscriber = try setup.context.makeSocket(.sub)
        defer { subscriber.close() }
        if let curve = configuration.curve { try subscriber.configureCurveClient(curve) }
        try subscriber.setOption(.subscribe, Array("gap.".utf8))
        try subscriber.setOption(.subscribe, Array("event.".utf8))
        try subscriber.connect(configuration.publishEndpoint)
        defer { control?.close() }

        let acknowledgements = try AcknowledgementStore.open(path: configuration.acknowledgementsPath)
        defer { acknowledgements.close() }
        let all = try acknowledgements.all()
        setup.state.update(nil) { $0.acknowledgements = all }
        let resources = FeedResources(
            acknowledgements: acknowledgements,
            state: setup.state,
            openStore: configuration.openStore
        )
        defer { resources.dropStore() }

        while true {
            let now = clock.now
            if needSnapshot, snapshotDue <= now { takeSnapshot() }
            if let due = refreshDue, due <= now { refresh(resources) }
            if statusDue <= now { askStatus() }

            var deadline = statusDue
            if let due = refreshDue { deadline = min(deadline, due) }
            if needSnapshot { deadline = min(deadline, snapshotDue) }
            var poller = ZMQPoller()
            poller.add(receiver)
            poller.add(subscriber)
            let ready = try poller.poll(timeout: max(.zero, deadline - clock.now))
            if ready[0].contains(.readable) {
                for command in setup.mailbox.takeAll(from: receiver) {
                    switch command {
                    case .stop: return
                    case .perform(let body): body(resources)
                    }
                }
            }
            if ready[1].contains(.readable) { try drain(subscriber) }
        }
    }

    /// Takes what the hub published: gap changes are applied at once, events make the views due for a refresh.
    private mutating func drain(_ subscriber: ZMQSocket) throws {
        for _ in 0..<Self.drainLimit {
            guard let message = try subscriber.receive(dontWait: true) else { return }
            // gap.* has two frames; event.* a third, its number in the event stream (docs/protocol.md).
            guard message.frames.count >= 2 else { continue }
            let topic = message.frames[0]
            if topic.starts(with: Array("gap.".utf8)) {
                guard let update = try? JSONBody.decode(GapUpdate.self, from: message.frames[1]) else { continue }
                switch clone.receive(update) {
                case .ignore:
                    continue
                case .resnapshot:
                    needSnapshot = true
                    snapshotDue = clock.now
                case .apply:
                    let open = clone.open
                    let sequence = clone.sequence
                    setup.state.update(.gap(update)) {
                        $0.gaps = open
                        $0.gapSequence = sequence
                    }
                }
            } else if topic.starts(with: Array("event.".utf8)) {
                // A burst of events makes one refresh, at most refreshDelay after its first event.
                let soon = clock.now + setup.configuration.refreshDelay
                if refreshDue.map({ $0 > soon }) ?? true { refreshDue = soon }
            }
        }
    }

    private mutating func client() throws -> ControlClient {
        if let control { return control }
        let made = try ControlClient(
            endpoint: setup.configuration.controlEndpoint,
            timeout: setup.configuration.controlTimeout,
            curve: setup.configuration.curve
        )
        control = made
        return made
    }

    private mutating func takeSnapshot() {
        do {
            let snapshot = try client().gapSnapshot()
            clone.snapshot(snapshot)
            needSnapshot = false
            let open = clone.open
            setup.state.update(.gaps(sequence: snapshot.sequence, count: open.count)) {
                $0.gaps = open
                $0.gapSequence = snapshot.sequence
                $0.gapEpoch = snapshot.epoch
            }
            reachable()
        } catch {
            snapshotDue = clock.now + Self.retryDelay
            unreachable("cannot get the open gaps from the hub at \(setup.configuration.controlEndpoint): \(error)")
        }
    }

    private mutating func askStatus() {
        statusDue = clock.now + setup.configuration.statusInterval
        do {
            guard case .hub(let report, _) = try client().status() else {
                unreachable("\(setup.configuration.controlEndpoint) is not a hub's control endpoint")
                return
            }
            let at = Date()
            setup.state.update(.status) {
                $0.status = report
                $0.statusAt = at
            }
            reachable()
        } catch {
            unreachable("no status from the hub at \(setup.configuration.controlEndpoint): \(error)")
        }
    }

    private mutating func refresh(_ resources: FeedResources) {
        let configuration = setup.configuration
        do {
            let store = try resources.hubStore()
            var cells: [(ActivityCell, ActivityCount)] = []
            try store.forEachActivityCount { cells.append(($0, $1)) }
            let views = DashboardViews.build(
                counters: cells,
                taxonomy: configuration.taxonomy,
                thresholds: configuration.thresholds,
                asOf: LocalDate.today(),
                heard: try store.lastHeard().mapValues { LocalDate.today(now: $0) },
                daemonRegions: configuration.daemonRegions
            )
            setup.state.update(.views(asOf: views.asOf, events: views.events)) {
                $0.views = views
                $0.storeProblem = nil
            }
            refreshDue = clock.now + Self.periodicRefresh
        } catch {
            resources.dropStore()
            refreshDue = clock.now + Self.retryDelay
            let problem = "\(error)"
            guard setup.state.snapshot.storeProblem != problem else { return }
            setup.logger.warning("cannot read the hub's store", metadata: ["error": "\(problem)"])
            setup.state.update(.hub(problem: problem)) { $0.storeProblem = problem }
        }
    }

    private mutating func unreachable(_ message: String) {
        guard problem != message else { return }
        if problem == nil { setup.logger.warning("the hub cannot be reached", metadata: ["problem": "\(message)"]) }
        problem = message
        setup.state.update(.hub(problem: message)) { $0.hubProblem = message }
    }

    private mutating func reachable() {
        guard problem != nil else { return }
        problem = nil
        setup.state.update(.hub(problem: nil)) { $0.hubProblem = nil }
    }
}
