import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ
import Logging

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
    }

    /// A refusal to send after the batch commits.
    private struct PendingNack {
        var nodeID: String
        var sequence: UInt64
        var reason: ReasonCode
        var detail: String
    }

    /// What one transaction writes, and the refusals to send once it is durable.
    private struct Batch {
        var records = HubBatch()
        var nacks: [PendingNack] = []
    }

    private let setup: Setup
    private var logger: Logger { setup.logger }
    private let store: any HubStore
    /// Commits sealed batches on its own thread.
    private let writer: HubStoreWriter
    /// Where the writer's outcomes arrive (polled).
    private let commitOutcomes: ZMQSocket
    /// The batch filling now.
    private var open = Batch()
    /// The batch the writer is committing; nil when it is idle.
    private var sealed: Batch?
    private let validator: EventValidator
    private var sessions: HubSessionStateMachine
    private let clock = ContinuousClock()
    private let wake: ZMQSocket
    private let router: ZMQSocket
    private let publisher: ZMQSocket
    private let control: ZMQSocket
    private let gaps: HubGapMonitor
    /// The ZAP handler (nil in plaintext): bound before any other socket, so no connection is ever let in unasked.
    private let zap: ZAPHandler?
    /// Connections and messages refused for security reasons, by reason, since start.
    private var refusals: [String: Int] = [:]
    /// One log line per kind of refusal or malformed message at once, then one per interval: a peer cannot flood it.
    private var logThrottle = LogThrottle()
    /// Events published on `event.<REGION>` since start (the number the next one carries, minus one).
    private var publishedEvents: UInt64 = 0
    /// Events stored so far, kept in memory so STATUS waiters need no query per commit.
    private var storedTotal: Int
    /// STATUS requests waiting for a number of stored events, with their deadlines.
    private var statusWaiters: [(envelope: [[UInt8]], total: Int, deadline: ContinuousClock.Instant)] = []
    /// When each node was last heard from (wall clock, so it means something after a restart); loaded from the store.
    private var lastHeard: [String: Date]
    /// Contacts not yet written to the store; written every ``contactFlushInterval`` and at stop.
    private var unrecordedContacts: [String: Date] = [:]
    private var nextContactFlush: ContinuousClock.Instant
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
        var openedZAP: ZAPHandler?
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
            validator = EventValidator(taxonomy: setup.taxonomy)
            storedTotal = try store.counts().total
            lastHeard = try store.lastHeard()
            nextContactFlush = ContinuousClock.now + Self.contactFlushInterval
            gaps = try HubGapMonitor(
                taxonomy: setup.taxonomy,
                thresholds: setup.thresholds,
                daemonRegions: Dictionary(
                    configuration.nodes.map { ($0.id, $0.region) },
                    uniquingKeysWith: { a, _ in a }
                ),
                store: store,
                logger: setup.logger
            )
            let curve: HubConfiguration.Curve?
            switch (configuration.curve, setup.insecure) {
            case (_, true):
                curve = nil
                zap = nil
            case (let keys?, false):
                curve = keys
                // Before any socket binds: until a handler is bound, libzmq lets every CURVE client in.
                let handler = try ZAPHandler(context: setup.context)
                openedZAP = handler
                zap = handler
            case (nil, false):
                throw DaemonStartError(
                    code: .noKeys,
                    message: """
                        the hub has no CURVE keys (hub.curve in its configuration): generate them with \
                        `knutepunkt keys generate --out DIR --name hub`, list each node's public key under \
                        hub.nodes[].publicKeys, or run with --insecure to run in plaintext without authentication
                        """
                )
            }
            func secure(_ socket: ZMQSocket, domain: String) throws {
                guard let curve else { return }
                try socket.setOption(.curveServer, true)
                try socket.setOption(.curveSecretKey, curve.secretKey)
                try socket.setOption(.zapDomain, domain)
            }
            wake = try setup.mailbox.makeReceiver()
            opened.append(wake)
            writer = try HubStoreWriter(store: store, context: setup.context)
            startedWriter = writer
            commitOutcomes = try writer.makeReceiver()
            opened.append(commitOutcomes)
            var link = ZMQLinkSettings.default
            link.maxMessageSize = Int64(configuration.maxMessageBytes)
            router = try setup.context.makeSocket(.router)
            opened.append(router)
            try router.configureLink(link)
            try secure(router, domain: CurveKeyring.nodeDomain)
            try router.bind(configuration.listenEndpoint)
            publisher = try setup.context.makeSocket(.pub)
            opened.append(publisher)
            try publisher.setOption(.sendHighWaterMark, configuration.publishHighWaterMark)
            // A PUB reads only subscriptions: nothing larger than a topic is ever needed.
            try publisher.setOption(.maxMessageSize, Int64(4 << 10))
            try secure(publisher, domain: CurveKeyring.viewerDomain)
            try publisher.bind(configuration.publishEndpoint)
            control = try setup.context.makeSocket(.router)
            opened.append(control)
            try control.setOption(.maxMessageSize, Int64(64 << 10))
            try secure(control, domain: CurveKeyring.viewerDomain)
            try control.bind(configuration.controlEndpoint)
            setup.ready.fulfil(
                HubService.Endpoints(
                    listen: try router.lastEndpoint,
                    publish: try publisher.lastEndpoint,
                    control: try control.lastEndpoint
                )
            )
        } catch {
            for socket in opened { socket.close() }
            startedWriter?.stop()
            openedZAP?.close()
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

    private func loop() {
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
                    storedEvents: storedTotal
                )
            }
            recordContactsIfDue()
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
                    }
                }
            }
        }
    }

    private func close() {
        nextContactFlush = clock.now
        recordContactsIfDue()
        zap?.close()
        control.close()
        publisher.close()
        router.close()
        wake.close()
        writer.stop()
        commitOutcomes.close()
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
    private func ingestBatch() {
        var ingests = 0
        let today = LocalDate.today()
        // A batch holds about maxBatch events (a message may carry more than one): a bounded commit, and while it
        // runs the nodes' next events fill the next batch instead of waiting behind one huge transaction.
        for _ in 0..<setup.configuration.maxBatch where open.records.events.count < setup.configuration.maxBatch {
            let message: ZMQMessage?
            do {
                message = try router.receive(dontWait: true)
            } catch {
                logger.warning("receiving from a node failed", metadata: ["error": "\(error)"])
                break
            }
            guard let message else { break }
            guard let peer = message.frames.first, message.frames.count >= 2 else { continue }
            let actions: [HubSessionStateMachine.Action]
            do {
                let decoded = try WireCodec.decode(Array(message.frames.dropFirst()))
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

    /// Notes a sign of life from a node with a session (any message counts).
    private func heard(_ node: String) {
        let now = Date()
        lastHeard[node] = now
        unrecordedContacts[node] = now
    }

    /// Writes the last-heard times gathered since the last write, at most every ``contactFlushInterval``.
    private func recordContactsIfDue() {
        guard !unrecordedContacts.isEmpty, clock.now >= nextContactFlush else { return }
        nextContactFlush = clock.now + Self.contactFlushInterval
        do {
            try store.recordLastHeard(unrecordedContacts)
            unrecordedContacts = [:]
        } catch {
            // Only liveness bookkeeping: keep them and try again at the next interval.
            logger.warning("recording when nodes were last heard failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Security

    /// Answers the ZAP handler's questions: is this key allowed on this socket?
    private func authenticate() {
        do {
            let decided = try zap?.serve { request in
                switch sessions.admission.connection(
                    domain: request.domain,
                    mechanism: request.mechanism,
                    publicKey: request.curvePublicKey
                ) {
                case .allowed(let userID): .allow(userID: userID)
                case .refused(let reason): .deny(reason: reason)
                }
            }
            for (request, decision) in decided ?? [] {
                guard case .deny(let reason) = decision else { continue }
                refusals["connection refused", default: 0] += 1
                logger.warning(
                    "connection refused",
                    metadata: [
                        "peer.address": "\(request.address)", "zap.domain": "\(request.domain)",
                        "mechanism": "\(request.mechanism)", "reason": "\(reason)",
                    ]
                )
            }
        } catch {
            logger.error("the ZAP handler failed", metadata: ["error": "\(error)"])
        }
    }

    /// Counts a message the admission policy refused, and logs it (at most one line per kind per interval).
    private func refused(_ refusal: HubAdmission.Refusal, address: String?) {
        refusals[refusal.counter, default: 0] += 1
        guard let suppressed = logThrottle.admit(refusal.counter, now: clock.now) else { return }
        logger.warning(
            "message refused",
            metadata: [
                "peer.address": "\(address ?? "?")", "refusal": "\(refusal.counter)", "reason": "\(refusal.detail)",
                "suppressed.since.last": "\(suppressed)",
            ]
        )
    }

    /// Takes what may change while running from a configuration read again: the whole admission policy (node keys,
    /// grants and regions, the rate limit) at once, and the viewer keys. Other changes need a restart, and the log
    /// says which.
    private func reload(_ configuration: HubConfiguration) {
        let (change, actions) = sessions.replaceAdmission(
            with: HubAdmission.Policy(configuration, insecure: setup.insecure)
        )
        for action in actions { perform(action) }
        let restart = HubReload.needsRestart(from: setup.configuration, to: configuration)
        logger.info(
            "configuration reloaded",
            metadata: [
                "keys.added": "\(change.keysAdded)", "keys.removed": "\(change.keysRemoved)",
                "nodes.added": "\(change.nodesAdded.joined(separator: ","))",
                "nodes.removed": "\(change.nodesRemoved.joined(separator: ","))",
                "regions.changed": "\(change.regionsChanged.joined(separator: ","))",
                "needs.restart": "\(restart.isEmpty ? "nothing" : restart.joined(separator: ", "))",
            ]
        )
    }

    /// Validates one new event: stored if good, recorded as refused (and NACKed after the commit) if not.
    private func admit(_ ingest: HubSessionStateMachine.Ingest, today: LocalDate, into batch: inout Batch) {
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
        let object: JSONValue
        do {
            object = try JSONValue.parse(ingest.payload)
        } catch {
            refuse(.malformedPayload, "the payload is not JSON: \(error)")
            return
        }
        // No defaults at the hub: the event must say everything itself, its id included.
        switch validator.validate(object, defaults: .hub, today: today) {
        case .failure(let failure):
            let reason = Self.reason(for: failure.issues)
            refuse(reason, failure.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
        case .success(let event):
            // Attribute the event to the sender, never to what the payload claims.
            if let refusal = sessions.admission.attribution(of: event.region, from: ingest.nodeID) {
                refusals[refusal.counter, default: 0] += 1
                refuse(refusal.reason, refusal.detail)
                return
            }
            batch.records.events.append(
                HubEventRecord(source: ingest.nodeID, sequence: ingest.sequence, event: event, payload: ingest.payload)
            )
        }
    }

    /// An ISO 8601 UTC timestamp with milliseconds, as status reports show times.
    static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        )
    }

    static func reason(for issues: [ValidationIssue]) -> ReasonCode {
        .refusing(issues)
    }

    // MARK: - Commit

    /// Seals the open batch and hands it to the writer, unless the writer is still committing the previous one (it
    /// is sealed when that one settles). An empty batch settles at once: it may still owe ACKs for duplicates.
    private func sealIfIdle() {
        guard sealed == nil else { return }
        let batch = open
        open = Batch()
        sessions.sealBatch()
        if batch.records.isEmpty {
            settle(batch, .committed(HubCommitResult()))
        } else {
            sealed = batch
            writer.submit(batch.records, receivedAt: Date())
        }
    }

    /// Takes the writer's outcome for the sealed batch, acts on it, and seals the next batch.
    private func settleCommits() {
        for outcome in writer.outcomes(from: commitOutcomes) {
            guard let batch = sealed else {
                preconditionFailure("a commit outcome without a sealed batch")
            }
            sealed = nil
            settle(batch, outcome)
        }
        sealIfIdle()
    }

    /// Before stopping: waits for the batch being committed, then commits what the open batch holds and waits for
    /// that too, so everything received is stored and acknowledged (or, on a failed commit, resent by the nodes).
    private func drain() {
        sealIfIdle()
        // Each settled commit seals the open batch next (settleCommits), and nothing is received meanwhile.
        for waited in 0..<Self.drainSeconds where sealed != nil {
            if waited > 0, waited % 10 == 0 {
                logger.warning(
                    "still waiting for the store to commit the last batch",
                    metadata: ["seconds": "\(waited)"]
                )
            }
            var poller = ZMQPoller()
            let index = poller.add(commitOutcomes)
            do {
                if try poller.poll(timeout: .seconds(1))[index].contains(.readable) { settleCommits() }
            } catch {
                logger.error("waiting for the last commit failed", metadata: ["error": "\(error)"])
                return
            }
        }
        if sealed != nil {
            logger.error("stopping without the last commit's outcome; the nodes resend what it held")
        }
    }

    /// After a commit ended: on success, sends the NACKs, publishes what was stored and sends the ACKs; on failure,
    /// drops the open batch too (its events follow the failed ones) and lets the nodes resend.
    private func settle(_ sealedBatch: Batch, _ outcome: HubStoreWriter.Outcome) {
        let batch = sealedBatch.records
        var nacks = sealedBatch.nacks
        let result: HubCommitResult
        switch outcome {
        case .failed(let error):
            // Nothing of the batch is stored and nothing is acknowledged: the nodes send it again.
            logger.error(
                "storing a batch failed; nodes will retransmit",
                metadata: ["events": "\(batch.events.count)", "error": "\(error)"]
            )
            open = Batch()
            for action in sessions.sealedBatchFailed(now: clock.now) { perform(action) }
            return
        case .committed(let committed):
            result = committed
        }
        if !batch.isEmpty {
            // Neither refused duplicates nor resends already in the store are published or counted again.
            let duplicates = Set(result.duplicateIDs).union(result.alreadyStored)
            for index in result.duplicateIDs {
                let event = batch.events[index]
                nacks.append(
                    PendingNack(
                        nodeID: event.source,
                        sequence: event.sequence,
                        reason: .duplicateEventID,
                        detail: "event \(event.eventID.lowercasedText) is already stored"
                    )
                )
            }
            nacks.sort { ($0.nodeID, $0.sequence) < ($1.nodeID, $1.sequence) }
            for nack in nacks {
                guard let peer = peer(of: nack.nodeID) else { continue }
                send(
                    WireCodec.encode(
                        .nack(WireMessage.Nack(sequence: nack.sequence, reason: nack.reason, detail: nack.detail))
                    ),
                    to: peer
                )
            }
            var stored: [HubEventRecord] = []
            for (index, event) in batch.events.enumerated() where !duplicates.contains(index) {
                publish(event)
                stored.append(event)
            }
            gaps.stored(stored)
            storedTotal += batch.events.count - duplicates.count
            setup.metrics.committed(stored: batch.events.count - duplicates.count, refused: nacks.map(\.reason.name))
            if !nacks.isEmpty {
                logger.info("events refused", metadata: ["count": "\(nacks.count)"])
            }
        }
        for action in sessions.sealedBatchCommitted(now: clock.now) { perform(action) }
    }

    /// Publishes gap changes on `gap.<REGION>.<RULE>`, in sequence order.
    private func publishGapChanges(_ updates: [GapLifecycle.Update]) {
        for update in updates {
            let message = GapUpdate(update, epoch: gaps.epoch)
            do {
                try publisher.send([Array(message.gap.topic.utf8), JSONBody.encode(message)], dontWait: true)
                setup.metrics.published("gap")
            } catch {
                setup.metrics.published("gap", failed: true)
                logger.warning("publishing a gap change failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func publish(_ event: HubEventRecord) {
        do {
            // PUB never blocks: a slow subscriber loses messages at its high-water mark, never the hub. The third
            // frame numbers the published events of this hub run (1, 2, 3, …), so a subscriber sees what it lost.
            publishedEvents += 1
            try publisher.send(
                [Array("event.\(event.region)".utf8), event.payload, WireFrame.bytes(publishedEvents)],
                dontWait: true
            )
            setup.metrics.published("event")
        } catch {
            setup.metrics.published("event", failed: true)
            logger.warning("publishing failed", metadata: ["error": "\(error)"])
        }
    }

    private func peer(of nodeID: String) -> HubSessionStateMachine.Peer? {
        sessions.sessions.first { $0.nodeID == nodeID }?.peer
    }

    private func perform(_ action: HubSessionStateMachine.Action) {
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

    private func send(_ frames: [[UInt8]], to peer: HubSessionStateMachine.Peer) {
        do {
            try router.send([peer] + frames, dontWait: true)
        } catch  where error.code == .hostUnreachable {
            sessions.peerUnreachable(peer)
        } catch {
            // A full pipe to one node must never stall the others: drop; that node's retransmission recovers.
            logger.debug("could not send to a node", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Control

    private func serveControl() {
        for _ in 0..<64 {
            let received: ZMQMessage?
            do {
                received = try control.receive(dontWait: true)
            } catch {
                break
            }
            guard let received, let (envelope, rest) = ControlCodec.splitEnvelope(received.frames) else { break }
            let reply: ControlMessage
            do {
                let request = try ControlCodec.decode(rest)
                switch request.command {
                case .status:
                    let wanted = (try? JSONBody.decode(StatusRequest.self, from: request.body)) ?? StatusRequest()
                    if let total = wanted.waitForTotal, storedTotal < total {
                        statusWaiters.append((envelope, total, clock.now + wanted.timeout))
                        continue
                    }
                    reply = statusReply()
                case .gaps:
                    reply = ControlMessage(command: .gapSnapshot, body: JSONBody.encode(gaps.snapshot))
                default:
                    reply = ControlMessage(
                        command: .error,
                        body: JSONBody.encode(
                            ControlFailure(
                                code: ControlFailure.malformedRequestCode,
                                message: "the hub answers STATUS and GAPS only"
                            )
                        )
                    )
                }
            } catch {
                reply = ControlMessage(
                    command: .error,
                    body: JSONBody.encode(
                        ControlFailure(code: ControlFailure.malformedRequestCode, message: "\(error)")
                    )
                )
            }
            do {
                try control.send(envelope + ControlCodec.encode(reply), dontWait: true)
            } catch {
                logger.debug("could not answer a control request", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Answers STATUS requests whose event count was reached or whose wait is over.
    private func answerStatusWaiters() {
        guard !statusWaiters.isEmpty else { return }
        let now = clock.now
        var waiting: [(envelope: [[UInt8]], total: Int, deadline: ContinuousClock.Instant)] = []
        for waiter in statusWaiters {
            if storedTotal >= waiter.total || now >= waiter.deadline {
                do {
                    try control.send(waiter.envelope + ControlCodec.encode(statusReply()), dontWait: true)
                } catch {
                    logger.debug("could not answer a control request", metadata: ["error": "\(error)"])
                }
            } else {
                waiting.append(waiter)
            }
        }
        statusWaiters = waiting
    }

    private func statusReply() -> ControlMessage {
        do {
            return ControlMessage(command: .statusReply, body: JSONBody.encode(try statusReport()))
        } catch {
            return ControlMessage(
                command: .error,
                body: JSONBody.encode(ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
            )
        }
    }

    private func statusReport() throws -> HubStatusReport {
        let counts = try store.counts()
        let now = clock.now
        let live = Dictionary(sessions.sessions.map { ($0.nodeID, $0) }, uniquingKeysWith: { a, _ in a })
        let nodes = setup.configuration.nodes.map { grant in
            let session = live[grant.id]
            return HubStatusReport.NodeState(
                id: grant.id,
                region: grant.region,
                connected: session != nil,
                lastHeardMillisAgo: session.map { (now - $0.lastHeard).milliseconds }
                    ?? lastHeard[grant.id].map { Int64(Date().timeIntervalSince($0) * 1000) },
                settledThrough: sessions.settledThrough(node: grant.id),
                events: counts.bySource[grant.id] ?? 0,
                lastHeardAt: lastHeard[grant.id].map(Self.timestamp)
            )
        }
        return HubStatusReport(
            hub: setup.configuration.id,
            version: KnutepunktVersion.current,
            storage: "\(setup.configuration.storage)",
            events: .init(
                total: counts.total,
                rejected: counts.rejected,
                byRegion: counts.byRegion,
                byNode: counts.byNode
            ),
            nodes: nodes,
            security: .init(mode: zap == nil ? "insecure" : "curve", refused: refusals)
        )
    }
}
