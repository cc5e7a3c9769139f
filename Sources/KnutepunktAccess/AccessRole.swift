/// The roles of one web application's access file (the dashboard's viewer and analyst; the workspace's coordinator
/// and regional lead). Each role is written in the file as its raw value.
package protocol AccessRole: RawRepresentable<String>, CaseIterable, Sendable, Hashable, Codable {
    /// The command that makes a token and its line, named in the access file's errors.
    static var tokenCommand: String { get }
}

/// A user an access file recognised by their token.
package struct AccessUser<Role: AccessRole>: Sendable, Hashable, Codable {
    package var name: String
    package var role: Role

    package init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}
