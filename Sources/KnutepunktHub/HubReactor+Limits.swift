import KnutepunktProtocol
import KnutepunktZMQ

/// The size limits of what nodes send (docs/protocol.md, "Limits"): `hub.maxMessageBytes` per message, the sum of
/// its frames (libzmq's `ZMQ_MAXMSGSIZE` only bounds each frame), and ``WireLimits/maxPayloadBytes`` per payload.
extension HubReactor {
    /// How many bytes of one node message the reactor copies: the limit and the routing id's envelope.
    var routerReadLimit: Int { setup.configuration.maxMessageBytes + WireLimits.envelopeAllowance }

    /// The refusal of a message whose frames add up to more than `hub.maxMessageBytes` (nil when it is within
    /// it). The message is discarded whole, like any message that cannot be decoded, and answered with ERROR
    /// MALFORMED_MESSAGE (within the ERROR holdoff); the log line is throttled.
    func oversized(_ message: ZMQMessage) -> WireError? {
        let bytes = message.byteCount - (message.frames.first?.count ?? 0)
        let limit = setup.configuration.maxMessageBytes
        guard message.isTruncated || bytes > limit else { return nil }
        if let suppressed = logThrottle.admit("message too large", now: clock.now) {
            logger.warning(
                "message larger than hub.maxMessageBytes discarded",
                metadata: [
                    "peer.address": "\(message.peerAddress ?? "?")", "bytes": "\(bytes)", "limit": "\(limit)",
                    "suppressed.since.last": "\(suppressed)",
                ]
            )
        }
        return WireError(
            code: .messageTooLarge,
            detail: "the message is \(bytes) bytes, more than this hub accepts (hub.maxMessageBytes \(limit))"
        )
    }

    /// Why a payload is refused before it is read (nil: it is within ``WireLimits/maxPayloadBytes``).
    static func payloadTooLarge(_ payload: [UInt8]) -> String? {
        guard payload.count > WireLimits.maxPayloadBytes else { return nil }
        return "the payload is \(payload.count) bytes; this hub accepts at most \(WireLimits.maxPayloadBytes)"
    }
}
