/// A KPN protocol version.
///
/// A new `major` breaks compatibility (frame 0 carries it, and a peer rejects majors it does not implement); a new
/// `minor` only adds to the protocol, and peers use the lower of their two minors, agreed in HELLO/WELCOME.
package struct ProtocolVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var major: UInt8
    package var minor: UInt8

    package init(major: UInt8, minor: UInt8) {
        self.major = major
        self.minor = minor
    }

    /// The version this build implements: KPN/1.3.
    package static let current = ProtocolVersion(major: 1, minor: 3)

    /// KPN/1.0, the first version: events are schema 1.0 documents.
    package static let first = ProtocolVersion(major: 1, minor: 0)

    /// KPN/1.1 added versions of events (schema 1.1: corrections and withdrawals), the NACK reasons
    /// CONFLICTING_CONTENT and STALE_VERSION, and DUPLICATE_EVENT_ID meaning only "this very version is stored".
    package static let versions = ProtocolVersion(major: 1, minor: 1)

    /// KPN/1.2 added reference data: the hub's versioned taxonomy, sent to nodes over their link (REFERENCE_QUERY and
    /// REFERENCE), and event payloads of schema 1.2 (`test`, `taxonomy_version`).
    package static let referenceData = ProtocolVersion(major: 1, minor: 2)

    /// KPN/1.3 added reporting periods: PERIODS (the locked months, hub → node), the NACK reason PERIOD_LOCKED, and
    /// monthly returns among the EVENT payloads.
    package static let periods = ProtocolVersion(major: 1, minor: 3)

    package static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    package var description: String { "\(major).\(minor)" }
}
