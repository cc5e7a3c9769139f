import Foundation
import KnutepunktConfig
import KnutepunktCore
import KnutepunktStore
import KnutepunktZMQ
import Logging

/// The hub daemon's I/O shell: runs on one dedicated thread, which owns every socket and the store.
///
/// Each turn of the loop drains what the nodes sent (up to `maxBatch` messages), lets ``HubSessionStateMachine``
/// decide, validates every new event again (a hub never trusts a node), writes the whole batch in one fsync'd
/// transaction (group commit) and only then sends the ACKs and NACKs and publishes what was stored.
final class HubReactor {
    /// What async code may ask of the thread.
    enum Command: Sendable {
        case stop
    }

    struct Setup: Sendable {
        var configuration: HubConfiguration
        var taxonomy: Taxonomy
        var thresholds: GapThresholds
        var logger: Logger
        var context: ZMQContext
        var mailbox: ZMQMailbox<Command>
        var ready: ReadySignal<HubService.Endpoints>
        var failure: FailureBox
    }

    /// A refusal to send after the batch commits.
    private struct PendingNack {
        var nodeID: String
        var sequence: UInt64
        var reason: ReasonCode
        var detail: String
    }

    private let setup: Setup
    private var logger: Logger { setup.logger }
    private let store: any HubStore
    private let validator: EventValidator
    private var sessions: HubSessionStateMachine
    private let clock = ContinuousClock()
    private let wake: ZMQSocket
    private let router: ZMQSocket
    private let publisher: ZMQSocket
    private let control: ZMQSocket
    private let grants: [String: HubConfiguration.NodeGrant]
    private let gaps: HubGapMonitor
    /// Events stored so far, kept in memory so STATUS waiters need no query per commit.
    private var storedTotal: Int
    /// STATUS requests waiting for a number of stored events, with their deadlines.
    private var statusWaiters: [(envelope: [[UInt8]], total: Int, deadline: ContinuousClock.Instant)] = []

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
        switch configuration.storage {
        case .sqlite(let path): store = try SQLiteHubStore.open(path: path)
        }
        var opened: [ZMQSocket] = []
        do {
            grants = Dictionary(uniqueKeysWithValues: configuration.nodes.map { ($0.id, $0) })
            sessions = HubSessionStateMachine(
                configuration: .init(hubID: configuration.id, sessionTimeout: configuration.sessionTimeout),
                grants: grants.mapValues { HubSessionStateMachine.Grant(region: $0.region) },
                settled: try store.settledProgress()
            )
            validator = EventValidator(taxonomy: setup.taxonomy)
            storedTotal = try store.counts().total
            gaps = try HubGapMonitor(
                taxonomy: setup.taxonomy,
                thresholds: setup.thresholds,
                store: store,
                logger: setup.logger
            )
            wake = try setup.mailbox.makeReceiver()
            opened.append(wake)
            var link = ZMQLinkSettings.default
            link.maxMessageSize = Int64(configuration.maxMessageBytes)
            router = try setup.context.makeSocket(.router)
            opened.append(router)
            try router.configureLink(link)
            try router.bind(configuration.listenEndpoint)
            publisher = try setup.context.makeSocket(.pub)
            opened.append(publisher)
            try publisher.setOption(.sendHighWaterMark, 100_000)
            try publisher.bind(configuration.publishEndpoint)
            control = try setup.context.makeSocket(.router)
            opened.append(control)
            try control.setOption(.maxMessageSize, Int64(64 << 10))
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
            try? store.close()
            throw error
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
            let routerIndex = poller.add(router)
            let controlIndex = poller.add(control)
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
            if ready[routerIndex].contains(.readable) { ingestBatch() }
            if ready[controlIndex].contains(.readable) { serveControl() }
            for action in sessions.tick(now: clock.now) { perform(action) }
            answerStatusWaiters()
            publishGapChanges(gaps.tick(store: store))
            if ready[wakeIndex].contains(.readable) {
                for command in setup.mailbox.takeAll(from: wake) {
                    switch command {
                    case .stop:
                        // The batch in flight was committed and acknowledged above; stop here.
                        logger.info("hub stopping")
                        return
                    }
                }
            }
        }
    }

    private func close() {
        control.close()
        publisher.close()
        router.close()
        wake.close()
        do {
            try store.close()
        } catch {
            logger.error("closing the store failed", metadata: ["error": "\(error)"])
        }
        logger.info("hub stopped")
    }

    // MARK: - Ingest

    /// Drains up to `maxBatch` node messages, validates new events and commits them in one transaction.
    private func ingestBatch() {
        var batch = HubBatch()
        var nacks: [PendingNack] = []
        var ingests = 0
        let today = LocalDate.today()
        for _ in 0..<setup.configuration.maxBatch {
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
                actions = sessions.received(decoded, from: peer, now: clock.now)
            } catch {
                logger.warning(
                    "malformed message from a node",
                    metadata: ["peer.address": "\(message.peerAddress ?? "?")", "error": "\(error)"]
                )
                actions = sessions.malformed(error, from: peer, now: clock.now)
            }
            for action in actions {
                if case .ingest(let ingest) = action {
                    ingests += 1
                    admit(ingest, today: today, into: &batch, nacks: &nacks)
                } else {
                    perform(action)
                }
            }
        }
        commit(batch, nacks: nacks)
    }

    /// Validates one new event: stored if good, recorded as refused (and NACKed after the commit) if not.
    private func admit(
        _ ingest: HubSessionStateMachine.Ingest,
        today: LocalDate,
        into batch: inout HubBatch,
        nacks: inout [PendingNack]
    ) {
        batch.settled[ingest.nodeID] = max(batch.settled[ingest.nodeID] ?? 0, ingest.sequence)
        func refuse(_ reason: ReasonCode, _ detail: String) {
            batch.rejections.append(
                HubRejectionRecord(
                    source: ingest.nodeID,
                    sequence: ingest.sequence,
                    reason: reason.name,
                    detail: detail
                )
            )
            nacks.append(PendingNack(nodeID: ingest.nodeID, sequence: ingest.sequence, reason: reason, detail: detail))
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
            if event.region != ingest.region {
                refuse(
                    .foreignRegion,
                    "region: node \(ingest.nodeID) reports for \(ingest.region), not \(event.region)"
                )
                return
            }
            batch.events.append(
                HubEventRecord(source: ingest.nodeID, sequence: ingest.sequence, event: event, payload: ingest.payload)
            )
        }
    }

    static func reason(for issues: [ValidationIssue]) -> ReasonCode {
        let codes = Set(issues.map(\.code))
        if codes.contains(.piiNorwegianIdentityNumber) || codes.contains(.piiSwedishPersonalIdentityNumber) {
            return .personalData
        }
        if codes.contains(.unsupportedSchema) { return .unsupportedSchema }
        if codes.contains(.nodeNotInRegion) || codes.contains(.regionMismatch) { return .foreignRegion }
        return .invalidEvent
    }

    private func commit(_ batch: HubBatch, nacks: [PendingNack]) {
        var nacks = nacks
        if !batch.isEmpty {
            let result: HubCommitResult
            do {
                result = try store.commit(batch, receivedAt: Date())
            } catch {
                // Nothing of the batch is stored and nothing is acknowledged: the nodes send it again.
                logger.error(
                    "storing a batch failed; nodes will retransmit",
                    metadata: ["events": "\(batch.events.count)", "error": "\(error)"]
                )
                for action in sessions.batchFailed(now: clock.now) { perform(action) }
                return
            }
            let duplicates = Set(result.duplicateIDs)
            for index in result.duplicateIDs {
                let event = batch.events[index]
                nacks.append(
                    PendingNack(
                        nodeID: event.source,
                        sequence: event.sequence,
                        reason: .duplicateEventID,
                        detail: "event \(event.eventID.uuidString.lowercased()) is already stored"
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
            if !nacks.isEmpty {
                logger.info("events refused", metadata: ["count": "\(nacks.count)"])
            }
        }
        for action in sessions.batchCommitted(now: clock.now) { perform(action) }
    }

    /// Publishes gap changes on `gap.<REGION>.<RULE>`, in sequence order.
    private func publishGapChanges(_ updates: [GapLifecycle.Update]) {
        for update in updates {
            let message = GapUpdate(update, epoch: gaps.epoch)
            do {
                try publisher.send([Array(message.gap.topic.utf8), JSONBody.encode(message)], dontWait: true)
            } catch {
                logger.warning("publishing a gap change failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func publish(_ event: HubEventRecord) {
        do {
            // PUB never blocks: a slow subscriber loses messages at its high-water mark, never the hub.
            try publisher.send([Array("event.\(event.region)".utf8), event.payload], dontWait: true)
        } catch {
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
                lastHeardMillisAgo: session.map { (now - $0.lastHeard).milliseconds },
                settledThrough: sessions.settledThrough(node: grant.id),
                events: counts.bySource[grant.id] ?? 0
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
            nodes: nodes
        )
    }
}
