import KnutepunktAccess

/// Who may use the dashboard: an access file (``AccessFile``, shared with the node's workspace) whose roles are
/// ``DashboardRole``s. One entry per line, `ROLE NAME SHA256-HEX`:
///
///     # role    name       sha256 of the token
///     viewer    ops-screen 3f0c…
///     analyst   kari       9a41…
package typealias DashboardAccess = AccessFile<DashboardRole>

/// A user the dashboard recognised by their token.
package typealias DashboardUser = AccessUser<DashboardRole>
