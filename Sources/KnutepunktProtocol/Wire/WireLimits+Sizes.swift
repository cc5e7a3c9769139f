/// The byte limits of KPN/1 and KPC/1 messages (docs/protocol.md, "Limits").
extension WireLimits {
    /// The largest payload (one event document) the hub accepts; a larger one is settled with NACK
    /// PAYLOAD_TOO_LARGE without being parsed. A valid event's canonical form stays far below it (a note of 280
    /// characters, at most 64 codes of 64 characters per list): about 27 KiB at the very most.
    package static let maxPayloadBytes = 65_536

    /// The libzmq `ZMQ_MAXMSGSIZE` of a control (KPC) socket whose requests may hold `limit` bytes. libzmq checks it
    /// per frame, and drops the connection of a peer whose frame passes it, without a reply; anything smaller the
    /// daemon reads and, above `limit`, answers with ERROR TOO_LARGE. Sixteen times the limit, and at least 1 MiB,
    /// so that an honest client's oversized request is always answered.
    package static func controlFrameCeiling(requestLimit limit: Int) -> Int {
        max(limit.multipliedReportingOverflow(by: 16).overflow ? .max : limit * 16, 1 << 20)
    }

    /// The largest KPC request (the frames after the envelope) the hub's control socket accepts: STATUS and GAPS
    /// bodies are small JSON objects.
    package static let hubControlRequestBytes = 65_536

    /// Room for a ROUTER's envelope (routing id, at most 255 bytes, and a REQ's empty delimiter) on top of a
    /// message limit, when reading with ``KnutepunktZMQ``'s `keepingAtMost`.
    package static let envelopeAllowance = 512
}

extension WireError.Code {
    /// The frames of a message add up to more than the receiver accepts (answered like any message that cannot be
    /// decoded: ERROR MALFORMED_MESSAGE).
    package static let messageTooLarge = WireError.Code(rawValue: "MESSAGE_TOO_LARGE")
}
