/// The node's side of KPN/1: greeting, the send window, settlement, retransmission and liveness. No I/O.
///
/// The shell (the node's socket thread) feeds it events — the socket was (re)opened, events were appended to the
/// outbox, a message arrived, time passed — and carries out the actions it returns, in order. The outbox is the
/// source of truth for payloads; this machine only deals in sequence numbers.
///
/// Delivery is go-back-N over a reliable-but-lossy pipe: ZeroMQ keeps order on one connection but drops messages at
/// the high-water mark and across reconnects. So the machine resends from the hub's settled-through whenever ACKs
/// stop advancing (``Configuration/retransmitTimeout``) or the hub asks (RESEND), and the hub skips duplicates.
///
/// Invariants: `settledThrough ≤ lastAssigned` and `settledThrough < nextToSend ≤ lastAssigned + 1`.
package struct UplinkStateMachine: Sendable {
    /// Tuning for one uplink.
    package struct Configuration: Sendable {
        /// The most events sent but not yet settled.
        package var window: Int
        /// The most payloads in one EVENT (at most 1024).
        package var batchSize: Int
        /// Send HEARTBEAT when nothing else was sent for this long.
        package var heartbeatInterval: Duration
        /// Reconnect after hearing nothing from the hub for this long (and give up a greeting after it).
        package var hubTimeout: Duration
        /// Send HELLO again after this long without WELCOME (five times as long after a refusal).
        package var helloRetry: Duration
        /// Go back to the first unsettled event after this long without ACK progress while events are in flight.
        package var retransmitTimeout: Duration
        /// The longest a greeting waits for an answer before reconnecting. Each greeting that goes unanswered doubles
        /// the wait, from `hubTimeout` up to this (back-off), so a hub that is down is not hammered with new
        /// connections; a WELCOME starts over at `hubTimeout`.
        package var maxReconnectBackoff: Duration
        /// The protocol version this node offers in HELLO (tests run an older one).
        package var supported: ProtocolVersion

        package init(
            window: Int = 16_384,
            batchSize: Int = 256,
            heartbeatInterval: Duration = .seconds(1),
            hubTimeout: Duration = .seconds(3),
            helloRetry: Duration = .seconds(1),
            retransmitTimeout: Duration = .seconds(2),
            maxReconnectBackoff: Duration = .seconds(30),
            supported: ProtocolVersion = .current
        ) {
            self.supported = supported
            self.maxReconnectBackoff = maxReconnectBackoff
            self.window = window
            self.batchSize = batchSize
            self.heartbeatInterval = heartbeatInterval
            self.hubTimeout = hubTimeout
            self.helloRetry = helloRetry
            self.retransmitTimeout = retransmitTimeout
        }
    }

    /// Where the session with the hub stands.
    package enum Phase: Hashable, Sendable {
        /// No socket: waiting for the shell to call ``connected(now:)``.
        case disconnected
        /// HELLO sent, waiting for WELCOME.
        case greeting(since: ContinuousClock.Instant)
        /// Session open: events flow.
        case ready

        /// `disconnected`, `greeting` or `ready`, as status reports show it.
        package var name: String {
            switch self {
            case .disconnected: "disconnected"
            case .greeting: "greeting"
            case .ready: "ready"
            }
        }
    }

    /// What the shell must do, in the order given.
    package enum Action: Hashable, Sendable {
        /// Close the socket and open a new one (LINGER 0, so queued messages go), then call ``connected(now:)``.
        case reconnect
        /// Send this message (HELLO or HEARTBEAT).
        case send(WireMessage)
        /// Load the payloads of these sequences from the outbox and send them as one EVENT. At most `batchSize`.
        case sendEvents(ClosedRange<UInt64>)
        /// Record durably that the hub settled every sequence up to `through`.
        case markSettled(through: UInt64)
        /// Record durably that the hub refused this event for good (it is settled by a later ACK).
        case markRejected(sequence: UInt64, reason: ReasonCode, detail: String)
        /// Record durably that the hub already holds this very version under another sequence (NACK
        /// DUPLICATE_EVENT_ID in a session of KPN/1.1 or later, where it means exactly that): delivered, with the detail.
        case markAlreadyStored(sequence: UInt64, detail: String)
        /// The hub has settled sequences this outbox did not send it (the outbox was lost or replaced): the shell
        /// moves every event above the outbox's settled-through up by `to` minus that settled-through, in order, and
        /// numbers new events after them. Comes before the matching `markSettled(through: to)` (the hub's
        /// DUPLICATE_EVENT_ID check keeps any event it did see from being stored twice).
        case advanceSequence(to: UInt64)
        /// The first WELCOME this outbox has had: record it durably (see ``init(nodeID:software:configuration:lastAssigned:settledThrough:greetedBefore:)``).
        case greeted
        /// Something the hub did breaks the protocol or refuses us; log it (it is never fatal here).
        case protocolProblem(String)
    }

    package private(set) var phase: Phase = .disconnected
    /// Every sequence up to this is settled at the hub, as far as this session knows.
    package private(set) var settledThrough: UInt64
    /// The highest sequence the outbox has assigned.
    package private(set) var lastAssigned: UInt64
    /// The next sequence to send (everything below it was sent at least once since the last go-back).
    package private(set) var nextToSend: UInt64
    /// When the hub was last heard from (any message).
    package private(set) var lastHeard: ContinuousClock.Instant?
    /// When an ACK last moved `settledThrough` forward.
    package private(set) var lastAckAt: ContinuousClock.Instant?
    /// The version agreed in the last WELCOME.
    package private(set) var version: ProtocolVersion?
    /// The version of the latest session, kept while greeting again: NACKs that arrive then belong to it.
    package private(set) var lastAgreedVersion: ProtocolVersion?
    /// Greetings in a row that went unanswered (reset by WELCOME); sets the back-off of ``greetingTimeout``.
    package private(set) var unansweredGreetings = 0

    private let nodeID: String
    private let software: String
    private let configuration: Configuration

    /// When anything was last sent; HEARTBEAT fills silences longer than `heartbeatInterval`.
    private var lastSentAt: ContinuousClock.Instant?
    /// When to send the next HELLO while greeting.
    private var nextHelloAt: ContinuousClock.Instant?
    /// The first HELLO the hub has not answered yet (anything heard counts as an answer).
    private var unansweredSince: ContinuousClock.Instant?
    /// Start of the current retransmission timer: the last ACK progress, go-back, or start of sending from idle.
    private var retransmitMark: ContinuousClock.Instant?
    /// The last RESEND acted on, to ignore repeats of it while our go-back is still on its way.
    private var lastResend: (from: UInt64, at: ContinuousClock.Instant)?
    /// Whether any hub has welcomed this outbox yet. Until one has, no hub can hold any of its events, so sequences a
    /// hub says it settled belong to an earlier outbox of this node, never to this one.
    private var greetedBefore: Bool

    /// - Parameters:
    ///   - lastAssigned: the highest sequence in the outbox.
    ///   - settledThrough: how far the hub has settled, as the outbox recorded it.
    package init(
        nodeID: String,
        software: String,
        configuration: Configuration = Configuration(),
        lastAssigned: UInt64,
        settledThrough: UInt64,
        greetedBefore: Bool = true
    ) {
        self.greetedBefore = greetedBefore
        precondition(WireLimits.isValidNodeID(nodeID), "node id \(nodeID) is not 1-64 characters of A-Z, 0-9, '-'")
        precondition(configuration.window >= 1, "the window holds at least one event")
        precondition(
            (1...WireLimits.maxPayloadsPerEvent).contains(configuration.batchSize),
            "batchSize must be 1...\(WireLimits.maxPayloadsPerEvent)"
        )
        precondition(lastAssigned <= WireLimits.maxSequence && settledThrough <= WireLimits.maxSequence)
        self.nodeID = nodeID
        self.software = software
        self.configuration = configuration
        // A settled-through beyond the last assigned can only come from an outbox advanced by an earlier session.
        self.lastAssigned = max(lastAssigned, settledThrough)
        self.settledThrough = settledThrough
        self.nextToSend = settledThrough + 1
    }

    // MARK: - Events

    /// The socket was (re)opened: greet the hub.
    package mutating func connected(now: ContinuousClock.Instant) -> [Action] {
        phase = .greeting(since: now)
        version = nil
        unansweredSince = nil
        retransmitMark = nil
        lastResend = nil
        nextToSend = settledThrough + 1
        return sendHello(now: now, retryAfter: configuration.helloRetry)
    }

    /// New events are durably in the outbox, up to and including `lastAssigned`.
    package mutating func appended(through lastAssigned: UInt64, now: ContinuousClock.Instant) -> [Action] {
        precondition(lastAssigned <= WireLimits.maxSequence, "sequence \(lastAssigned) is out of range")
        self.lastAssigned = max(self.lastAssigned, lastAssigned)
        return fillWindow(now: now)
    }

    /// A message from the hub arrived.
    package mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .disconnected:
            // Nothing can arrive on a closed socket; whatever does is from a connection we gave up.
            return []
        case .greeting:
            lastHeard = now
            unansweredSince = nil
            if let problem = Self.outOfRange(message) { return [problem] }
            switch message {
            case .welcome(let welcome): return welcomed(welcome, now: now)
            case .error(let error): return refusedWhileGreeting(error, now: now)
            case .nack(let nack): return rejected(nack)
            case .hello, .events: return [unexpected(message)]
            case .ack, .resend, .heartbeat:
                // Leftovers of a session the hub has dropped; WELCOME will tell where to resume.
                return []
            }
        case .ready:
            lastHeard = now
            if let problem = Self.outOfRange(message) { return [problem] }
            switch message {
            case .ack(let through): return acknowledged(through: through, now: now)
            case .nack(let nack): return rejected(nack)
            case .resend(let from): return resendRequested(from: from, now: now)
            case .heartbeat: return []
            case .welcome:
                // The answer to a HELLO retry that crossed the first WELCOME; the session is already open.
                return []
            case .error(let error): return refusedWhileReady(error, now: now)
            case .hello, .events: return [unexpected(message)]
            }
        }
    }

    /// Time passed; call at ``nextDeadline`` (or earlier).
    package mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        switch phase {
        case .disconnected:
            return []
        case .greeting:
            if let since = unansweredSince, now >= since + greetingTimeout {
                phase = .disconnected
                unansweredGreetings += 1
                return [.reconnect]
            }
            if let due = nextHelloAt, now >= due {
                return sendHello(now: now, retryAfter: configuration.helloRetry)
            }
            return []
        case .ready:
            if let heard = lastHeard, now >= heard + configuration.hubTimeout {
                phase = .disconnected
                unansweredGreetings = 0
                return [.reconnect]
            }
            var actions: [Action] = []
            if isInFlight, now >= (retransmitMark ?? now) + configuration.retransmitTimeout {
                // Go-back-N: the hub has not settled anything new for a while, so something was lost on the way.
                nextToSend = settledThrough + 1
                retransmitMark = now
                actions += fillWindow(now: now)
            }
            if now >= (lastSentAt ?? now) + configuration.heartbeatInterval {
                lastSentAt = now
                actions.append(.send(.heartbeat))
            }
            return actions
        }
    }

    /// When ``tick(now:)`` must be called next; nil while disconnected (nothing is timed then).
    package var nextDeadline: ContinuousClock.Instant? {
        switch phase {
        case .disconnected:
            return nil
        case .greeting:
            return [nextHelloAt, unansweredSince.map { $0 + greetingTimeout }].compactMap { $0 }.min()
        case .ready:
            return [
                lastSentAt.map { $0 + configuration.heartbeatInterval },
                lastHeard.map { $0 + configuration.hubTimeout },
                isInFlight ? retransmitMark.map { $0 + configuration.retransmitTimeout } : nil,
            ].compactMap { $0 }.min()
        }
    }

    // MARK: - Handling

    private var isInFlight: Bool { nextToSend > settledThrough + 1 }

    /// How long the current greeting waits for any answer: `hubTimeout`, doubled for each unanswered greeting
    /// before it, at most `maxReconnectBackoff` (and never less than `hubTimeout`).
    package var greetingTimeout: Duration {
        let ceiling = max(configuration.hubTimeout, configuration.maxReconnectBackoff)
        var wait = configuration.hubTimeout
        for _ in 0..<min(unansweredGreetings, 16) where wait < ceiling { wait = wait * 2 }
        return min(wait, ceiling)
    }

    private mutating func sendHello(now: ContinuousClock.Instant, retryAfter: Duration) -> [Action] {
        lastSentAt = now
        nextHelloAt = now + retryAfter
        if unansweredSince == nil { unansweredSince = now }
        return [.send(.hello(.init(version: configuration.supported, nodeID: nodeID, software: software)))]
    }

    private mutating func welcomed(_ welcome: WireMessage.Welcome, now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        let supported = configuration.supported
        guard welcome.version.major == supported.major else {
            // Cannot talk in that version; keep greeting slowly in case the hub is fixed.
            return refused(
                "hub answered HELLO with version \(welcome.version); this node speaks KPN/\(supported)",
                now: now
            )
        }
        if welcome.version.minor > supported.minor {
            actions.append(.protocolProblem("hub chose version \(welcome.version), above the offered \(supported)"))
        }
        phase = .ready
        unansweredGreetings = 0
        version = ProtocolVersion(major: welcome.version.major, minor: min(welcome.version.minor, supported.minor))
        lastAgreedVersion = version
        nextHelloAt = nil
        unansweredSince = nil
        lastResend = nil

        let settled = welcome.settledThrough
        // A new outbox (lost or replaced) that accepted events before its first greeting numbered them from 1, the
        // numbers the hub has settled for this node's earlier outbox: they are renumbered after the hub's, or the
        // hub's settled-through would mark them delivered without the hub ever seeing them.
        let numberedBelowTheHub = !greetedBefore && lastAssigned > settledThrough && settled > settledThrough
        if settled > lastAssigned || numberedBelowTheHub {
            actions.append(
                .protocolProblem(
                    "hub has settled through \(settled) but this outbox (lost or replaced?) assigned through "
                        + "\(lastAssigned) without the hub; its unsettled events are numbered after \(settled)"
                )
            )
            actions.append(.advanceSequence(to: settled))
            if lastAssigned > settledThrough {
                let (moved, overflow) = lastAssigned.addingReportingOverflow(settled - settledThrough)
                lastAssigned = overflow ? WireLimits.maxSequence : min(moved, WireLimits.maxSequence)
            } else {
                lastAssigned = settled
            }
        }
        if !greetedBefore {
            greetedBefore = true
            actions.append(.greeted)
        }
        if settled > settledThrough {
            settledThrough = settled
            actions.append(.markSettled(through: settled))
        } else if settled < settledThrough {
            // The hub lost durable progress (restored from an older backup). Its word wins: resend what it lacks.
            // The outbox keeps delivered events for a retention period for exactly this.
            actions.append(
                .protocolProblem(
                    "hub has settled through \(settled) but had acknowledged through \(settledThrough) "
                        + "(hub restored from a backup?); resending from \(settled + 1)"
                )
            )
            settledThrough = settled
        }
        nextToSend = settled + 1
        retransmitMark = now
        return actions + fillWindow(now: now)
    }

    private mutating func acknowledged(through settled: UInt64, now: ContinuousClock.Instant) -> [Action] {
        // ACKs are cumulative, so an older one carries nothing new.
        guard settled > settledThrough else { return [] }
        var actions: [Action] = []
        if settled > lastAssigned {
            actions.append(
                .protocolProblem(
                    "hub acknowledged through \(settled) but this outbox only assigned through \(lastAssigned); "
                        + "numbering continues after \(settled)"
                )
            )
            actions.append(.advanceSequence(to: settled))
            lastAssigned = settled
        }
        settledThrough = settled
        actions.append(.markSettled(through: settled))
        lastAckAt = now
        retransmitMark = now
        if nextToSend <= settled { nextToSend = settled + 1 }
        return actions + fillWindow(now: now)
    }

    private mutating func rejected(_ nack: WireMessage.Nack) -> [Action] {
        guard nack.sequence <= lastAssigned else {
            return [.protocolProblem("hub rejected sequence \(nack.sequence), which this node never assigned")]
        }
        // From KPN/1.1 on, DUPLICATE_EVENT_ID means "this very version is stored under another sequence": delivered.
        if nack.reason == .duplicateEventID, let agreed = version ?? lastAgreedVersion, agreed >= .versions {
            return [.markAlreadyStored(sequence: nack.sequence, detail: nack.detail)]
        }
        return [.markRejected(sequence: nack.sequence, reason: nack.reason, detail: nack.detail)]
    }

    private mutating func resendRequested(from next: UInt64, now: ContinuousClock.Instant) -> [Action] {
        // At or below settled-through: a RESEND the hub sent before it settled more. Going back would only
        // duplicate what is already in flight.
        guard next > settledThrough else { return [] }
        guard next <= lastAssigned + 1 else {
            return [
                .protocolProblem(
                    "hub asked to resend from \(next), but this node only assigned through \(lastAssigned)"
                )
            ]
        }
        // The hub repeats a RESEND (every resendHoldoff) while the gap lasts, and our go-back from that sequence
        // takes a round trip to close it. Acting on each repeat would resend the whole window again and again;
        // if the go-back itself is lost, the retransmission timer goes back once more, so ignoring is safe.
        if let last = lastResend, last.from == next, now < last.at + configuration.retransmitTimeout, nextToSend > next
        {
            return []
        }
        lastResend = (next, now)
        // May move forward too: the hub holds everything below `next`, pending in its current batch.
        nextToSend = next
        retransmitMark = now
        return fillWindow(now: now)
    }

    private mutating func refusedWhileGreeting(
        _ error: WireMessage.SessionError,
        now: ContinuousClock.Instant
    ) -> [Action] {
        switch error.reason {
        case .helloRequired:
            // An answer to something sent before our HELLO reached the hub; the HELLO is on its way.
            return []
        case .unknownNode, .versionUnsupported, .notAuthorized:
            return refused("hub refused HELLO: \(error.reason): \(error.detail)", now: now)
        default:
            return [.protocolProblem("hub error while greeting: \(error.reason): \(error.detail)")]
        }
    }

    private mutating func refusedWhileReady(_ error: WireMessage.SessionError, now: ContinuousClock.Instant) -> [Action]
    {
        switch error.reason {
        case .helloRequired:
            // The hub dropped our session (restart, timeout): greet again on this socket. WELCOME resets the window.
            phase = .greeting(since: now)
            unansweredSince = nil
            return [.protocolProblem("hub has no session for this node (\(error.detail)); greeting again")]
                + sendHello(now: now, retryAfter: configuration.helloRetry)
        case .unknownNode, .versionUnsupported, .notAuthorized:
            phase = .greeting(since: now)
            return refused("hub closed the session: \(error.reason): \(error.detail)", now: now)
        case .rateLimited:
            // The hub dropped an EVENT message unsettled; the go-back-N timer (restarted here) or the hub's RESEND
            // brings it again, by which time the hub's budget has refilled. Nothing is lost; the hub counts it.
            retransmitMark = now
            return []
        default:
            return [.protocolProblem("hub error: \(error.reason): \(error.detail)")]
        }
    }

    /// The hub will not talk to us as we are. Only an operator can fix that (grants, versions, keys), so keep
    /// asking, slowly, and don't treat the wait as a dead connection.
    private mutating func refused(_ problem: String, now: ContinuousClock.Instant) -> [Action] {
        let slow = configuration.helloRetry * 5
        phase = .greeting(since: now)
        nextHelloAt = now + slow
        unansweredSince = nil
        return [.protocolProblem(problem + "; asking again in \(slow)")]
    }

    /// ``WireCodec`` never produces sequences past ``WireLimits/maxSequence``, but this machine must not trap
    /// (on `settled + 1`) if handed one some other way.
    private static func outOfRange(_ message: WireMessage) -> Action? {
        switch message {
        case .welcome(let welcome) where welcome.settledThrough > WireLimits.maxSequence:
            .protocolProblem("WELCOME settled-through \(welcome.settledThrough) is out of range; ignored")
        case .ack(let through) where through > WireLimits.maxSequence:
            .protocolProblem("ACK \(through) is out of range; ignored")
        default:
            nil
        }
    }

    private func unexpected(_ message: WireMessage) -> Action {
        .protocolProblem("hub sent \(message.command.name), which only nodes send; ignored")
    }

    /// Sends what the window allows, in batches.
    private mutating func fillWindow(now: ContinuousClock.Instant) -> [Action] {
        guard phase == .ready else { return [] }
        var actions: [Action] = []
        let window = UInt64(configuration.window)
        while nextToSend <= lastAssigned {
            let inFlight = nextToSend - settledThrough - 1
            guard inFlight < window else { break }
            if inFlight == 0 { retransmitMark = now }
            let count = min(UInt64(configuration.batchSize), window - inFlight, lastAssigned - nextToSend + 1)
            actions.append(.sendEvents(nextToSend...(nextToSend + count - 1)))
            nextToSend += count
            lastSentAt = now
        }
        return actions
    }
}
