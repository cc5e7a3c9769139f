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
    /// The monthly returns of the node's local nodes that are due or overdue, oldest first (absent in reports of
    /// nodes older than reporting periods).
    package var returns: [ReturnDue]?
    /// The months the hub has locked, as the node enforces them ("NO-VEST 2026-11, locked by nina at …"); absent
    /// before reporting periods.
    package var lockedMonths: [String]?

    /// One outstanding monthly return.
    package struct ReturnDue: Codable, Sendable, Hashable {
        package var node: String
        /// `YYYY-MM`.
        package var month: String
        /// The last day it is on time, `YYYY-MM-DD`.
        package var dueOn: String
        /// Days past `dueOn`; 0 while it is not overdue.
        package var daysOverdue: Int
        /// "return due for 2026-11 (NO-VEST-FONNA), 7 days overdue".
        package var text: String

        package init(node: String, month: String, dueOn: String, daysOverdue: Int, text: String) {
            self.node = node
            self.month = month
            self.dueOn = dueOn
            self.daysOverdue = daysOverdue
            self.text = text
        }
    }

    package init(node: String, region: String, version: String, outbox: Outbox, hub: Uplink) {
        self.node = node
        self.region = region
        self.version = version
        self.outbox = outbox
        self.hub = hub
    }
}
