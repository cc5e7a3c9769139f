import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ
import Logging
import Tracing

/// The node daemon's I/O shell: runs on one dedicated thread, which owns every socket and the outbox.
///
/// Sockets: a ROUTER on the control endpoint (coordinators submit, ops ask for status), a DEALER to the hub, and the
/// mailbox receiver through which async code asks the thread to stop. The protocol decisions live in
/// ``UplinkStateMachine``; this type only moves bytes, reads and writes the outbox, and keeps time.
final class NodeReactor {
    /// What async code may ask of the thread.
    enum Command: Sendable {
        case stop
        /// The node's taxonomy file was read again (SIGHUP).
        case taxonomyFile(Taxonomy, document: String)
    }

    /// Everything the thread needs, handed over in one `Sendable` value.
    struct Setup: Sendable {
        var configuration: NodeConfiguration
        var taxonomy: Taxonomy
        /// Plaintext towards the hub (`--insecure`): for a lab only.
        var insecure: Bool
        var logger: Logger
        var context: ZMQContext
        var mailbox: ZMQMailbox<Command>
        var ready: ReadySignal<NodeService.Endpoints>
        var failure: FailureBox
        /// Metrics and health (`/metrics`, `/healthz`, `/readyz`).
        var metrics: NodeMetrics = .disabled
        /// Where spans go (docs/tracing.md).
        var tracer: any Tracer = NoOpTracer()
    }

    /// How long a stopping node keeps talking to the hub so that events in flight get their ACK.
    static let shutdownGrace: Duration = .seconds(2)
    /// Most control messages served in one turn of the loop (one outbox transaction).
    static let controlBatch = 256
    /// Most hub messages handled in one turn of the loop.
    static let hubBatch = 1024
    /// How often settled events older than the retention period are deleted.
    static let pruneInterval: Duration = .seconds(600)

    let setup: Setup
    var logger: Logger { setup.logger }
    let outbox: OutboxStore
    /// When the outbox's size is measured next, for the metrics.
    var nextOutboxSize = ContinuousClock.now
    var validator: EventValidator
    var uplink: UplinkStateMachine
    /// The taxonomy in force, and its version when the hub announced it.
    var reference: NodeReference
    /// The months the hub has locked (PERIODS, KPN/1.3), enforced before anything is queued; empty until the hub
    /// has sent them (the hub enforces them regardless).
    var periodLocks = PeriodLocks()
    /// Whether the hub has sent its locks in the current session (its first set of a session is taken whatever its
    /// version).
    var periodLocksThisSession = false
    var referenceFollower: ReferenceFollowerStateMachine
    /// Whether the reference follower was last told of an open session.
    var referenceSessionOpen = false
    let clock = ContinuousClock()
    /// Keeps a broken or hostile client (or hub) from flooding the log with one line per bad message.
    var logThrottle = LogThrottle()
    private let wake: ZMQSocket
    private var control: ZMQSocket?
    private var hub: ZMQSocket?
    var lastAssigned: UInt64
    private var stopDeadline: ContinuousClock.Instant?
    /// STATUS requests waiting for the outbox to drain, with their deadlines.
    private var statusWaiters: [(request: Request, deadline: ContinuousClock.Instant)] = []
    private var nextPrune: ContinuousClock.Instant
    /// Which of `configuration.hubEndpoints` the uplink talks to now (0: the primary).
    private var hubIndex = 0
    /// When the uplink moved to a backup hub; it tries the primary again `failbackAfter` later.
    private var onBackupSince: ContinuousClock.Instant?
    private var currentHub: String { setup.configuration.hubEndpoints[hubIndex] }

