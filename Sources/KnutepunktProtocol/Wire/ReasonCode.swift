/// Why the hub refused a session-level request (ERROR) or one event (NACK).
///
/// A struct rather than an enum so that a code added by a newer hub still decodes: an older node logs it by number
/// and treats it by its range (1–99 session, 100–199 event).
package struct ReasonCode: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    package var rawValue: UInt16

    package init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    // MARK: Session level (ERROR)

    /// The message could not be decoded.
    package static let malformedMessage = ReasonCode(rawValue: 1)
    /// The command is unknown or not allowed in this direction.
    package static let unknownCommand = ReasonCode(rawValue: 2)
    /// The hub does not implement the major version the node offered.
    package static let versionUnsupported = ReasonCode(rawValue: 3)
    /// The peer has no session: HELLO first.
    package static let helloRequired = ReasonCode(rawValue: 4)
    /// The node id has no grant at this hub.
    package static let unknownNode = ReasonCode(rawValue: 5)
    /// The node's credentials are refused (reserved for CURVE).
    package static let notAuthorized = ReasonCode(rawValue: 6)
    /// The peer sends faster than the hub allows (reserved).
    package static let rateLimited = ReasonCode(rawValue: 7)

    // MARK: Event level (NACK)

    /// The event failed validation; the detail lists the issues.
    package static let invalidEvent = ReasonCode(rawValue: 100)
    /// The payload is not a well-formed event document.
    package static let malformedPayload = ReasonCode(rawValue: 101)
    /// The event claims a region or node its sender may not report for.
    package static let foreignRegion = ReasonCode(rawValue: 102)
    /// The event id is already stored under another sequence.
    package static let duplicateEventID = ReasonCode(rawValue: 103)
    /// The event appears to carry personal data.
    package static let personalData = ReasonCode(rawValue: 104)
    /// The event's schema version is not supported.
    package static let unsupportedSchema = ReasonCode(rawValue: 105)
    /// The payload is larger than the hub accepts.
    package static let payloadTooLarge = ReasonCode(rawValue: 106)
    /// The event's id is stored with other content, and this version does not correct it (KPN/1.1).
    package static let conflictingContent = ReasonCode(rawValue: 107)
    /// The correction or withdrawal is based on a version older than the one stored (KPN/1.1).
    package static let staleVersion = ReasonCode(rawValue: 108)
    /// The event (or return) is dated in a month the national centre has locked for its region (KPN/1.3).
    package static let periodLocked = ReasonCode(rawValue: 109)

    /// Every code this version defines, in numeric order.
    package static let allKnown: [ReasonCode] = [
        .malformedMessage, .unknownCommand, .versionUnsupported, .helloRequired, .unknownNode, .notAuthorized,
        .rateLimited, .invalidEvent, .malformedPayload, .foreignRegion, .duplicateEventID, .personalData,
        .unsupportedSchema, .payloadTooLarge, .conflictingContent, .staleVersion, .periodLocked,
    ]

    /// True for codes sent in ERROR (1–99).
    package var isSessionLevel: Bool { (1...99).contains(rawValue) }

    /// True for codes sent in NACK (100–199).
    package var isEventLevel: Bool { (100...199).contains(rawValue) }

    /// The stable, upper-case name used in logs, JSON bodies and the protocol document; `UNKNOWN_<n>` for codes this
    /// version does not define.
    package var name: String {
        Self.table[rawValue]?.name ?? "UNKNOWN_\(rawValue)"
    }

    /// One sentence saying what the code means.
    package var explanation: String {
        Self.table[rawValue]?.explanation
            ?? "Reason code \(rawValue) is not defined in KPN/\(ProtocolVersion.current); a newer peer sent it."
    }

    package var description: String { "\(name) (\(rawValue))" }

    // The names and sentences are the ones in docs/protocol.md, section "Reason codes"; keep them in step.
    private static let table: [UInt16: (name: String, explanation: String)] = [
        1: ("MALFORMED_MESSAGE", "The message could not be decoded: wrong header, frame count, frame length or text."),
        2: ("UNKNOWN_COMMAND", "The command is not one the receiver knows, or it is not allowed in this direction."),
        3: ("VERSION_UNSUPPORTED", "The hub does not implement the protocol major version the node offered."),
        4: ("HELLO_REQUIRED", "The peer has no session; it must send HELLO and wait for WELCOME first."),
        5: ("UNKNOWN_NODE", "The node id in HELLO has no grant at this hub."),
        6: ("NOT_AUTHORIZED", "The connection's CURVE key is not (or no longer) allowed, or belongs to another node."),
        7: (
            "RATE_LIMITED",
            "The node sends events faster than the hub allows; the message was dropped unsettled, send it again later."
        ),
        100: ("INVALID_EVENT", "The event failed validation; the detail lists each issue."),
        101: ("MALFORMED_PAYLOAD", "The payload is not a well-formed event document."),
        102: ("FOREIGN_REGION", "The event claims a region or node that its sender is not allowed to report for."),
        103: (
            "DUPLICATE_EVENT_ID",
            "The event id is already stored under another sequence; it is stored once and this copy is settled."
        ),
        104: ("PERSONAL_DATA", "The event appears to carry personal data, which must never leave the region."),
        105: ("UNSUPPORTED_SCHEMA", "The event's schema version is not supported by the hub."),
        106: ("PAYLOAD_TOO_LARGE", "The payload is larger than the hub accepts."),
        107: (
            "CONFLICTING_CONTENT",
            "The event id is stored with other content, and this version does not correct it; nothing was stored."
        ),
        108: (
            "STALE_VERSION",
            "The correction is based on a version other than the latest one stored; nothing was stored."
        ),
        109: (
            "PERIOD_LOCKED",
            "The month the event is dated in is locked for its region; the detail names it and who locked it."
        ),
    ]
}
