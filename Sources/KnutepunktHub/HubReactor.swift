import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ
import Logging
import Tracing

/// The hub daemon's I/O shell: runs on one dedicated thread, which owns every socket and the store.
///
/// Each turn of the loop drains what the nodes sent (up to about `maxBatch` events), lets ``HubSessionStateMachine``
/// decide and validates every new event again (a hub never trusts a node), into the open batch. The batch is then
/// sealed and written in one fsync'd transaction (group commit) by the ``HubStoreWriter``'s thread, and only when
/// that commit is durable does this thread send the ACKs and NACKs and publish what was stored. While one batch
/// commits, the next one fills (up to `maxBatch` events), so receiving and validating overlap with the fsync.
final class HubReactor {
    /// What async code may ask of the thread.
    enum Command: Sendable {
        case stop
        /// The configuration file was read again (SIGHUP): take what can change while running.
        case reload(HubConfiguration)
        /// The gap thresholds file was read again (SIGHUP).
        case reloadThresholds(GapThresholds)
        /// The taxonomy file was read again (SIGHUP): published as the next version if it changed and may be.
        case publishTaxonomy(document: String, file: String)
    }

    struct Setup: Sendable {
        var configuration: HubConfiguration
        var taxonomy: Taxonomy
        var thresholds: GapThresholds
        /// Plaintext, no authentication (`--insecure`): for a lab only.
        var insecure: Bool
        var logger: Logger
        var context: ZMQContext
        var mailbox: ZMQMailbox<Command>
        var ready: ReadySignal<HubService.Endpoints>
        var failure: FailureBox
        /// Metrics and health (`/metrics`, `/healthz`, `/readyz`).
        var metrics: HubMetrics = .disabled
        /// The protocol version this hub speaks (tests run an older or newer one).
        var supported: ProtocolVersion = .current
        /// Where spans go (docs/tracing.md).
        var tracer: any Tracer = NoOpTracer()
    }

    /// A refusal to send after the batch commits.
    struct PendingNack {
        var nodeID: String
        var sequence: UInt64
        var reason: ReasonCode
        var detail: String
    }

    /// What one transaction writes, and the refusals to send once it is durable.
    struct Batch {
        var records = HubBatch()
        var nacks: [PendingNack] = []
        /// The spans of the traced events in it (docs/tracing.md), ended once the batch's commit settles.
        var spans: [any Span] = []
    }

    let setup: Setup
    var logger: Logger { setup.logger }
    let store: any HubStore
    /// Commits sealed batches on its own thread.
    let writer: HubStoreWriter
    /// Where the writer's outcomes arrive (polled).
    let commitOutcomes: ZMQSocket
    /// The batch filling now.
    var open = Batch()
    /// The batch the writer is committing; nil when it is idle.
    var sealed: Batch?
    var validator: EventValidator
    /// The taxonomy versions the hub publishes, and the one in force.
    var reference: HubReference
    var sessions: HubSessionStateMachine
    let clock = ContinuousClock()
    let wake: ZMQSocket
    /// The ZAP handler (nil in plaintext), the nodes' ROUTER, the PUB and the control ROUTER.
    let sockets: HubSockets
    var router: ZMQSocket { sockets.router }
    var publisher: ZMQSocket { sockets.publisher }
    var control: ZMQSocket { sockets.control }
    var zap: ZAPHandler? { sockets.zap }
    let gaps: HubGapMonitor
    /// Every sign-off, acceptance and reopening (the store's), and the locks they leave, enforced at admission.
    var ledger = PeriodLedger()
    var periodLocks = PeriodLocks()
    /// Connections and messages refused for security reasons, by reason, since start.
    var refusals: [String: Int] = [:]
    /// One log line per kind of refusal or malformed message at once, then one per interval: a peer cannot flood it.
    var logThrottle = LogThrottle()
    /// Events published on `event.<REGION>` since start (the number the next one carries, minus one).
    var publishedEvents: UInt64 = 0
    /// Events stored so far, kept in memory so STATUS waiters need no query per commit.
    var storedTotal: Int
    /// STATUS requests waiting for a number of stored events, with their deadlines.
    var statusWaiters: [(envelope: [[UInt8]], total: Int, deadline: ContinuousClock.Instant)] = []
    /// When each node was last heard from, and which of those times the store does not have yet.
    var contacts: NodeContacts
    /// Since when commits fail (nil while the store commits); see HubReactor+StoreHealth.
    var storeFailingSince: ContinuousClock.Instant?
    /// When the store's size is measured next, for the metrics.
    var nextStoreSize = ContinuousClock.now
    /// How long a stopping hub waits for the store to finish the last commits.
    static let drainSeconds = 300
    /// How often the last-heard times are written to the store (a crash loses at most this much of them).
    static let contactFlushInterval: Duration = .seconds(5)

