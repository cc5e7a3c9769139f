import Foundation
import KnutepunktDomain
import KnutepunktProtocol

/// Everything the workspace needs: who may sign in, how sessions end, the node it talks to (its control socket),
/// and the taxonomy its forms are built from.
package struct WorkspaceConfiguration: Sendable {
    /// Who may sign in (the node's `workspaceAccess` file).
    package var access: WorkspaceAccess
    /// The node daemon's id (its sequence space at the hub): spreadsheet rows without an id get ids derived from it.
    package var nodeID: String
    /// The node's region: the region of every activity recorded here.
    package var region: String
    /// The local node a form starts with (the node's `defaultNode`).
    package var defaultNode: String?
    /// The taxonomy the forms and the checks before sending use. The node checks again with the version it holds.
    package var taxonomy: Taxonomy
    /// The node's control endpoint as a client connects to it, once the node has bound it.
    package var controlEndpoint: @Sendable () async throws -> String
    /// How long one request to the node may take.
    package var controlTimeout: Duration = .seconds(5)
    /// How long a delivery request waits for the outbox to drain before it answers "still queued".
    package var deliveryWait: Duration = .seconds(20)
    /// A session ends after this long unused…
    package var idleTimeout: TimeInterval = 30 * 60
    /// …or this long after sign-in.
    package var sessionLifetime: TimeInterval = 10 * 3600
    /// Mark the session cookie `Secure` (served over HTTPS, directly or behind a reverse proxy).
    package var secureCookie = false
    /// Closing the month (reporting periods); nil until that work is wired in: the section says so.
    package var monthClosing: (any MonthClosing)?
    /// Asks the hub for its open gaps (GAPS over the hub's control socket), for the region's picture; nil when the
    /// node is not set up for it (`workspaceHubControl`).
    package var hubGaps: (@Sendable () async throws -> GapSnapshot)?
    /// Asks the hub for a region's coverage per target group (COVERAGE over the same socket); nil as `hubGaps`.
    package var hubCoverage: (@Sendable (String) async throws -> RegionCoverage)?
    /// The time, for sessions (tests move it).
    package var now: @Sendable () -> Date = { Date() }

    package init(
        access: WorkspaceAccess,
        nodeID: String,
        region: String,
        defaultNode: String?,
        taxonomy: Taxonomy,
        controlEndpoint: @escaping @Sendable () async throws -> String
    ) {
        self.access = access
        self.nodeID = nodeID
        self.region = region
        self.defaultNode = defaultNode
        self.taxonomy = taxonomy
        self.controlEndpoint = controlEndpoint
    }
}
