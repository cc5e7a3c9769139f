import KnutepunktAccess

/// What a dashboard user may do.
package enum DashboardRole: String, Sendable, Hashable, Codable, CaseIterable, AccessRole {
    /// Sees every view and export.
    case viewer
    /// Sees everything a viewer sees, and acknowledges gaps with a note.
    case analyst

    package static let tokenCommand = "knutepunkt dashboard token"

    /// Whether this role may acknowledge gaps.
    package var mayAcknowledge: Bool { self == .analyst }
}