    static func run(_ setup: Setup) {
        let reactor: HubReactor
        do {
            reactor = try HubReactor(setup)
        } catch {
            setup.logger.error("hub failed to start", metadata: ["error": "\(error)"])
            setup.failure.record(error)
            setup.ready.fail(error)
            return
        }
        reactor.loop()
        reactor.close()
    }

    private init(_ setup: Setup) throws {
        self.setup = setup
        let configuration = setup.configuration
        store = try configuration.storage.open(logger: setup.logger)
        var opened: [ZMQSocket] = []
        var startedWriter: HubStoreWriter?
        do {
            sessions = HubSessionStateMachine(
                configuration: .init(
                    hubID: configuration.id,
                    supported: setup.supported,
                    sessionTimeout: configuration.sessionTimeout
                ),
                admission: HubAdmission(HubAdmission.Policy(configuration, insecure: setup.insecure)),
                settled: try store.settledProgress()
            )
            reference = try HubReference(
                store: store,
                document: try? String(contentsOfFile: configuration.taxonomyPath, encoding: .utf8),
                fallback: setup.taxonomy,
                file: configuration.taxonomyPath,
                logger: setup.logger
            )
            validator = EventValidator(taxonomy: reference.taxonomy)
            ledger = PeriodLedger(steps: try store.periodSteps())
            periodLocks = PeriodLocks(version: UInt64(ledger.steps.count), locks: ledger.locks)
            contacts = NodeContacts(
                recorded: try store.lastHeard(),
                flushInterval: Self.contactFlushInterval,
                now: ContinuousClock.now
            )
            gaps = try HubGapMonitor(
                tracer: setup.tracer,
                taxonomy: reference.taxonomy,
                thresholds: setup.thresholds,
                daemonRegions: Dictionary(
                    configuration.nodes.map { ($0.id, $0.region) },
                    uniquingKeysWith: { a, _ in a }
                ),
                store: store,
                metrics: setup.metrics,
                foldsCountersDaily: { if case .postgres = configuration.storage { true } else { false } }(),
                logger: setup.logger
            )
            // The days count what the store counts, without a scan of every event.
            storedTotal = gaps.countedEvents
            wake = try setup.mailbox.makeReceiver()
            opened.append(wake)
            writer = try HubStoreWriter(store: store, context: setup.context)
            startedWriter = writer
            commitOutcomes = try writer.makeReceiver()
            opened.append(commitOutcomes)
            sockets = try HubSockets.open(configuration, insecure: setup.insecure, context: setup.context)
            setup.ready.fulfil(try sockets.endpoints())
        } catch {
            for socket in opened { socket.close() }
            startedWriter?.stop()
            try? store.close()
            throw error
        }
        if setup.insecure {
            logger.warning(
                "running INSECURE (--insecure): plaintext, no authentication; anyone who reaches the ports can connect"
            )
        }
        logger.info(
            "hub started",
            metadata: [
                "listen": "\(configuration.listenEndpoint)", "publish": "\(configuration.publishEndpoint)",
                "control": "\(configuration.controlEndpoint)", "storage": "\(configuration.storage)",
                "nodes": "\(configuration.nodes.count)",
            ]
        )
        publishGapChanges(gaps.evaluate(store: store))
    }

    // MARK: - Loop

    func loop() {
        while true {
            var poller = ZMQPoller()
            let wakeIndex = poller.add(wake)
            let committedIndex = poller.add(commitOutcomes)
            // While a batch commits, the next fills up to maxBatch events; then the nodes wait for the commit.
            let full = sealed != nil && open.records.events.count >= setup.configuration.maxBatch
            let routerIndex = full ? nil : poller.add(router)
            let controlIndex = poller.add(control)
            let zapIndex = zap.map { poller.add($0.socket) }
            let ready: [ZMQPollEvents]
            do {
                var timeout: Duration = .seconds(1)
                if let due = gaps.nextDeadline { timeout = max(.zero, min(timeout, due - clock.now)) }
                ready = try poller.poll(timeout: timeout)
            } catch {
                logger.critical("polling failed; stopping", metadata: ["error": "\(error)"])
                setup.failure.record(error)
                return
            }
            if let zapIndex, ready[zapIndex].contains(.readable) { authenticate() }
            if ready[committedIndex].contains(.readable) { settleCommits() }
            if let routerIndex, ready[routerIndex].contains(.readable) { ingestBatch() }
            if ready[controlIndex].contains(.readable) { serveControl() }
            for action in sessions.tick(now: clock.now) { perform(action) }
            answerStatusWaiters()
            publishGapChanges(gaps.tick(store: store))
            setup.metrics.observe(now: clock.now) {
                HubMetrics.Observation(
                    connectedNodes: sessions.sessions.count,
                    grantedNodes: setup.configuration.nodes.count,
                    refusals: refusals,
                    openGapSeverities: gaps.snapshot.gaps.map(\.severity),
                    storedEvents: storedTotal,
                    storeBytes: storeSizeIfDue()
                )
            }
            recordContacts()
            if ready[wakeIndex].contains(.readable) {
                for command in setup.mailbox.takeAll(from: wake) {
                    switch command {
                    case .stop:
                        logger.info("hub stopping")
                        drain()
                        return
                    case .reload(let configuration):
                        reload(configuration)
                    case .reloadThresholds(let thresholds):
                        gaps.reload(thresholds: thresholds, store: store)
                    case .publishTaxonomy(let document, let file):
                        publishTaxonomy(document, name: file, dryRun: false)
                    }
                }
            }
        }
    }