    /// Runs the daemon until it is told to stop. Errors at start are reported through `setup.ready`.
    static func run(_ setup: Setup) {
        let reactor: NodeReactor
        do {
            reactor = try NodeReactor(setup)
        } catch {
            setup.logger.error("node failed to start", metadata: ["error": "\(error)"])
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
        if configuration.curve == nil, !setup.insecure {
            throw DaemonStartError(
                code: .noKeys,
                message: """
                    the node has no CURVE keys (node.curve in its configuration): generate its key pair with \
                    `knutepunkt keys generate --out DIR --name \(configuration.id)`, give the .pub file to the hub's \
                    operators, set node.curve.secretKey and node.curve.hubPublicKey, or run with --insecure to talk \
                    to the hub in plaintext without authentication
                    """
            )
        }
        outbox = try OutboxStore.open(path: configuration.outboxPath)
        var opened: [ZMQSocket] = []
        do {
            let positions = try outbox.positions()
            lastAssigned = positions.lastSequence
            // The locked months learnt before a restart hold until the hub sends newer ones.
            periodLocks = try outbox.periodLocks()
            uplink = UplinkStateMachine(
                nodeID: configuration.id,
                software: "knutepunkt/\(KnutepunktVersion.current)",
                configuration: configuration.uplink,
                lastAssigned: positions.lastSequence,
                settledThrough: positions.settledThrough,
                greetedBefore: try outbox.greeted()
            )
            reference = NodeReference(
                outboxPath: configuration.outboxPath,
                file: setup.taxonomy,
                fileDocument: (try? String(contentsOfFile: configuration.taxonomyPath, encoding: .utf8)) ?? ""
            )
            referenceFollower = ReferenceFollowerStateMachine(held: reference.version ?? 0)
            validator = EventValidator(taxonomy: reference.taxonomy)
            wake = try setup.mailbox.makeReceiver()
            opened.append(wake)
            let control = try setup.context.makeSocket(.router)
            opened.append(control)
            // Requests up to the hard ceiling are read and, above maxMessageBytes, answered TOO_LARGE.
            try control.setOption(
                .maxMessageSize,
                Int64(WireLimits.controlFrameCeiling(requestLimit: configuration.maxMessageBytes))
            )
            try control.bind(configuration.controlEndpoint)
            self.control = control
            nextPrune = clock.now
            setup.ready.fulfil(NodeService.Endpoints(control: try control.lastEndpoint))
        } catch {
            for socket in opened { socket.close() }
            try? outbox.close()
            throw error
        }
        if setup.insecure {
            logger.warning("running INSECURE (--insecure): plaintext to the hub, no authentication")
        }
        logger.info(
            "node started",
            metadata: [
                "region": "\(configuration.region)", "hubs": "\(configuration.hubEndpoints.joined(separator: " "))",
                "control": "\(configuration.controlEndpoint)", "outbox.last": "\(lastAssigned)",
            ]
        )
        openHubSocket()
        perform(uplink.connected(now: clock.now))
    }

    // MARK: - Loop

    private func loop() {
        while true {
            let now = clock.now
            if let stopDeadline {
                // Greeting counts too: a hub that has just come back may still welcome us and take the backlog.
                guard now < stopDeadline, uplink.settledThrough < lastAssigned else { return }
            }
            var poller = ZMQPoller()
            let wakeIndex = poller.add(wake)
            let controlIndex = control.map { poller.add($0) }
            let hubIndex = hub.map { poller.add($0) }
            var timeout: Duration = .seconds(1)
            if let deadline = uplink.nextDeadline { timeout = max(.zero, min(timeout, deadline - now)) }
            if let deadline = referenceFollower.nextDeadline { timeout = max(.zero, min(timeout, deadline - now)) }
            if let stopDeadline { timeout = max(.zero, min(timeout, stopDeadline - now)) }
            let ready: [ZMQPollEvents]
            do {
                ready = try poller.poll(timeout: timeout)
            } catch {
                logger.critical("polling failed; stopping", metadata: ["error": "\(error)"])
                setup.failure.record(error)
                return
            }
            if ready[wakeIndex].contains(.readable) {
                for command in setup.mailbox.takeAll(from: wake) {
                    switch command {
                    case .stop: beginStopping()
                    case .taxonomyFile(let taxonomy, let document): taxonomyFileReloaded(taxonomy, document: document)
                    }
                }
            }
            if let controlIndex, ready[controlIndex].contains(.readable) { serveControl() }
            if let hubIndex, ready[hubIndex].contains(.readable) { drainHub() }
            perform(uplink.tick(now: clock.now))
            followReference()
            failBackIfDue()
            answerStatusWaiters()
            pruneIfDue()
            setup.metrics.observe(now: clock.now) {
                NodeMetrics.Observation(
                    outboxDepth: lastAssigned - min(lastAssigned, uplink.settledThrough),
                    hubLink: uplink.phase.name,
                    outboxBytes: outboxSizeIfDue()
                )
            }
        }
    }

    /// Stops accepting submissions at once; keeps the uplink for at most ``shutdownGrace`` so that what is in flight
    /// (or still queued) gets its ACK, and exits as soon as the outbox is drained. Nothing depends on that: every
    /// accepted event is in the outbox and is sent again after a restart.
    private func beginStopping() {
        guard stopDeadline == nil else { return }
        control?.close()
        control = nil
        stopDeadline = clock.now + Self.shutdownGrace
        logger.info(
            "node stopping",
            metadata: ["outbox.last": "\(lastAssigned)", "settled": "\(uplink.settledThrough)"]
        )
    }

    private func close() {
        control?.close()
        hub?.close()
        wake.close()
        do {
            try outbox.close()
        } catch {
            logger.error("closing the outbox failed", metadata: ["error": "\(error)"])
        }
        logger.info(
            "node stopped",
            metadata: ["outbox.last": "\(lastAssigned)", "settled": "\(uplink.settledThrough)"]
        )
    }

    private func pruneIfDue() {
        let now = clock.now
        guard now >= nextPrune else { return }
        nextPrune = now + Self.pruneInterval
        let seconds = Double(setup.configuration.retention.components.seconds)
        do {
            let removed = try outbox.pruneSettled(before: Date().addingTimeInterval(-seconds))
            if removed > 0 { logger.info("pruned settled events past retention", metadata: ["count": "\(removed)"]) }
        } catch {
            logger.error("pruning the outbox failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - Hub link

    private func openHubSocket() {
        do {
            let socket = try setup.context.makeSocket(.dealer)
            do {
                var link = ZMQLinkSettings.default
                link.maxMessageSize = Int64(setup.configuration.maxMessageBytes)
                try socket.configureLink(link)
                if !setup.insecure, let curve = setup.configuration.curve {
                    try socket.setOption(.curveServerKey, curve.hubPublicKey)
                    try socket.setOption(.curvePublicKey, curve.publicKey)
                    try socket.setOption(.curveSecretKey, curve.secretKey)
                }
                // Not IMMEDIATE: the HELLO sent right after connect must wait in the pipe for the TCP handshake rather
                // than be refused. Whatever queues while the hub is away is bounded by the HWM, and is harmless: each
                // reconnect opens a fresh socket (LINGER 0 drops the old queue), and the outbox stays the truth.
                try socket.connect(currentHub)
            } catch {
                socket.close()
                throw error
            }
            hub = socket
        } catch {
            logger.error("cannot open the hub socket; retrying", metadata: ["error": "\(error)"])
            hub = nil
        }
    }

    /// Closes the uplink and greets the hub at `index` on a fresh socket.
    private func switchHub(to index: Int) {
        hubIndex = index
        onBackupSince = index == 0 ? nil : clock.now
        hub?.close()
        hub = nil
        openHubSocket()
        perform(uplink.connected(now: clock.now))
    }

    /// After `failbackAfter` on a backup hub, tries the primary again; if it does not answer, the greeting times
    /// out and the uplink moves on to the backup once more.
    private func failBackIfDue() {
        guard let since = onBackupSince, stopDeadline == nil,
            clock.now >= since + setup.configuration.failbackAfter, case .ready = uplink.phase
        else { return }
        logger.info("trying the primary hub again", metadata: ["hub": "\(setup.configuration.hubEndpoint)"])
        switchHub(to: 0)
    }

    private func drainHub() {
        for _ in 0..<Self.hubBatch {
            guard let socket = hub else { return }
            let message: ZMQMessage?
            do {
                message = try socket.receive(dontWait: true)
            } catch {
                logger.warning("receiving from the hub failed", metadata: ["error": "\(error)"])
                return
            }
            guard let message else { return }
            if PeriodsMessage.isPeriods(message.frames), let periods = try? PeriodsMessage.decode(message.frames) {
                received(periods)
                continue
            }
            if ReferenceMessage.isReference(message.frames),
                let reference = try? ReferenceMessage.decode(message.frames)
            {
                received(reference)
                continue
            }
            do {
                let decoded = try WireCodec.decode(message.frames)
                if case .welcome = decoded { periodLocksThisSession = false }
                perform(uplink.received(decoded, now: clock.now))
            } catch {
                if let suppressed = logThrottle.admit("undecodable", now: clock.now) {
                    logger.warning(
                        "undecodable message from the hub",
                        metadata: ["error": "\(error)", "suppressed.since.last": "\(suppressed)"]
                    )
                }
            }
        }
    }

    func sendFramesToHub(_ frames: [[UInt8]]) { sendToHub(frames) }

    private func sendToHub(_ frames: [[UInt8]]) {
        guard let hub else { return }
        do {
            // A full queue is not an error: the state machine retransmits what the hub does not acknowledge.
            try hub.send(frames, dontWait: true)
        } catch {
            logger.warning("sending to the hub failed", metadata: ["error": "\(error)"])
        }
    }

    func perform(_ actions: [UplinkStateMachine.Action]) {
        for action in actions {
            switch action {
            case .reconnect:
                // The current hub stopped answering: try the next one (with one hub, the same one again).
                let from = currentHub
                switchHub(to: (hubIndex + 1) % setup.configuration.hubEndpoints.count)
                logger.info(
                    "reconnecting to the hub",
                    metadata: [
                        "hub": "\(currentHub)", "previous": "\(from)",
                        "greeting.timeout": "\(uplink.greetingTimeout)",
                    ]
                )
            case .send(let message):
                sendToHub(WireCodec.encode(message))
            case .sendEvents(let range):
                sendEvents(range)
            case .markSettled(let through):
                setup.metrics.acknowledged(through: through, now: clock.now)
                do {
                    try outbox.markSettled(through: through)
                } catch {
                    // The hub holds them; the outbox catches up from the next WELCOME after a restart.
                    logger.error("recording delivery failed", metadata: ["through": "\(through)", "error": "\(error)"])
                }
            case .markAlreadyStored(let sequence, let detail):
                do {
                    try outbox.markAlreadyStored(sequence: sequence, detail: detail)
                } catch {
                    logger.error(
                        "recording a version already at the hub failed",
                        metadata: ["sequence": "\(sequence)", "error": "\(error)"]
                    )
                }
            case .markRejected(let sequence, let reason, let detail):
                setup.metrics.rejectedByHub(reason.name)
                logger.warning(
                    "hub rejected an event",
                    metadata: ["sequence": "\(sequence)", "reason": "\(reason.name)", "detail": "\(detail)"]
                )
                do {
                    try outbox.markRejected(
                        sequence: sequence,
                        code: reason.rawValue,
                        reason: "\(reason.name): \(detail)"
                    )
                } catch {
                    logger.error(
                        "recording a rejection failed",
                        metadata: ["sequence": "\(sequence)", "error": "\(error)"]
                    )
                }
            case .advanceSequence(let floor):
                logger.error(
                    "the hub has settled sequences this outbox never assigned; numbering continues after them",
                    metadata: ["hub.settled": "\(floor)", "outbox.last": "\(lastAssigned)"]
                )
                do {
                    try outbox.advanceSequence(to: floor)
                    lastAssigned = try outbox.positions().lastSequence
                } catch {
                    logger.critical("cannot move the sequence forward", metadata: ["error": "\(error)"])
                }
            case .greeted:
                do {
                    try outbox.markGreeted()
                } catch {
                    logger.error("recording the first greeting failed", metadata: ["error": "\(error)"])
                }
            case .protocolProblem(let text):
                logger.warning("protocol problem", metadata: ["detail": "\(text)"])
            }
        }
    }

    private func sendEvents(_ range: ClosedRange<UInt64>) {
        let items: [(sequence: UInt64, payload: [UInt8])]
        do {
            items = try outbox.payloads(range)
        } catch {
            logger.error("reading the outbox failed", metadata: ["error": "\(error)"])
            return
        }
        guard let first = items.first else {
            logger.error(
                "the hub asks for events no longer in the outbox (past retention)",
                metadata: ["from": "\(range.lowerBound)", "through": "\(range.upperBound)"]
            )
            return
        }
        // Only a consecutive run can go in one EVENT; a hole can only come from pruning at the start of the range.
        var payloads: [[UInt8]] = []
        payloads.reserveCapacity(items.count)
        // A hub of KPN/1.0 reads schema 1.0: first versions go without their submitter (corrections and
        // withdrawals cannot be said in 1.0; they go as they are, and such a hub refuses them).
        let schemaOneZero = (uplink.version ?? .current) < .versions
        let belowReferenceData = (uplink.version ?? .current) < .referenceData
        for (offset, item) in items.enumerated() {
            guard item.sequence == first.sequence + UInt64(offset) else { break }
            let payload = Self.payload(item.payload, below: belowReferenceData)
            payloads.append(schemaOneZero ? ActivityEvent.schemaOneZeroPayload(payload) ?? payload : payload)
        }
        if first.sequence != range.lowerBound {
            logger.error(
                "events the hub asks for were pruned; sending what is left",
                metadata: ["from": "\(range.lowerBound)", "first.available": "\(first.sequence)"]
            )
        }
        // Within the hub's limit per message (the sum of the frames): a batch too large goes as several EVENTs.
        for batch in WireMessage.EventBatch.split(
            firstSequence: first.sequence,
            payloads: payloads,
            maxMessageBytes: setup.configuration.maxMessageBytes
        ) {
            sendToHub(WireCodec.encode(.events(batch)))
        }
        setup.metrics.sent(through: first.sequence + UInt64(payloads.count) - 1, now: clock.now)
    }

    // MARK: - Control endpoint

    /// One request read from the control socket, with the envelope to answer on.
    struct Request {
        var envelope: [[UInt8]]
        var message: ControlMessage
    }

    private func serveControl() {
        var submissions: [(request: Request, submit: SubmitRequest)] = []
        for _ in 0..<Self.controlBatch {
            guard let control else { break }
            let received: ZMQMessage?
            do {
                received = try control.receive(
                    dontWait: true,
                    keepingAtMost: setup.configuration.maxMessageBytes + WireLimits.envelopeAllowance
                )
            } catch {
                logger.warning("receiving a control request failed", metadata: ["error": "\(error)"])
                break
            }
            guard let received else { break }
            guard let request = decodeRequest(received) else { continue }
            switch request.message.command {
            case .submit:
                switch SubmitRequest.parse(request.message.body) {
                case .success(let submit): submissions.append((request, submit))
                case .failure(let failure): replyFailure(request, failure)
                }
            case .withdraw:
                withdraw(request)
            case .events:
                listEvents(request)
            case .monthlyReturn:
                makeReturn(request)
            case .returns:
                listReturns(request)
            case .history:
                history(request)
            case .status:
                let wanted = (try? JSONBody.decode(StatusRequest.self, from: request.message.body)) ?? StatusRequest()
                if wanted.waitForDrained == true, uplink.settledThrough < lastAssigned {
                    statusWaiters.append((request, clock.now + wanted.timeout))
                } else {
                    replyStatus(request)
                }
            default:
                replyFailure(
                    request,
                    ControlFailure(
                        code: ControlFailure.malformedRequestCode,
                        message:
                            "a node answers SUBMIT, WITHDRAW, EVENTS, HISTORY, RETURN, RETURNS and STATUS, not \(request.message.command)"
                    )
                )
            }
        }
        if !submissions.isEmpty { accept(submissions) }
    }

    /// Splits `[peer, (empty delimiter)?, header, body]` into envelope and message; answers what it cannot decode
    /// or what is larger than `maxMessageBytes` (TOO_LARGE), so that every request gets one reply.
    private func decodeRequest(_ received: ZMQMessage) -> Request? {
        switch ControlIntake.read(
            received.frames,
            byteCount: received.byteCount,
            truncated: received.isTruncated,
            requestLimit: setup.configuration.maxMessageBytes
        ) {
        case .request(let envelope, let message):
            return Request(envelope: envelope, message: message)
        case .refuse(let envelope, let failure, let kind):
            if let suppressed = logThrottle.admit(kind, now: clock.now) {
                logger.warning(
                    "control request refused",
                    metadata: [
                        "problem": "\(kind)", "reason": "\(failure.message)",
                        "suppressed.since.last": "\(suppressed)",
                    ]
                )
            }
            replyFailure(Request(envelope: envelope, message: ControlMessage(command: .error, body: [])), failure)
            return nil
        case .unanswerable:
            return nil
        }
    }

    /// Answers STATUS requests whose outbox has drained or whose wait is over.
    private func answerStatusWaiters() {
        guard !statusWaiters.isEmpty else { return }
        let now = clock.now
        let drained = uplink.settledThrough >= lastAssigned
        var waiting: [(request: Request, deadline: ContinuousClock.Instant)] = []
        for waiter in statusWaiters {
            if drained || now >= waiter.deadline {
                replyStatus(waiter.request)
            } else {
                waiting.append(waiter)
            }
        }
        statusWaiters = waiting
    }

    private func replyStatus(_ request: Request) {
        let now = clock.now
        do {
            let summary = try outbox.summary()
            let state =
                switch uplink.phase {
                case .ready: "ready"
                case .greeting: "greeting"
                case .disconnected: "disconnected"
                }
            var report = NodeStatusReport(
                node: setup.configuration.id,
                region: setup.configuration.region,
                version: KnutepunktVersion.current,
                outbox: .init(
                    lastSequence: summary.lastSequence,
                    deliveredThrough: summary.deliveredThrough,
                    backlog: summary.backlog,
                    rejected: summary.rejected,
                    retained: summary.retained
                ),
                hub: .init(
                    endpoint: currentHub,
                    state: state,
                    lastHeardMillisAgo: uplink.lastHeard.map { (now - $0).milliseconds },
                    lastAckMillisAgo: uplink.lastAckAt.map { (now - $0).milliseconds }
                )
            )
            report.returns = outstandingReturns()
            report.lockedMonths = periodLocks.locks.map {
                "\($0.region) \($0.month), locked by \($0.lockedBy) at \($0.lockedAt)"
            }
            report.taxonomy = reference.state(
                confirmedMillisAgo: referenceFollower.lastConfirmed.map { (now - $0).milliseconds }
            )
            reply(request, .statusReply, JSONBody.encode(report))
        } catch {
            replyFailure(request, ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
        }
    }

    func replyFailure(_ request: Request, _ failure: ControlFailure) {
        reply(request, .error, JSONBody.encode(failure))
    }

    func reply(_ request: Request, _ command: ControlCommand, _ body: [UInt8]) {
        guard let control else { return }
        do {
            try control.send(
                request.envelope + ControlCodec.encode(ControlMessage(command: command, body: body)),
                dontWait: true
            )
        } catch {
            // The coordinator went away; its events (if any) are in the outbox regardless.
            logger.debug("could not answer a control request", metadata: ["error": "\(error)"])
        }
    }

    /// The outbox's size on disk, at most every 15 seconds.
    private func outboxSizeIfDue() -> Int64? {
        let now = ContinuousClock.now
        guard now >= nextOutboxSize else { return nil }
        nextOutboxSize = now + .seconds(15)
        return outbox.sizeOnDisk()
    }
}
