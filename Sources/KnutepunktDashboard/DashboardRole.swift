import KnutepunktAccess

/// What a dashboard user may do. The same access file signs people in for the reporting periods: a regional lead
/// (`lead:NO-VEST` in the file) signs off their region's months, the national analyst accepts (locks) and reopens
/// them, a coordinator makes returns at the node.
package enum DashboardRole: String, Sendable, Hashable, Codable, CaseIterable, AccessRole {
    /// Sees every view and export.
    case viewer
    /// The national analyst: sees everything a viewer sees, acknowledges gaps with a note, accepts and reopens months.
    case analyst
    /// A regional lead: sees everything a viewer sees, and signs off their region's months.
    case lead
    /// A regional coordinator: sees everything a viewer sees.
    case coordinator

    package static let tokenCommand = "knutepunkt dashboard token"

    /// Whether this role may acknowledge gaps.
    package var mayAcknowledge: Bool { self == .analyst }
    /// Whether this role accepts (locks) a signed-off month and reopens one: the national centre's analyst.
    package var mayDecideMonths: Bool { self == .analyst }

    /// Reads an access file's role field: `viewer`, `analyst`, `coordinator`, or `lead:REGION`.
    package static func parse(_ field: String) -> (role: DashboardRole, region: String?)? {
        let parts = field.split(separator: ":", maxSplits: 1).map(String.init)
        guard let role = DashboardRole(rawValue: parts.first ?? "") else { return nil }
        let region = parts.count == 2 ? parts[1] : nil
        guard (role == .lead) == (region != nil), region?.isEmpty != true else { return nil }
        return (role, region)
    }

    package static var fieldsHelp: String { "viewer, analyst, coordinator or lead:REGION" }
}