    func close() {
        recordContacts(force: true)
        sockets.close()
        wake.close()
        writer.stop()
        commitOutcomes.close()
        // Every settled commit is in the days: the next start reads them instead of the counters.
        gaps.saveCheckpoint(store: store)
        do {
            try store.close()
        } catch {
            logger.error("closing the store failed", metadata: ["error": "\(error)"])
        }
        logger.info("hub stopped")
    }

    // MARK: - Ingest

    /// Drains node messages until the open batch holds about `maxBatch` events, validating new events into it, then
    /// seals it if the writer is idle.
    func ingestBatch() {
        var ingests = 0
        let today = LocalDate.today()
        // A batch holds about maxBatch events (a message may carry more than one): a bounded commit, and while it
        // runs the nodes' next events fill the next batch instead of waiting behind one huge transaction.
        for _ in 0..<setup.configuration.maxBatch where open.records.events.count < setup.configuration.maxBatch {
            let message: ZMQMessage?
            do {
                message = try router.receive(dontWait: true, keepingAtMost: routerReadLimit)
            } catch {
                logger.warning("receiving from a node failed", metadata: ["error": "\(error)"])
                break
            }
            guard let message else { break }
            guard let peer = message.frames.first, message.frames.count >= 2 else { continue }
            let frames = Array(message.frames.dropFirst())
            if ReferenceMessage.isReference(frames), let reference = try? ReferenceMessage.decode(frames) {
                received(reference, from: peer)
                continue
            }
            let actions: [HubSessionStateMachine.Action]
            if let tooLarge = oversized(message) {
                actions = sessions.malformed(tooLarge, from: peer, now: clock.now)
            } else {
                do {
                    let decoded = try WireCodec.decode(frames)
                    actions = sessions.received(decoded, from: peer, key: message.userID, now: clock.now)
                    if let node = sessions.node(of: peer) { heard(node) }
                } catch {
                    if let suppressed = logThrottle.admit("malformed", now: clock.now) {
                        logger.warning(
                            "malformed message from a node",
                            metadata: [
                                "peer.address": "\(message.peerAddress ?? "?")", "error": "\(error)",
                                "suppressed.since.last": "\(suppressed)",
                            ]
                        )
                    }
                    actions = sessions.malformed(error, from: peer, now: clock.now)
                }
            }
            for action in actions {
                switch action {
                case .ingest(let ingest):
                    ingests += 1
                    admit(ingest, today: today, into: &open)
                case .refused(_, let refusal):
                    refused(refusal, address: message.peerAddress)
                default:
                    perform(action)
                }
            }
        }
        sealIfIdle()
    }

    // MARK: - Liveness

    /// The store's size on disk, when ``HubMetrics/storeSizeInterval`` has passed since it was last measured.
    func storeSizeIfDue() -> Int64? {
        guard clock.now >= nextStoreSize else { return nil }
        nextStoreSize = clock.now + HubMetrics.storeSizeInterval
        return try? store.sizeOnDisk()
    }

    /// Notes a sign of life from a node with a session (any message counts).
    func heard(_ node: String) {
        contacts.heard(node, at: Date())
    }

    /// Writes the last-heard times gathered since the last write, at most every ``contactFlushInterval`` (`force`:
    /// now, at stop).
    func recordContacts(force: Bool = false) {
        guard let due = contacts.due(now: clock.now, force: force) else { return }
        do {
            try store.recordLastHeard(due)
            contacts.recorded(due)
        } catch {
            // Only liveness bookkeeping: keep them and try again at the next interval.
            logger.warning("recording when nodes were last heard failed", metadata: ["error": "\(error)"])
        }
    }

