/// What a dashboard user may do.
package enum DashboardRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sees every view and export.
    case viewer
    /// Sees everything a viewer sees, and acknowledges gaps with a note.
    case analyst

    /// Whether this role may acknowledge gaps.
    package var mayAcknowledge: Bool { self == .analyst }
}

/// A user the dashboard recognised by their token.
package struct DashboardUser: Sendable, Hashable, Codable {
    package var name: String
    package var role: DashboardRole

    package init(name: String, role: DashboardRole) {
        self.name = name
        self.role = role
    }
}
