import KnutepunktAccess

/// Who signs in to a node's workspace.
package enum WorkspaceRole: String, Sendable, Hashable, Codable, CaseIterable, AccessRole {
    /// Records activities, corrects and withdraws the ones they submitted, uploads spreadsheets.
    case coordinator
    /// The regional lead: everything a coordinator does, for every activity of the region, and signs months off.
    case lead

    package static let tokenCommand = "knutepunkt workspace token"

    /// Whether this role may correct or withdraw an activity someone else submitted.
    package var mayChangeOthersActivities: Bool { self == .lead }
    /// Whether this role makes a local node's monthly return (or a nil return).
    package var mayMakeReturns: Bool { self == .coordinator || self == .lead }
    /// Whether this role signs a month off (the reporting-periods seam, ``MonthClosing``).
    package var maySignOff: Bool { self == .lead }
}

/// The workspace's access file: `coordinator NAME SHA256-HEX` or `lead NAME SHA256-HEX` per line.
package typealias WorkspaceAccess = AccessFile<WorkspaceRole>

/// A signed-in workspace user.
package typealias WorkspaceUser = AccessUser<WorkspaceRole>
