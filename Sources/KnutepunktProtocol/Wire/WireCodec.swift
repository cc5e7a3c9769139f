import KnutepunktDomain

/// Encodes and decodes KPN/1 messages: frames of bytes in, `WireMessage` out, and back.
///
/// Pure and total on input: `decode` throws for anything that is not a well-formed KPN/1 message and never traps,
/// whatever the bytes. `encode` treats values it could never decode (an invalid node id, an empty EVENT) as
/// programmer errors; free text that is too long is truncated rather than refused.
package enum WireCodec {
    /// The signature bytes 'K' 'P' that open frame 0.
    static let signature: [UInt8] = [0x4B, 0x50]

    /// The frames of `message`, frame 0 (the header) first. The ROUTER identity frame is not included.
    package static func encode(_ message: WireMessage) -> [[UInt8]] {
        let header = signature + [ProtocolVersion.current.major, message.command.rawValue]
        switch message {
        case .hello(let hello):
            precondition(WireLimits.isValidNodeID(hello.nodeID), "invalid node id \(hello.nodeID)")
            return [
                header,
                WireFrame.bytes(hello.version),
                Array(hello.nodeID.utf8),
                WireFrame.bytes(hello.software, truncatedTo: WireLimits.maxSoftwareBytes),
            ]
        case .welcome(let welcome):
            precondition(WireLimits.isValidHubID(welcome.hubID), "invalid hub id \(welcome.hubID)")
            precondition(welcome.settledThrough <= WireLimits.maxSequence, "settled-through out of range")
            return [
                header,
                WireFrame.bytes(welcome.version),
                WireFrame.bytes(welcome.settledThrough),
                Array(welcome.hubID.utf8),
            ]
        case .events(let batch):
            precondition(
                (1...WireLimits.maxPayloadsPerEvent).contains(batch.payloads.count),
                "an EVENT carries 1...\(WireLimits.maxPayloadsPerEvent) payloads, not \(batch.payloads.count)"
            )
            precondition(
                batch.firstSequence >= 1
                    && batch.firstSequence <= WireLimits.maxSequence - UInt64(batch.payloads.count - 1),
                "EVENT sequences out of range"
            )
            return [header, WireFrame.bytes(batch.firstSequence)] + batch.payloads
        case .ack(let settledThrough):
            precondition(settledThrough <= WireLimits.maxSequence, "settled-through out of range")
            return [header, WireFrame.bytes(settledThrough)]
        case .nack(let nack):
            precondition((1...WireLimits.maxSequence).contains(nack.sequence), "NACK sequence out of range")
            return [
                header,
                WireFrame.bytes(nack.sequence),
                WireFrame.bytes(nack.reason.rawValue),
                WireFrame.bytes(nack.detail, truncatedTo: WireLimits.maxDetailBytes),
            ]
        case .resend(let from):
            precondition(from >= 1, "RESEND names the next expected sequence, which is at least 1")
            return [header, WireFrame.bytes(from)]
        case .heartbeat:
            return [header]
        case .error(let error):
            return [
                header,
                WireFrame.bytes(error.reason.rawValue),
                WireFrame.bytes(error.detail, truncatedTo: WireLimits.maxDetailBytes),
            ]
        }
    }

    /// The message `frames` carry, or the first defect found in them.
    package static func decode(_ frames: [[UInt8]]) throws(WireError) -> WireMessage {
        guard let header = frames.first else {
            throw WireError(code: .emptyMessage, detail: "the message has no frames")
        }
        let command = try decodeHeader(header)
        switch command {
        case .hello:
            try WireFrame.expect(frames, count: 4, for: "HELLO")
            let version = try WireFrame.version(frames[1], field: "HELLO version")
            guard WireLimits.isValidNodeID(bytes: frames[2]) else {
                throw WireError(
                    code: .invalidNodeID,
                    detail: "HELLO node id must be 1...64 bytes of A-Z, 0-9, '-' (got \(frames[2].count) bytes)"
                )
            }
            // Checked as ASCII above, so this cannot fail; decoding through the validator keeps it trap-free anyway.
            let nodeID = try WireFrame.text(frames[2], field: "HELLO node id", bytes: WireLimits.nodeIDBytes)
            let software = try WireFrame.text(
                frames[3],
                field: "HELLO software",
                bytes: 0...WireLimits.maxSoftwareBytes
            )
            return .hello(.init(version: version, nodeID: nodeID, software: software))

        case .welcome:
            try WireFrame.expect(frames, count: 4, for: "WELCOME")
            let version = try WireFrame.version(frames[1], field: "WELCOME version")
            let settled = try sequenceOrZero(frames[2], field: "WELCOME settled-through")
            let hubID = try WireFrame.text(frames[3], field: "WELCOME hub id", bytes: WireLimits.hubIDBytes)
            return .welcome(.init(version: version, settledThrough: settled, hubID: hubID))

        case .event:
            guard frames.count >= 3 else {
                throw WireError(
                    code: .wrongFrameCount,
                    detail: "EVENT has at least 3 frames (header, first sequence, payload), got \(frames.count)"
                )
            }
            let count = frames.count - 2
            guard count <= WireLimits.maxPayloadsPerEvent else {
                throw WireError(
                    code: .tooManyPayloads,
                    detail: "EVENT carries at most \(WireLimits.maxPayloadsPerEvent) payloads, got \(count)"
                )
            }
            let first = try WireFrame.uint64(frames[1], field: "EVENT first sequence")
            guard first >= 1 else {
                throw WireError(code: .invalidSequence, detail: "EVENT first sequence is 0; sequences start at 1")
            }
            // The last sequence is first + count − 1, and it must leave room for "next" (first + count).
            let (next, overflow) = first.addingReportingOverflow(UInt64(count))
            guard !overflow, next - 1 <= WireLimits.maxSequence else {
                throw WireError(
                    code: .sequenceOverflow,
                    detail: "EVENT first sequence \(first) with \(count) payloads runs past \(WireLimits.maxSequence)"
                )
            }
            return .events(.init(firstSequence: first, payloads: Array(frames[2...])))

        case .ack:
            try WireFrame.expect(frames, count: 2, for: "ACK")
            return .ack(settledThrough: try sequenceOrZero(frames[1], field: "ACK settled-through"))

        case .nack:
            try WireFrame.expect(frames, count: 4, for: "NACK")
            let sequence = try sequence(frames[1], field: "NACK sequence")
            let reason = ReasonCode(rawValue: try WireFrame.uint16(frames[2], field: "NACK reason"))
            let detail = try WireFrame.text(frames[3], field: "NACK detail", bytes: 0...WireLimits.maxDetailBytes)
            return .nack(.init(sequence: sequence, reason: reason, detail: detail))

        case .resend:
            try WireFrame.expect(frames, count: 2, for: "RESEND")
            let from = try WireFrame.uint64(frames[1], field: "RESEND next expected")
            guard from >= 1 else {
                throw WireError(code: .invalidSequence, detail: "RESEND next expected is 0; sequences start at 1")
            }
            return .resend(from: from)

        case .heartbeat:
            try WireFrame.expect(frames, count: 1, for: "HEARTBEAT")
            return .heartbeat

        case .error:
            try WireFrame.expect(frames, count: 3, for: "ERROR")
            let reason = ReasonCode(rawValue: try WireFrame.uint16(frames[1], field: "ERROR reason"))
            let detail = try WireFrame.text(frames[2], field: "ERROR detail", bytes: 0...WireLimits.maxDetailBytes)
            return .error(.init(reason: reason, detail: detail))
        }
    }

    private static func decodeHeader(_ header: [UInt8]) throws(WireError) -> WireCommand {
        guard header.count >= 2, header[0] == signature[0], header[1] == signature[1] else {
            throw WireError(code: .badSignature, detail: "frame 0 does not start with 'K' 'P' (0x4B 0x50)")
        }
        guard header.count == 4 else {
            throw WireError(code: .badFrameLength, detail: "frame 0 must be 4 bytes, got \(header.count)")
        }
        guard header[2] == ProtocolVersion.current.major else {
            throw WireError(
                code: .unsupportedVersion,
                detail: "major version \(header[2]); this build speaks KPN/\(ProtocolVersion.current.major)"
            )
        }
        guard let command = WireCommand(rawValue: header[3]) else {
            throw WireError(code: .unknownCommand, detail: "command byte \(hex(header[3])) is not defined")
        }
        return command
    }

    /// A settled-through value: 0 (nothing) up to the highest usable sequence.
    private static func sequenceOrZero(_ frame: [UInt8], field: String) throws(WireError) -> UInt64 {
        let value = try WireFrame.uint64(frame, field: field)
        guard value <= WireLimits.maxSequence else {
            throw WireError(code: .sequenceOverflow, detail: "\(field) \(value) is past \(WireLimits.maxSequence)")
        }
        return value
    }

    /// A real sequence: 1 up to the highest usable sequence.
    private static func sequence(_ frame: [UInt8], field: String) throws(WireError) -> UInt64 {
        let value = try sequenceOrZero(frame, field: field)
        guard value >= 1 else {
            throw WireError(code: .invalidSequence, detail: "\(field) is 0; sequences start at 1")
        }
        return value
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
