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

    /// The version this build implements: KPN/1.0.
    package static let current = ProtocolVersion(major: 1, minor: 0)

    package static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    package var description: String { "\(major).\(minor)" }
}
