import KnutepunktDomain

/// The hub's side of KPN/1 for every node at once: sessions, in-order ingest, duplicate skipping, gap detection and
/// cumulative ACKs after the group commit. No I/O.
///
/// The shell (the hub's socket thread) decodes each message from its ROUTER socket and feeds it in with the peer's
/// routing id. `.ingest` actions go into the open batch. The shell commits batches one at a time, and may go on
/// ingesting into the next open batch while one commits (a pipeline two deep):
/// ``sealBatch()`` closes the open batch (every ingest emitted since the previous seal belongs to it), the shell
/// hands it to the store, and when that transaction is durable (fsync'd) it calls ``sealedBatchCommitted(now:)``,
/// and only then are ACKs sent; if the transaction failed it calls ``sealedBatchFailed(now:)`` and must drop the
/// open batch too, since its events follow the failed ones. A shell that commits in step with ingesting calls
/// ``batchCommitted(now:)`` / ``batchFailed(now:)``, which seal and settle at once.
///
/// Per node, three positions: `committed` (durable, what WELCOME and ACK report), `sealed` (committed plus the batch
/// being committed) and `pending` (sealed plus what the open batch holds). A node's events are ingested strictly in
/// sequence order, so the store never holds a gap.
package struct HubSessionStateMachine: Sendable {
    /// Tuning for the hub.
    package struct Configuration: Sendable {
        /// Sent in WELCOME; 1...64 bytes of UTF-8.
        package var hubID: String
        /// The version this hub implements (its major must match the node's).
        package var supported: ProtocolVersion
        /// Close a session after hearing nothing from its node for this long.
        package var sessionTimeout: Duration
        /// Don't repeat a RESEND for the same sequence to the same node within this time.
        package var resendHoldoff: Duration
        /// Send at most one ERROR to a peer within this time (a broken peer must not make the hub flood it).
        package var errorHoldoff: Duration

        package init(
            hubID: String,
            supported: ProtocolVersion = .current,
            sessionTimeout: Duration = .seconds(10),
            resendHoldoff: Duration = .milliseconds(500),
            errorHoldoff: Duration = .seconds(1)
        ) {
            self.hubID = hubID
            self.supported = supported
            self.sessionTimeout = sessionTimeout
            self.resendHoldoff = resendHoldoff
            self.errorHoldoff = errorHoldoff
        }
    }

    /// Permission for one node id to connect, and the region its events belong to.
    package struct Grant: Hashable, Sendable {
        package var region: String
        package init(region: String) { self.region = region }
    }

    /// A ROUTER routing id.
    package typealias Peer = [UInt8]

    /// One event for the shell to validate and store (or record as rejected) in the current transaction.
    package struct Ingest: Hashable, Sendable {
        package var nodeID: String
        /// The region of the node's grant (not what the payload claims; the shell compares the two).
        package var region: String
        package var sequence: UInt64
        package var payload: [UInt8]

        package init(nodeID: String, region: String, sequence: UInt64, payload: [UInt8]) {
            self.nodeID = nodeID
            self.region = region
            self.sequence = sequence
            self.payload = payload
        }
    }

    /// One open session, for status reports.
    package struct SessionInfo: Hashable, Sendable {
        package var nodeID: String
        package var region: String
        package var peer: Peer
        package var openedAt: ContinuousClock.Instant
        package var lastHeard: ContinuousClock.Instant
        /// Committed progress.
        package var settledThrough: UInt64
        /// The protocol version agreed in its WELCOME.
        package var version: ProtocolVersion
    }

    /// What the shell must do, in the order given.
    package enum Action: Hashable, Sendable {
        /// Send this message to that peer (ROUTER_MANDATORY: report failures with ``peerUnreachable(_:)``).
        case reply(Peer, WireMessage)
        /// Validate and store (or record the rejection of) this event in the current transaction.
        case ingest(Ingest)
        /// A node opened a session from this peer.
        case sessionOpened(nodeID: String, peer: Peer)
        /// A node's session ended (replaced, silent, unreachable, its grant withdrawn).
        case sessionClosed(nodeID: String, reason: String)
        /// The admission policy refused a message from that peer (an ERROR goes with it unless one went out within
        /// `errorHoldoff`): for the shell to count and log.
        case refused(Peer, HubAdmission.Refusal)
    }

    private struct Session {
        var nodeID: String
        var region: String
        var peer: Peer
        var openedAt: ContinuousClock.Instant
        var lastHeard: ContinuousClock.Instant
        var version: ProtocolVersion
    }

    private struct Progress {
        /// Durable: every sequence up to this is settled in the store.
        var committed: UInt64
        /// `committed` plus what the sealed batch (being committed) holds.
        var sealed: UInt64
        /// `sealed` plus what the open batch ingested.
        var pending: UInt64
        /// The node sent EVENT since the last seal and should get an ACK when the open batch lands.
        var ackOwed = false
        /// The node sent EVENT before the last seal and should get an ACK when the sealed batch lands.
        var sealedAckOwed = false
        /// The last RESEND sent, to hold off repeats.
        var lastResend: (from: UInt64, at: ContinuousClock.Instant)?

        init(committed: UInt64) {
            self.committed = committed
            self.sealed = committed
            self.pending = committed
        }
    }

    private let configuration: Configuration
    /// Who may connect and send what; replaced as a whole on reload.
    package private(set) var admission: HubAdmission
    private var progress: [String: Progress]
    private var sessionsByNode: [String: Session] = [:]
    private var nodeByPeer: [Peer: String] = [:]
    private var lastErrorAt: [Peer: ContinuousClock.Instant] = [:]
    /// The version each node was last welcomed with.
    private var lastVersion: [String: ProtocolVersion] = [:]
    /// A sealed batch is being committed: between ``sealBatch()`` and its outcome.
    package private(set) var isBatchSealed = false

    /// - Parameters:
    ///   - admission: which node ids may connect, with which keys, their regions and their rate.
    ///   - settled: each node's committed settled-through, loaded from the store.
    package init(configuration: Configuration, admission: HubAdmission, settled: [String: UInt64]) {
        precondition(WireLimits.isValidHubID(configuration.hubID), "hub id must be 1-64 bytes of UTF-8")
        self.configuration = configuration
        self.admission = admission
        self.progress = settled.mapValues { value in
            precondition(value <= WireLimits.maxSequence, "settled-through \(value) is out of range")
            return Progress(committed: value)
        }
    }

    /// Plaintext, without keys or rate limit: for tests of the protocol alone.
    package init(configuration: Configuration, grants: [String: Grant], settled: [String: UInt64]) {
        self.init(
            configuration: configuration,
            admission: HubAdmission(.init(grants: grants.mapValues(\.region), keyring: nil, eventsPerSecond: nil)),
            settled: settled
        )
    }

    // MARK: - Events

    /// A decoded message arrived from `peer`, on a connection that proved `key` (its ZAP User-Id; nil in plaintext).
    package mutating func received(
        _ message: WireMessage,
        from peer: Peer,
        key: String? = nil,
        now: ContinuousClock.Instant
    ) -> [Action] {
        if let nodeID = nodeByPeer[peer] { sessionsByNode[nodeID]?.lastHeard = now }
        // A revoked key stops at its next message, whatever the message and whether or not it holds a session.
        if let refusal = admission.revokedKey(key) { return refuse(peer, refusal, now: now) }
        switch message {
        case .hello(let hello):
            return greet(hello, from: peer, key: key, now: now)
        case .events(let batch):
            guard let nodeID = nodeByPeer[peer], let session = sessionsByNode[nodeID] else {
                return refuse(peer, .helloRequired, "send HELLO and wait for WELCOME before EVENT", now: now)
            }
            if let refusal = admission.message(from: nodeID, key: key)
                ?? admission.events(batch.payloads.count, from: nodeID, now: now)
            {
                return refuse(peer, refusal, now: now)
            }
            return ingest(batch, from: session, now: now)
        case .heartbeat:
            guard let nodeID = nodeByPeer[peer] else {
                return refuse(peer, .helloRequired, "send HELLO and wait for WELCOME before HEARTBEAT", now: now)
            }
            if let refusal = admission.message(from: nodeID, key: key) { return refuse(peer, refusal, now: now) }
            return [.reply(peer, .heartbeat)]
        case .welcome, .ack, .nack, .resend, .error:
            return refuse(peer, .unknownCommand, "\(message.command.name) is sent by the hub, not to it", now: now)
        }
    }

    /// A reload: replaces the whole admission policy at once. Sessions of nodes whose grant was withdrawn or whose
    /// region changed are closed (they greet again, under the new grant or not at all); revoked keys stop at their
    /// next message.
    package mutating func replaceAdmission(with policy: HubAdmission.Policy) -> (HubAdmission.Change, [Action]) {
        let change = admission.replace(with: policy)
        var actions: [Action] = []
        for nodeID in sessionsByNode.keys.sorted() {
            if admission.region(of: nodeID) == nil {
                actions += closeSession(of: nodeID, reason: "its grant was withdrawn")
            } else if change.regionsChanged.contains(nodeID) {
                actions += closeSession(of: nodeID, reason: "its region changed")
            }
        }
        return (change, actions)
    }

    /// A message from `peer` could not be decoded.
    package mutating func malformed(_ error: WireError, from peer: Peer, now: ContinuousClock.Instant) -> [Action] {
        // A session's garbage still shows the node is alive.
        if let nodeID = nodeByPeer[peer] { sessionsByNode[nodeID]?.lastHeard = now }
        return refuse(peer, error.reason, error.description, now: now)
    }

    /// Closes the open batch: every ingest emitted since the previous seal belongs to it, and the shell now commits
    /// it. Only one batch is sealed at a time: call it again only after ``sealedBatchCommitted(now:)`` or
    /// ``sealedBatchFailed(now:)``.
    package mutating func sealBatch() {
        precondition(!isBatchSealed, "a sealed batch is still being committed")
        isBatchSealed = true
        for nodeID in progress.keys {
            guard var entry = progress[nodeID], entry.pending != entry.sealed || entry.ackOwed else { continue }
            entry.sealed = entry.pending
            entry.sealedAckOwed = entry.ackOwed
            entry.ackOwed = false
            progress[nodeID] = entry
        }
    }

    /// The shell committed the sealed batch durably: its progress is now committed, and every node that sent EVENT
    /// before the seal gets an ACK at its current peer. What the open batch holds stays pending.
    ///
    /// The shell sends the NACKs for the batch's rejected events before carrying out these actions, so a node learns
    /// of a refusal before the ACK that settles it.
    package mutating func sealedBatchCommitted(now: ContinuousClock.Instant) -> [Action] {
        precondition(isBatchSealed, "no batch is sealed")
        isBatchSealed = false
        var actions: [Action] = []
        for nodeID in progress.keys.sorted() {
            guard var entry = progress[nodeID], entry.sealed != entry.committed || entry.sealedAckOwed else { continue }
            entry.committed = entry.sealed
            if entry.sealedAckOwed, let session = sessionsByNode[nodeID] {
                actions.append(.reply(session.peer, .ack(settledThrough: entry.committed)))
            }
            entry.sealedAckOwed = false
            progress[nodeID] = entry
        }
        return actions
    }

    /// The shell's commit of the sealed batch failed: nothing of it is stored, and the shell drops the open batch
    /// too (its events follow the failed ones), so all progress goes back to committed. No ACK now; the nodes resend
    /// on RESEND or their retransmission timer, and an ACK owed goes out with the next commit.
    package mutating func sealedBatchFailed(now: ContinuousClock.Instant) -> [Action] {
        precondition(isBatchSealed, "no batch is sealed")
        isBatchSealed = false
        progress = progress.mapValues { entry in
            var entry = entry
            entry.sealed = entry.committed
            entry.pending = entry.committed
            entry.ackOwed = entry.ackOwed || entry.sealedAckOwed
            entry.sealedAckOwed = false
            // Forget holdoffs: the gap the nodes will now show is a new one and must be reported at once.
            entry.lastResend = nil
            return entry
        }
        return []
    }

    /// Seals the open batch and reports it committed: for a shell that commits in step with ingesting.
    package mutating func batchCommitted(now: ContinuousClock.Instant) -> [Action] {
        sealBatch()
        return sealedBatchCommitted(now: now)
    }

    /// Seals the open batch and reports its commit failed: for a shell that commits in step with ingesting.
    package mutating func batchFailed(now: ContinuousClock.Instant) -> [Action] {
        sealBatch()
        return sealedBatchFailed(now: now)
    }

    /// The ROUTER could not route to `peer` (it disconnected): close the session it carried, if any.
    @discardableResult
    package mutating func peerUnreachable(_ peer: Peer) -> [Action] {
        lastErrorAt[peer] = nil
        guard let nodeID = nodeByPeer[peer] else { return [] }
        return closeSession(of: nodeID, reason: "peer unreachable")
    }

    /// Time passed: close sessions that have been silent for `sessionTimeout`.
    package mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        lastErrorAt = lastErrorAt.filter { now < $0.value + configuration.errorHoldoff }
        var actions: [Action] = []
        for nodeID in sessionsByNode.keys.sorted() {
            guard let session = sessionsByNode[nodeID], now >= session.lastHeard + configuration.sessionTimeout else {
                continue
            }
            actions += closeSession(of: nodeID, reason: "silent for \(configuration.sessionTimeout)")
        }
        return actions
    }

    /// When ``tick(now:)`` must be called next (the earliest session timeout); nil without sessions.
    package var nextDeadline: ContinuousClock.Instant? {
        sessionsByNode.values.map { $0.lastHeard + configuration.sessionTimeout }.min()
    }

    // MARK: - Queries

    /// The node whose session `peer` holds, if any (cheap: for every message).
    package func node(of peer: Peer) -> String? { nodeByPeer[peer] }

    /// The open sessions, by node id.
    package var sessions: [SessionInfo] {
        sessionsByNode.keys.sorted().compactMap { nodeID in
            sessionsByNode[nodeID].map { session in
                SessionInfo(
                    nodeID: session.nodeID,
                    region: session.region,
                    peer: session.peer,
                    openedAt: session.openedAt,
                    lastHeard: session.lastHeard,
                    settledThrough: settledThrough(node: nodeID),
                    version: session.version
                )
            }
        }
    }

    /// The protocol version of a node's session, or of its last one (the NACKs of a commit that lands after the
    /// session closed are still phrased for it); nil for a node never welcomed since start.
    package func version(of nodeID: String) -> ProtocolVersion? {
        sessionsByNode[nodeID]?.version ?? lastVersion[nodeID]
    }

    /// A node's committed settled-through (0 for a node never heard from).
    package func settledThrough(node nodeID: String) -> UInt64 {
        progress[nodeID]?.committed ?? 0
    }

    // MARK: - Handling

    private mutating func greet(
        _ hello: WireMessage.Hello,
        from peer: Peer,
        key: String?,
        now: ContinuousClock.Instant
    ) -> [Action] {
        guard hello.version.major == configuration.supported.major else {
            return refuse(
                peer,
                .versionUnsupported,
                "this hub speaks KPN/\(configuration.supported); the node offered \(hello.version)",
                now: now
            )
        }
        let region: String
        switch admission.hello(nodeID: hello.nodeID, key: key) {
        case .success(let granted): region = granted
        case .failure(let refusal): return refuse(peer, refusal, now: now)
        }
        var actions: [Action] = []
        if let other = nodeByPeer[peer], other != hello.nodeID {
            actions += closeSession(of: other, reason: "its connection said HELLO as \(hello.nodeID)")
        }
        if let existing = sessionsByNode[hello.nodeID], existing.peer != peer {
            actions += closeSession(of: hello.nodeID, reason: "replaced by a newer connection")
        }
        let version = ProtocolVersion(
            major: configuration.supported.major,
            minor: min(hello.version.minor, configuration.supported.minor)
        )
        if sessionsByNode[hello.nodeID] == nil {
            sessionsByNode[hello.nodeID] = Session(
                nodeID: hello.nodeID,
                region: region,
                peer: peer,
                openedAt: now,
                lastHeard: now,
                version: version
            )
            nodeByPeer[peer] = hello.nodeID
            actions.append(.sessionOpened(nodeID: hello.nodeID, peer: peer))
        }
        sessionsByNode[hello.nodeID]?.version = version
        lastVersion[hello.nodeID] = version
        // The node restarts from committed + 1; whatever is pending comes back as duplicates and is ACKed when the
        // batches holding it commit.
        progress[hello.nodeID, default: Progress(committed: 0)].lastResend = nil
        let welcome = WireMessage.Welcome(
            version: version,
            settledThrough: settledThrough(node: hello.nodeID),
            hubID: configuration.hubID
        )
        actions.append(.reply(peer, .welcome(welcome)))
        return actions
    }

    private mutating func ingest(
        _ batch: WireMessage.EventBatch,
        from session: Session,
        now: ContinuousClock.Instant
    ) -> [Action] {
        var entry = progress[session.nodeID, default: Progress(committed: 0)]
        defer { progress[session.nodeID] = entry }
        var actions: [Action] = []
        var duplicates = 0
        var ingested = 0
        for (offset, payload) in batch.payloads.enumerated() {
            let sequence = batch.firstSequence + UInt64(offset)
            if sequence <= entry.pending {
                duplicates += 1
            } else if sequence == entry.pending + 1 {
                let ingest = Ingest(
                    nodeID: session.nodeID,
                    region: session.region,
                    sequence: sequence,
                    payload: payload
                )
                actions.append(.ingest(ingest))
                entry.pending = sequence
                ingested += 1
            } else {
                // A gap: something before `sequence` was lost. Storing past it would break the in-order guarantee,
                // so drop the rest of this message and ask for the missing part.
                let next = entry.pending + 1
                let heldOff = entry.lastResend.map { $0.from == next && now < $0.at + configuration.resendHoldoff }
                if heldOff != true {
                    entry.lastResend = (next, now)
                    actions.append(.reply(session.peer, .resend(from: next)))
                }
                break
            }
        }
        if ingested > 0 {
            entry.ackOwed = true
        } else if duplicates > 0 {
            if entry.pending == entry.committed {
                // Only duplicates of durable events and no open batch for this node: the shell may have nothing to
                // commit, so answer now rather than at a commit that may never come.
                actions.append(.reply(session.peer, .ack(settledThrough: entry.committed)))
            } else {
                entry.ackOwed = true
            }
        }
        return actions
    }

    /// Reports an admission refusal and answers it with ERROR, every time: the node must learn that this message
    /// was not taken (a rate-limited message is sent again later). The shell throttles its log lines.
    private mutating func refuse(
        _ peer: Peer,
        _ refusal: HubAdmission.Refusal,
        now: ContinuousClock.Instant
    ) -> [Action] {
        [.refused(peer, refusal), .reply(peer, .error(.init(reason: refusal.reason, detail: refusal.detail)))]
    }

    /// Answers with ERROR, at most once per `errorHoldoff` per peer.
    private mutating func refuse(
        _ peer: Peer,
        _ reason: ReasonCode,
        _ detail: String,
        now: ContinuousClock.Instant
    ) -> [Action] {
        if let last = lastErrorAt[peer], now < last + configuration.errorHoldoff { return [] }
        lastErrorAt[peer] = now
        return [.reply(peer, .error(.init(reason: reason, detail: detail)))]
    }

    private mutating func closeSession(of nodeID: String, reason: String) -> [Action] {
        guard let session = sessionsByNode.removeValue(forKey: nodeID) else { return [] }
        nodeByPeer[session.peer] = nil
        return [.sessionClosed(nodeID: nodeID, reason: reason)]
    }
}
