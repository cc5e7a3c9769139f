/// The roles of one web application's access file (the dashboard's viewer and analyst; the workspace's coordinator
/// and regional lead). Each role is written in the file as its raw value.
package protocol AccessRole: RawRepresentable<String>, CaseIterable, Sendable, Hashable, Codable {
    /// The command that makes a token and its line, named in the access file's errors.
    static var tokenCommand: String { get }
    /// Reads an access file's role field: the role, and the region it is tied to when the role has one (the
    /// dashboard's `lead:NO-VEST`); nil for a field that names no role.
    static func parse(_ field: String) -> (role: Self, region: String?)?
    /// The role fields this file accepts, for errors (`viewer or analyst`).
    static var fieldsHelp: String { get }
}

extension AccessRole {
    /// Roles without a region: the field is the role's raw value.
    package static func parse(_ field: String) -> (role: Self, region: String?)? {
        Self(rawValue: field).map { ($0, nil) }
    }

    package static var fieldsHelp: String { allCases.map(\.rawValue).joined(separator: " or ") }
}

/// A user an access file recognised by their token.
package struct AccessUser<Role: AccessRole>: Sendable, Hashable, Codable {
    package var name: String
    package var role: Role
    /// The region the role is tied to (a regional lead's), when it has one.
    package var region: String?

    package init(name: String, role: Role, region: String? = nil) {
        self.name = name
        self.role = role
        self.region = region
    }
}