    /// Validates one new event: stored if good, recorded as refused (and NACKed after the commit) if not.
    func admit(_ ingest: HubSessionStateMachine.Ingest, today: LocalDate, into batch: inout Batch) {
        batch.records.settled[ingest.nodeID] = max(batch.records.settled[ingest.nodeID] ?? 0, ingest.sequence)
        func refuse(_ reason: ReasonCode, _ detail: String) {
            batch.records.rejections.append(
                HubRejectionRecord(
                    source: ingest.nodeID,
                    sequence: ingest.sequence,
                    reason: reason.name,
                    detail: detail
                )
            )
            batch.nacks.append(
                PendingNack(nodeID: ingest.nodeID, sequence: ingest.sequence, reason: reason, detail: detail)
            )
        }
        if let tooLarge = Self.payloadTooLarge(ingest.payload) {
            refuse(.payloadTooLarge, tooLarge)
            return
        }
        // Nodes send events in canonical form: read in one pass and stored as received. Anything else (a monthly
        // return, another spelling, a refusal to explain) takes the general path below.
        if let event = validator.readCanonical(ingest.payload, today: today) {
            if let refusal = accept(event, payload: ingest.payload, ingest, into: &batch) {
                refuse(refusal.reason, refusal.detail)
            }
            return
        }
        let object: JSONValue
        do {
            object = try JSONValue.parse(ingest.payload)
        } catch {
            refuse(.malformedPayload, "the payload is not JSON: \(error)")
            return
        }
        if MonthlyReturn.isReturn(object) {
            switch checkReturn(object, ingest, today: today) {
            case .success(let record): batch.records.returns.append(record)
            case .failure(let refusal): refuse(refusal.reason, refusal.detail)
            }
            return
        }
        // No defaults at the hub: the event must say everything itself, its id included.
        switch validator.validate(object, defaults: .hub, today: today) {
        case .failure(let failure):
            let reason = Self.reason(for: failure.issues)
            refuse(reason, failure.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
        case .success(let event):
            // Stored and published in canonical form, whatever spelling the node sent (docs/protocol.md).
            if let refusal = accept(event, payload: event.canonicalJSON(), ingest, into: &batch) {
                refuse(refusal.reason, refusal.detail)
            }
        }
    }

    /// Adds a valid event to the batch, `payload` its canonical form, unless its sender or a locked month refuses
    /// it: then the refusal.
    private func accept(
        _ event: ActivityEvent,
        payload: [UInt8],
        _ ingest: HubSessionStateMachine.Ingest,
        into batch: inout Batch
    ) -> (reason: ReasonCode, detail: String)? {
        // Attribute the event to the sender, never to what the payload claims.
        if let refusal = sessions.admission.attribution(of: event.region, from: ingest.nodeID) {
            refusals[refusal.counter, default: 0] += 1
            return (refusal.reason, refusal.detail)
        }
        // A month the national centre locked takes nothing new (checked at the node too, before queuing).
        if !event.isTest, let lock = periodLocks.lock(region: event.region, date: event.date) {
            return (.periodLocked, "date: \(lock.refusal)")
        }
        traceStore(event, ingest, into: &batch)
        if event.isTest {
            batch.records.tests.append(Self.testRecord(ingest, event))
        } else {
            batch.records.events.append(
                HubEventRecord(source: ingest.nodeID, sequence: ingest.sequence, event: event, payload: payload)
            )
        }
        return nil
    }

    static func reason(for issues: [ValidationIssue]) -> ReasonCode {
        .refusing(issues)
    }

    func peer(of nodeID: String) -> HubSessionStateMachine.Peer? {
        sessions.sessions.first { $0.nodeID == nodeID }?.peer
    }

    func perform(_ action: HubSessionStateMachine.Action) {
        switch action {
        case .reply(let peer, let message):
            send(WireCodec.encode(message), to: peer)
        case .ingest:
            preconditionFailure("ingests are handled by ingestBatch")
        case .sessionOpened(let nodeID, _):
            logger.info(
                "node connected",
                metadata: ["node.id": "\(nodeID)", "settled": "\(sessions.settledThrough(node: nodeID))"]
            )
        case .sessionClosed(let nodeID, let reason):
            logger.info("node session closed", metadata: ["node.id": "\(nodeID)", "reason": "\(reason)"])
        case .refused(_, let refusal):
            refused(refusal, address: nil)
        }
    }

    func send(_ frames: [[UInt8]], to peer: HubSessionStateMachine.Peer) {
        do {
            try router.send([peer] + frames, dontWait: true)
        } catch  where error.code == .hostUnreachable {
            sessions.peerUnreachable(peer)
        } catch {
            // A full pipe to one node must never stall the others: drop; that node's retransmission recovers.
            logger.debug("could not send to a node", metadata: ["error": "\(error)"])
        }
    }

}
