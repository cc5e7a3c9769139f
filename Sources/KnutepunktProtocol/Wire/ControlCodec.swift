import KnutepunktDomain

/// Encodes and decodes KPC/1 control messages: a 4-byte header ('K' 'C' 1 command) and one UTF-8 body frame.
///
/// Like ``WireCodec``, `decode` never traps on any input. The envelope in front of frame 0 (the ROUTER identity and
/// a REQ socket's empty delimiter) is transport, handled by the socket wrapper, not here.
package enum ControlCodec {
    /// The signature bytes 'K' 'C' that open frame 0.
    static let signature: [UInt8] = [0x4B, 0x43]
    /// KPC's major version.
    package static let version: UInt8 = 1

    /// The two frames of `message`.
    package static func encode(_ message: ControlMessage) -> [[UInt8]] {
        [signature + [version, message.command.rawValue], message.body]
    }

    /// Splits what a ROUTER received into the envelope to answer on (the peer's routing id, plus the empty delimiter a
    /// REQ socket adds) and the KPC/1 frames; nil when there is nothing after the routing id.
    package static func splitEnvelope(_ frames: [[UInt8]]) -> (envelope: [[UInt8]], message: [[UInt8]])? {
        guard frames.count >= 2 else { return nil }
        if frames[1].isEmpty, frames.count > 2 { return (Array(frames[..<2]), Array(frames[2...])) }
        return ([frames[0]], Array(frames[1...]))
    }

    /// The message `frames` carry, or the first defect found in them.
    package static func decode(_ frames: [[UInt8]]) throws(WireError) -> ControlMessage {
        guard let header = frames.first else {
            throw WireError(code: .emptyMessage, detail: "the control message has no frames")
        }
        guard header.count >= 2, header[0] == signature[0], header[1] == signature[1] else {
            throw WireError(code: .badSignature, detail: "frame 0 does not start with 'K' 'C' (0x4B 0x43)")
        }
        guard header.count == 4 else {
            throw WireError(code: .badFrameLength, detail: "frame 0 must be 4 bytes, got \(header.count)")
        }
        guard header[2] == version else {
            throw WireError(code: .unsupportedVersion, detail: "major version \(header[2]); this build speaks KPC/1")
        }
        guard let command = ControlCommand(rawValue: header[3]) else {
            throw WireError(
                code: .unknownCommand,
                detail: "control command byte \(WireCodec.hex(header[3])) is not defined"
            )
        }
        try WireFrame.expect(frames, count: 2, for: "control \(command.name)")
        guard String(validating: frames[1], as: UTF8.self) != nil else {
            throw WireError(code: .invalidText, detail: "control \(command.name) body is not valid UTF-8")
        }
        return ControlMessage(command: command, body: frames[1])
    }
}
