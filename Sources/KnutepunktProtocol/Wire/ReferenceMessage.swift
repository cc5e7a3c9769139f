/// The two KPN messages of reference data (KPN/1.2; docs/protocol.md, "Reference data"): the hub's versioned
/// taxonomy, sent to nodes over the link they already have, the Clone way — a node asks with what it holds, the hub
/// answers with the current version when the node's is not it, and announces each new version to every session.
///
/// Kept apart from ``WireMessage`` and ``WireCodec`` on purpose: the session messages stay as KPN/1.0 and 1.1 defined
/// them, and a peer reads these two only in a session agreed at 1.2 or later (``ProtocolVersion/referenceData``).
package enum ReferenceMessage: Hashable, Sendable {
    /// REFERENCE_QUERY (0x09), node → hub: "I hold this taxonomy version" (0: none yet).
    case query(held: UInt64)
    /// REFERENCE (0x0A), hub → node: the current version and its document (the taxonomy file's text, UTF-8). An
    /// empty document means "the version you hold is the current one".
    case reference(version: UInt64, document: [UInt8])

    /// The command byte of REFERENCE_QUERY.
    package static let queryCommand: UInt8 = 0x09
    /// The command byte of REFERENCE.
    package static let referenceCommand: UInt8 = 0x0A
    /// The largest document a REFERENCE may carry (the shipped taxonomy is about 15 KiB).
    package static let maxDocumentBytes = 1 << 20

    /// The frames of this message, frame 0 (the header) first.
    package var frames: [[UInt8]] {
        let header = WireCodec.signature + [ProtocolVersion.current.major]
        switch self {
        case .query(let held):
            return [header + [Self.queryCommand], WireFrame.bytes(held)]
        case .reference(let version, let document):
            precondition(version >= 1, "a published taxonomy version is at least 1")
            precondition(document.count <= Self.maxDocumentBytes, "a taxonomy document of \(document.count) bytes")
            return [header + [Self.referenceCommand], WireFrame.bytes(version), document]
        }
    }

    /// Whether `frames` is one of these two messages (by its header): only then is ``decode(_:)`` asked.
    package static func isReference(_ frames: [[UInt8]]) -> Bool {
        guard let header = frames.first, header.count == 4, Array(header.prefix(2)) == WireCodec.signature,
            header[2] == ProtocolVersion.current.major
        else { return false }
        return header[3] == queryCommand || header[3] == referenceCommand
    }

    /// The message `frames` carry, checked completely: nil when they are not a reference-data message at all (then
    /// ``WireCodec`` reads them), an error when they are one but malformed. Total: never traps, whatever the bytes.
    package static func decode(_ frames: [[UInt8]]) throws(WireError) -> ReferenceMessage? {
        guard isReference(frames) else { return nil }
        if frames[0][3] == queryCommand {
            try WireFrame.expect(frames, count: 2, for: "REFERENCE_QUERY")
            return .query(held: try WireFrame.uint64(frames[1], field: "REFERENCE_QUERY version"))
        }
        try WireFrame.expect(frames, count: 3, for: "REFERENCE")
        let version = try WireFrame.uint64(frames[1], field: "REFERENCE version")
        guard version >= 1 else {
            throw WireError(code: .invalidSequence, detail: "REFERENCE version must be at least 1")
        }
        guard frames[2].count <= maxDocumentBytes else {
            throw WireError(
                code: .invalidText,
                detail: "REFERENCE document must be at most \(maxDocumentBytes) bytes, got \(frames[2].count)"
            )
        }
        guard String(validating: frames[2], as: UTF8.self) != nil else {
            throw WireError(code: .invalidText, detail: "REFERENCE document is not valid UTF-8")
        }
        return .reference(version: version, document: frames[2])
    }
}
