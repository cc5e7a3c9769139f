/// Who a connection to the hub speaks for, and what it may send: the hub's one admission policy. Pure.
///
/// It decides, from the configuration alone and the CURVE key a connection proved it holds (its ZAP User-Id):
/// - whether a connection may open at all (``connection(domain:mechanism:publicKey:)``, asked by the ZAP handler);
/// - whether a HELLO is admitted, and for which node and region (``hello(nodeID:key:)``): the node must have a grant,
///   and with CURVE the key must belong to that very node;
/// - whether a later message of a session is still admitted (``message(from:key:)``): a revoked key or a withdrawn
///   grant stops at the next message;
/// - whether an EVENT message fits the node's rate limit (``events(_:from:now:)``).
///
/// ``HubSessionStateMachine`` asks it for every message, and a reload replaces all of it at once
/// (``HubSessionStateMachine/replaceAdmission(_:)``), so keys, grants, regions and the rate never disagree.
package struct HubAdmission: Sendable {
    /// Which node ids may connect, their regions, their keys and their rate.
    package struct Policy: Sendable, Hashable {
        /// Node id → the region its events belong to.
        package var grants: [String: String]
        /// Who may connect, by key; nil runs in plaintext without authentication (`--insecure`, a lab only).
        package var keyring: CurveKeyring?
        /// Events per second each node may send on average (bursts up to the same number); nil for no limit.
        package var eventsPerSecond: Int?

        package init(grants: [String: String], keyring: CurveKeyring?, eventsPerSecond: Int?) {
            self.grants = grants
            self.keyring = keyring
            self.eventsPerSecond = eventsPerSecond
        }
    }

    /// Why a message was not admitted: what the peer is told, and the name the refusal is counted under.
    package struct Refusal: Error, Sendable, Hashable {
        package var reason: ReasonCode
        /// Sent in the ERROR message: what was wrong and what to do.
        package var detail: String
        /// The name the hub counts it under in status and metrics ("key revoked", "wrong node", "rate limited"…).
        package var counter: String

        package init(reason: ReasonCode, detail: String, counter: String) {
            self.reason = reason
            self.detail = detail
            self.counter = counter
        }
    }

    /// What changed between two policies, for the reload's log line.
    package struct Change: Sendable, Hashable {
        package var keysAdded = 0
        package var keysRemoved = 0
        package var nodesAdded: [String] = []
        package var nodesRemoved: [String] = []
        /// Nodes whose region changed; their sessions are closed so they greet again under the new one.
        package var regionsChanged: [String] = []
        package var rateChanged = false
    }

    package private(set) var policy: Policy
    private var limiter: RateLimiter?

    package init(_ policy: Policy) {
        self.policy = policy
        limiter = policy.eventsPerSecond.map { RateLimiter(eventsPerSecond: $0) }
    }

    /// Whether CURVE authentication is on (with a ZAP handler asking ``connection(domain:mechanism:publicKey:)``).
    package var isSecure: Bool { policy.keyring != nil }

    /// The region `nodeID`'s events belong to, if it has a grant.
    package func region(of nodeID: String) -> String? { policy.grants[nodeID] }

    /// Decides whether a new connection to a socket of `domain` may open (the ZAP handler's question).
    package func connection(domain: String, mechanism: String, publicKey: String?) -> CurveKeyring.Decision {
        guard let keyring = policy.keyring else { return .allowed(userID: "") }
        return keyring.decide(domain: domain, mechanism: mechanism, publicKey: publicKey)
    }

    /// Decides a HELLO from a node claiming `nodeID` on a connection that proved `key` (nil in plaintext): the region
    /// its session speaks for, or why not.
    package func hello(nodeID: String, key: String?) -> Result<String, Refusal> {
        if let refusal = keyRefusal(key, claiming: nodeID) { return .failure(refusal) }
        guard let region = policy.grants[nodeID] else {
            return .failure(
                Refusal(
                    reason: .unknownNode,
                    detail: "node \(nodeID) has no grant at this hub",
                    counter: "unknown node"
                )
            )
        }
        return .success(region)
    }

    /// Decides any later message of `nodeID`'s session on a connection that proved `key`.
    package func message(from nodeID: String, key: String?) -> Refusal? {
        if let refusal = keyRefusal(key, claiming: nodeID) { return refusal }
        guard policy.grants[nodeID] != nil else {
            return Refusal(
                reason: .notAuthorized,
                detail: "node \(nodeID) no longer has a grant at this hub",
                counter: "grant withdrawn"
            )
        }
        return nil
    }

    /// Decides whether `nodeID` may send `count` events now; takes them from its rate budget when it may. A refused
    /// message is dropped unsettled: the node sends it again later, so nothing is lost.
    package mutating func events(_ count: Int, from nodeID: String, now: ContinuousClock.Instant) -> Refusal? {
        guard var limiter else { return nil }
        defer { self.limiter = limiter }
        guard limiter.admit(nodeID, events: count, now: now) else {
            return Refusal(
                reason: .rateLimited,
                detail: "node \(nodeID) sends more than \(Int(limiter.rate)) events/s; slow down",
                counter: "rate limited"
            )
        }
        return nil
    }

    /// Whether an event that says it belongs to `claimedRegion` may be stored for `nodeID`: events are attributed to
    /// the sender's grant, never to what the payload claims.
    package func attribution(of claimedRegion: String, from nodeID: String) -> Refusal? {
        let region = policy.grants[nodeID]
        guard region != claimedRegion else { return nil }
        return Refusal(
            reason: .foreignRegion,
            detail: "region: node \(nodeID) reports for \(region ?? "no region"), not \(claimedRegion)",
            counter: "foreign region"
        )
    }

    /// Replaces the whole policy (a reload) and says what changed. Rate budgets already spent are kept when the rate
    /// stays the same.
    @discardableResult
    package mutating func replace(with new: Policy) -> Change {
        var change = Change()
        let before = policy.keyring?.nodeKeys ?? []
        let after = new.keyring?.nodeKeys ?? []
        change.keysAdded = after.subtracting(before).count
        change.keysRemoved = before.subtracting(after).count
        change.nodesAdded = Set(new.grants.keys).subtracting(policy.grants.keys).sorted()
        change.nodesRemoved = Set(policy.grants.keys).subtracting(new.grants.keys).sorted()
        change.regionsChanged = new.grants.keys.filter { id in
            policy.grants[id].map { $0 != new.grants[id] } ?? false
        }.sorted()
        change.rateChanged = new.eventsPerSecond != policy.eventsPerSecond
        if change.rateChanged { limiter = new.eventsPerSecond.map { RateLimiter(eventsPerSecond: $0) } }
        policy = new
        return change
    }

    /// With CURVE, a refusal when `key` no longer belongs to any node (it was removed by a reload).
    package func revokedKey(_ key: String?) -> Refusal? {
        guard let keyring = policy.keyring else { return nil }
        guard let key, keyring.owner(of: key) != nil else {
            return Refusal(
                reason: .notAuthorized,
                detail: "this connection's key is no longer allowed at this hub",
                counter: "key revoked"
            )
        }
        return nil
    }

    /// With CURVE, whether `key` still belongs to a node, and to `nodeID`.
    private func keyRefusal(_ key: String?, claiming nodeID: String) -> Refusal? {
        if let revoked = revokedKey(key) { return revoked }
        guard let keyring = policy.keyring, let key, let owner = keyring.owner(of: key) else { return nil }
        guard owner.node == nodeID else {
            return Refusal(
                reason: .notAuthorized,
                detail: "this key belongs to node \(owner.node), not \(nodeID); each node connects with its own key",
                counter: "wrong node"
            )
        }
        return nil
    }
}
