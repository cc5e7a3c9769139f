/// What the hub reports about itself (STATUS_REPLY body, role "hub").
package struct HubStatusReport: Codable, Sendable, Hashable {
    package struct Events: Codable, Sendable, Hashable {
        /// Events that count: the latest version of each, withdrawn events left out.
        package var total: Int
        package var rejected: Int
        package var byRegion: [String: Int]
        package var byNode: [String: Int]
        /// Events whose latest version withdraws them (absent from hubs before versions).
        package var withdrawn: Int?
        /// Every version stored: first versions, corrections and withdrawals (absent from hubs before versions).
        package var versions: Int?
        package init(
            total: Int,
            rejected: Int,
            byRegion: [String: Int],
            byNode: [String: Int],
            withdrawn: Int? = nil,
            versions: Int? = nil
        ) {
            self.total = total
            self.rejected = rejected
            self.byRegion = byRegion
            self.byNode = byNode
            self.withdrawn = withdrawn
            self.versions = versions
        }
    }

    package struct NodeState: Codable, Sendable, Hashable {
        package var id: String
        package var region: String
        package var connected: Bool
        package var lastHeardMillisAgo: Int64?
        package var settledThrough: UInt64
        package var events: Int
        /// When the hub last heard from this node (ISO 8601, UTC), kept across hub restarts; nil: never.
        package var lastHeardAt: String?
        package init(
            id: String,
            region: String,
            connected: Bool,
            lastHeardMillisAgo: Int64?,
            settledThrough: UInt64,
            events: Int,
            lastHeardAt: String? = nil
        ) {
            self.lastHeardAt = lastHeardAt
            self.id = id
            self.region = region
            self.connected = connected
            self.lastHeardMillisAgo = lastHeardMillisAgo
            self.settledThrough = settledThrough
            self.events = events
        }
    }

    /// How the hub authenticates, and what it refused.
    package struct Security: Codable, Sendable, Hashable {
        /// `curve` or `insecure`.
        package var mode: String
        /// Connections and messages refused since start, by reason (`connection refused`, `key revoked`,
        /// `wrong node`, `foreign region`, `rate limited`).
        package var refused: [String: Int]
        package init(mode: String, refused: [String: Int]) {
            self.mode = mode
            self.refused = refused
        }
    }

    /// Test events the hub committed and keeps apart (docs/events.md, "Test events"): how many, and the latest.
    package struct TestEvents: Codable, Sendable, Hashable {
        package struct Entry: Codable, Sendable, Hashable {
            /// The node daemon that sent it.
            package var node: String
            package var sequence: UInt64
            package var id: String
            package var region: String
            /// When the hub committed it (ISO 8601, UTC).
            package var receivedAt: String
            package init(node: String, sequence: UInt64, id: String, region: String, receivedAt: String) {
                self.node = node
                self.sequence = sequence
                self.id = id
                self.region = region
                self.receivedAt = receivedAt
            }
        }
        package var total: Int
        /// The newest first, at most five.
        package var latest: [Entry]
        package init(total: Int, latest: [Entry]) {
            self.total = total
            self.latest = latest
        }
    }

    package var role: String = "hub"
    package var hub: String
    package var version: String
    package var storage: String
    package var events: Events
    package var nodes: [NodeState]
    /// Absent in reports of hubs older than CURVE support.
    package var security: Security?
    /// Absent in reports of hubs older than test events.
    package var tests: TestEvents?
    /// The taxonomy version the hub publishes; absent in reports of hubs older than reference data.
    package var taxonomy: TaxonomyState?

    package init(
        hub: String,
        version: String,
        storage: String,
        events: Events,
        nodes: [NodeState],
        security: Security? = nil
    ) {
        self.security = security
        self.hub = hub
        self.version = version
        self.storage = storage
        self.events = events
        self.nodes = nodes
    }
}
