import Foundation
import KnutepunktDomain

/// PERIODS (0x0B), hub → node, KPN/1.3 (docs/protocol.md, "Locked periods"): the months the national centre has
/// locked, so that a node refuses activities dated in them before anything is queued. Sent after every
/// REFERENCE_QUERY of a session agreed at 1.3 or later (so a node learns them when its session opens, and a lost
/// announcement is repaired within the follower's interval), and to every such session when a lock changes.
///
/// Kept apart from ``WireMessage`` like ``ReferenceMessage``: a peer reads it only in a session agreed at 1.3.
package struct PeriodsMessage: Hashable, Sendable {
    package var locks: PeriodLocks

    package init(_ locks: PeriodLocks) { self.locks = locks }

    /// The command byte.
    package static let command: UInt8 = 0x0B
    /// The largest document accepted.
    package static let maxDocumentBytes = 1 << 20

    /// Whether a session at `version` carries PERIODS.
    package static func speaks(_ version: ProtocolVersion) -> Bool { version >= .periods }

    /// The frames: header, the locks' version (u64), the locks as a JSON array of `{"region", "month", "lockedBy",
    /// "lockedAt"}`.
    package var frames: [[UInt8]] {
        let header = WireCodec.signature + [ProtocolVersion.current.major, Self.command]
        let document = (try? JSONEncoder.sorted.encode(locks.locks)).map(Array.init) ?? Array("[]".utf8)
        return [header, WireFrame.bytes(locks.version), document]
    }

    /// Whether `frames` is a PERIODS message (by its header).
    package static func isPeriods(_ frames: [[UInt8]]) -> Bool {
        guard let header = frames.first, header.count == 4, Array(header.prefix(2)) == WireCodec.signature,
            header[2] == ProtocolVersion.current.major
        else { return false }
        return header[3] == command
    }

    /// The message `frames` carry: nil when they are not PERIODS, an error when they are but malformed.
    package static func decode(_ frames: [[UInt8]]) throws(WireError) -> PeriodsMessage? {
        guard isPeriods(frames) else { return nil }
        try WireFrame.expect(frames, count: 3, for: "PERIODS")
        let version = try WireFrame.uint64(frames[1], field: "PERIODS version")
        guard frames[2].count <= maxDocumentBytes,
            let locks = try? JSONDecoder().decode([PeriodLedger.Lock].self, from: Data(frames[2]))
        else {
            throw WireError(code: .invalidText, detail: "PERIODS document is not a JSON array of locks")
        }
        return PeriodsMessage(PeriodLocks(version: version, locks: locks))
    }
}

extension JSONEncoder {
    /// Sorted keys: the same locks give the same bytes.
    fileprivate static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
