/// What a node daemon reports about itself (STATUS_REPLY body, role "node").
package struct NodeStatusReport: Codable, Sendable, Hashable {
    package struct Outbox: Codable, Sendable, Hashable {
        package var lastSequence: UInt64
        package var deliveredThrough: UInt64
        package var backlog: Int
        package var rejected: Int
        package var retained: Int
        package init(lastSequence: UInt64, deliveredThrough: UInt64, backlog: Int, rejected: Int, retained: Int) {
            self.lastSequence = lastSequence
            self.deliveredThrough = deliveredThrough
            self.backlog = backlog
            self.rejected = rejected
            self.retained = retained
        }
    }

    package struct Uplink: Codable, Sendable, Hashable {
        package var endpoint: String
        /// `ready`, `greeting` or `disconnected`.
        package var state: String
        package var lastHeardMillisAgo: Int64?
        package var lastAckMillisAgo: Int64?
        package init(endpoint: String, state: String, lastHeardMillisAgo: Int64?, lastAckMillisAgo: Int64?) {
            self.endpoint = endpoint
            self.state = state
            self.lastHeardMillisAgo = lastHeardMillisAgo
            self.lastAckMillisAgo = lastAckMillisAgo
        }
    }

    package var role: String = "node"
    package var node: String
    package var region: String
    package var version: String
    package var outbox: Outbox
    package var hub: Uplink
    /// The taxonomy the node validates against; absent in reports of nodes older than reference data.
    package var taxonomy: TaxonomyState?

    package init(node: String, region: String, version: String, outbox: Outbox, hub: Uplink) {
        self.node = node
        self.region = region
        self.version = version
        self.outbox = outbox
        self.hub = hub
    }
}
