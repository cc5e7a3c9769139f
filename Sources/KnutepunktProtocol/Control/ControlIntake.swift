/// What a daemon's control (KPC/1) socket does with one message its ROUTER received: every request gets exactly one
/// reply, so anything that has an envelope to answer on is either a request to serve or a refusal to send back as
/// ERROR. Pure: the socket shell reads the message (keeping at most a bounded number of bytes) and passes what it
/// got.
package enum ControlIntake: Sendable, Hashable {
    /// A well-formed request within the size limit.
    case request(envelope: [[UInt8]], message: ControlMessage)
    /// Answer with ERROR `failure` on `envelope`; `kind` names the problem for a (throttled) log line.
    case refuse(envelope: [[UInt8]], failure: ControlFailure, kind: String)
    /// Nothing after the routing id: there is no request to answer (a ROUTER never delivers this from a REQ or
    /// DEALER client, which always send at least one frame).
    case unanswerable

    /// The log kinds of refusals.
    package static let tooLargeKind = "control request too large"
    package static let malformedKind = "malformed control request"

    /// Reads one received message.
    ///
    /// - Parameters:
    ///   - frames: the frames, routing id first; frames past the reader's byte limit emptied.
    ///   - byteCount: the size of every frame as received.
    ///   - truncated: whether frames were emptied because the message passed the reader's limit.
    ///   - requestLimit: the most bytes the KPC frames (after the envelope) may hold.
    package static func read(
        _ frames: [[UInt8]],
        byteCount: Int,
        truncated: Bool,
        requestLimit: Int
    ) -> ControlIntake {
        guard let (envelope, rest) = ControlCodec.splitEnvelope(frames) else { return .unanswerable }
        let envelopeBytes = envelope.reduce(0) { $0 + $1.count }
        let requestBytes = byteCount - envelopeBytes
        if truncated || requestBytes > requestLimit {
            return .refuse(
                envelope: envelope,
                failure: ControlFailure(
                    code: ControlFailure.tooLargeCode,
                    message: "the request is \(requestBytes) bytes; this daemon accepts at most \(requestLimit) "
                        + "(send fewer events per request)"
                ),
                kind: tooLargeKind
            )
        }
        do {
            return .request(envelope: envelope, message: try ControlCodec.decode(rest))
        } catch {
            return .refuse(
                envelope: envelope,
                failure: ControlFailure(code: ControlFailure.malformedRequestCode, message: "\(error)"),
                kind: malformedKind
            )
        }
    }
}
