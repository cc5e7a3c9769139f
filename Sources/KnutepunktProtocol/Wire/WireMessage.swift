/// One KPN/1 message between a node and the hub, decoded. See docs/protocol.md for what each means.
package enum WireMessage: Hashable, Sendable {
    /// node → hub: open a session.
    case hello(Hello)
    /// hub → node: session open; where the node should resume.
    case welcome(Welcome)
    /// node → hub: consecutive events.
    case events(EventBatch)
    /// hub → node: every sequence ≤ `settledThrough` is durably settled (cumulative).
    case ack(settledThrough: UInt64)
    /// hub → node: one event is refused for good (it still counts as settled).
    case nack(Nack)
    /// hub → node: the hub saw a gap; send again from `from`.
    case resend(from: UInt64)
    /// either way: liveness.
    case heartbeat
    /// hub → node: a session-level refusal.
    case error(SessionError)

    /// HELLO: who the node is and the highest version it speaks.
    package struct Hello: Hashable, Sendable {
        /// The node's highest supported version (its major is the one frame 0 carries).
        package var version: ProtocolVersion
        /// 1...64 bytes of `A`–`Z`, `0`–`9`, `-`.
        package var nodeID: String
        /// Software name and version, for the hub's logs; at most 64 bytes (truncated when encoded).
        package var software: String

        package init(version: ProtocolVersion = .current, nodeID: String, software: String) {
            self.version = version
            self.nodeID = nodeID
            self.software = software
        }
    }

    /// WELCOME: the agreed version and the hub's durable progress for this node.
    package struct Welcome: Hashable, Sendable {
        /// Same major as HELLO; minor is the lower of the two sides'.
        package var version: ProtocolVersion
        /// Every sequence ≤ this from the node is durably settled at the hub (0: none).
        package var settledThrough: UInt64
        /// 1...64 bytes of UTF-8.
        package var hubID: String

        package init(version: ProtocolVersion, settledThrough: UInt64, hubID: String) {
            self.version = version
            self.settledThrough = settledThrough
            self.hubID = hubID
        }
    }

    /// EVENT: payloads with the consecutive sequences `firstSequence`, `firstSequence + 1`, …
    package struct EventBatch: Hashable, Sendable {
        /// ≥ 1.
        package var firstSequence: UInt64
        /// 1...1024 opaque payloads, one event each.
        package var payloads: [[UInt8]]

        package init(firstSequence: UInt64, payloads: [[UInt8]]) {
            self.firstSequence = firstSequence
            self.payloads = payloads
        }

        /// The sequence of the last payload. Only meaningful for a non-empty batch.
        package var lastSequence: UInt64 {
            precondition(!payloads.isEmpty, "an EVENT batch has at least one payload")
            return firstSequence + UInt64(payloads.count - 1)
        }

        /// The sequences this batch carries. Only meaningful for a non-empty batch.
        package var sequences: ClosedRange<UInt64> { firstSequence...lastSequence }
    }

    /// NACK: the event with `sequence` is rejected for good.
    package struct Nack: Hashable, Sendable {
        package var sequence: UInt64
        package var reason: ReasonCode
        /// Human-readable detail, at most 4096 bytes (truncated when encoded).
        package var detail: String

        package init(sequence: UInt64, reason: ReasonCode, detail: String) {
            self.sequence = sequence
            self.reason = reason
            self.detail = detail
        }
    }

    /// ERROR: the hub refuses something at the session level.
    package struct SessionError: Hashable, Sendable {
        package var reason: ReasonCode
        /// Human-readable detail, at most 4096 bytes (truncated when encoded).
        package var detail: String

        package init(reason: ReasonCode, detail: String) {
            self.reason = reason
            self.detail = detail
        }
    }

    /// The command this message is sent as.
    package var command: WireCommand {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .events: .event
        case .ack: .ack
        case .nack: .nack
        case .resend: .resend
        case .heartbeat: .heartbeat
        case .error: .error
        }
    }
}

extension WireMessage: CustomStringConvertible {
    /// A one-line summary for logs; never includes payload bytes (they may be sensitive).
    package var description: String {
        switch self {
        case .hello(let hello): "HELLO \(hello.nodeID) v\(hello.version) \(hello.software)"
        case .welcome(let welcome):
            "WELCOME v\(welcome.version) settled-through \(welcome.settledThrough) hub \(welcome.hubID)"
        case .events(let batch) where batch.payloads.isEmpty: "EVENT \(batch.firstSequence) (no payloads)"
        case .events(let batch): "EVENT \(batch.firstSequence)...\(batch.lastSequence)"
        case .ack(let through): "ACK \(through)"
        case .nack(let nack): "NACK \(nack.sequence) \(nack.reason): \(nack.detail)"
        case .resend(let from): "RESEND \(from)"
        case .heartbeat: "HEARTBEAT"
        case .error(let error): "ERROR \(error.reason): \(error.detail)"
        }
    }
}
