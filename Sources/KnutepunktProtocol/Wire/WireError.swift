/// A message that could not be decoded (KPN or KPC), with what was wrong and what the receiver should answer.
package struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of defect was found. Extensible: new codes may appear, so don't switch over it exhaustively.
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// The message had no frames at all.
        package static let emptyMessage = Code(rawValue: "EMPTY_MESSAGE")
        /// Frame 0 does not start with the protocol's two signature bytes.
        package static let badSignature = Code(rawValue: "BAD_SIGNATURE")
        /// Frame 0 names a major version this build does not implement (the detail says which).
        package static let unsupportedVersion = Code(rawValue: "UNSUPPORTED_VERSION")
        /// The command byte is not defined.
        package static let unknownCommand = Code(rawValue: "UNKNOWN_COMMAND")
        /// The command has too few or too many frames.
        package static let wrongFrameCount = Code(rawValue: "WRONG_FRAME_COUNT")
        /// A fixed-size frame (header, version, integer) has the wrong length.
        package static let badFrameLength = Code(rawValue: "BAD_FRAME_LENGTH")
        /// A text frame is not UTF-8 or is outside its length limits.
        package static let invalidText = Code(rawValue: "INVALID_TEXT")
        /// The node id is empty, too long or has characters outside `A`–`Z`, `0`–`9`, `-`.
        package static let invalidNodeID = Code(rawValue: "INVALID_NODE_ID")
        /// An EVENT carries more than 1024 payloads.
        package static let tooManyPayloads = Code(rawValue: "TOO_MANY_PAYLOADS")
        /// The sequences of an EVENT (or a sequence field) run past the highest usable sequence.
        package static let sequenceOverflow = Code(rawValue: "SEQUENCE_OVERFLOW")
        /// A sequence field holds 0 where a real sequence (≥ 1) is required.
        package static let invalidSequence = Code(rawValue: "INVALID_SEQUENCE")

        package var description: String { rawValue }
    }

    package var code: Code
    /// What exactly was wrong, in words (which frame, which value).
    package var detail: String

    package init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The reason code the hub answers a message with this defect with (in ERROR).
    package var reason: ReasonCode {
        switch code {
        case .unsupportedVersion: .versionUnsupported
        case .unknownCommand: .unknownCommand
        default: .malformedMessage
        }
    }

    package var description: String {
        "\(code): \(detail). \(advice)"
    }

    /// What to do about it, for the log reader.
    package var advice: String {
        switch code {
        case .badSignature, .emptyMessage:
            "The peer is not speaking this protocol; check that it is connected to the right endpoint"
        case .unsupportedVersion:
            "The peer runs an incompatible Knutepunkt release; upgrade the older side"
        case .unknownCommand:
            "The peer is newer or broken; check that both sides run compatible releases"
        case .invalidNodeID:
            "Node ids are 1-64 characters of A-Z, 0-9 and '-'; fix the node's configured id"
        default:
            "The peer sent a message that breaks docs/protocol.md; report it with the peer's software version"
        }
    }
}
