/// The node's side of reference data (KPN/1.2): which taxonomy version it holds, when to ask the hub for the
/// current one, and when to take what the hub sent. No I/O.
///
/// It follows the Clone pattern over the node's one link: on every session agreed at 1.2 or later it asks at once
/// (REFERENCE_QUERY with the version held), and again every ``Configuration/queryInterval``, so an announcement that
/// ZeroMQ dropped is made up for within that interval. The hub answers with the current version's document, or with
/// an empty one when the node's is current, and pushes every new version to every session. A session of an earlier
/// minor never sees either message.
package struct ReferenceFollowerStateMachine: Sendable {
    package struct Configuration: Sendable {
        /// How often the node asks again while a session is open.
        package var queryInterval: Duration
        package init(queryInterval: Duration = .seconds(60)) {
            self.queryInterval = queryInterval
        }
    }

    /// What the shell must do.
    package enum Action: Hashable, Sendable {
        /// Send this message to the hub (a REFERENCE_QUERY).
        case send(ReferenceMessage)
        /// Read this version's document and, if it is a usable taxonomy, validate against it from now on and keep it
        /// for restarts; then call ``adopted(_:now:)``, or ``refused(_:)`` if it is not usable.
        case adopt(version: UInt64, document: [UInt8])
    }

    /// The version in use, as the hub announced it (0: none yet; the node's own taxonomy file is in use).
    package private(set) var held: UInt64
    /// Whether the open session speaks reference data (agreed at 1.2 or later).
    package private(set) var following = false
    /// When the hub last confirmed the version held (sent it, or said it is current).
    package private(set) var lastConfirmed: ContinuousClock.Instant?
    private var nextQuery: ContinuousClock.Instant?
    /// A version whose document could not be used: not tried again until another version comes.
    private var unusable: UInt64?
    private let configuration: Configuration

    /// - Parameter held: the version the node kept from an earlier run (0: none).
    package init(held: UInt64, configuration: Configuration = .init()) {
        self.held = held
        self.configuration = configuration
    }

    /// When ``tick(now:)`` must run next.
    package var nextDeadline: ContinuousClock.Instant? { following ? nextQuery : nil }

    /// A session opened (WELCOME) with the agreed `version`.
    package mutating func sessionOpened(version: ProtocolVersion, now: ContinuousClock.Instant) -> [Action] {
        following = version >= .referenceData
        guard following else {
            nextQuery = nil
            return []
        }
        nextQuery = now + configuration.queryInterval
        return [.send(.query(held: held))]
    }

    /// The session ended (reconnect, greeting again).
    package mutating func sessionClosed() {
        following = false
        nextQuery = nil
    }

    package mutating func received(_ message: ReferenceMessage, now: ContinuousClock.Instant) -> [Action] {
        guard following, case .reference(let version, let document) = message else { return [] }
        if document.isEmpty {
            // "Yours is current" — or, naming another version, an answer that crossed a newer announcement: ask again.
            if version == held {
                lastConfirmed = now
                return []
            }
            nextQuery = now + configuration.queryInterval
            return [.send(.query(held: held))]
        }
        if version == held {
            lastConfirmed = now
            return []
        }
        // Another version than the one held, newer or (a hub restored from a backup, another hub) older: the node
        // validates against what its hub announces.
        guard version != unusable else { return [] }
        return [.adopt(version: version, document: document)]
    }

    /// The shell took `version`.
    package mutating func adopted(_ version: UInt64, now: ContinuousClock.Instant) {
        held = version
        lastConfirmed = now
        unusable = nil
    }

    /// The shell could not use `version`'s document; the node keeps what it holds.
    package mutating func refused(_ version: UInt64) {
        unusable = version
    }

    package mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        guard following, let next = nextQuery, now >= next else { return [] }
        nextQuery = now + configuration.queryInterval
        return [.send(.query(held: held))]
    }
}

/// The hub's side of reference data (KPN/1.2): what to answer a REFERENCE_QUERY and what to announce. No I/O.
package struct ReferenceAnnouncer: Sendable {
    /// The version published last, and its document; nil before the first.
    package private(set) var current: (version: UInt64, document: [UInt8])?

    package init(version: UInt64? = nil, document: [UInt8] = []) {
        if let version { current = (version, document) }
    }

    /// Whether a session agreed at `version` reads reference data.
    package static func speaks(_ version: ProtocolVersion) -> Bool { version >= .referenceData }

    /// A new version was published: what goes to every session that speaks reference data.
    package mutating func published(version: UInt64, document: [UInt8]) -> ReferenceMessage {
        current = (version, document)
        return .reference(version: version, document: document)
    }

    /// The answer to a node holding `held`: the current version, with its document unless the node holds it. Nil
    /// while nothing is published (the node keeps its own file and asks again later).
    package func answer(held: UInt64) -> ReferenceMessage? {
        guard let current else { return nil }
        return .reference(version: current.version, document: held == current.version ? [] : current.document)
    }
}
