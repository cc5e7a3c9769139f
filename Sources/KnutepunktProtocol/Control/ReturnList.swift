/// The body of RETURN_LIST (KPC, docs/protocol.md): the monthly returns a node holds, the latest version of each, in
/// the order the node accepted them, with their delivery state. The answer to RETURNS (`{}`); the workspace's "close
/// the month" reads it beside the taxonomy's reporting periods.
package struct ReturnList: Codable, Sendable, Hashable {
    package struct Entry: Codable, Sendable, Hashable {
        /// The local node and the month (`YYYY-MM`) the return is for.
        package var node: String
        package var month: String
        /// `complete`, `nil` or `reopened`.
        package var status: String
        package var version: Int
        /// `queued`, `delivered` (stored at the hub) or `refused` (the hub's NACK).
        package var state: String
        package var sequence: UInt64
        /// Who made this version, when the node accepted it (UTC, ISO 8601), and that day in Norway (what
        /// timeliness is judged by at the node).
        package var submittedBy: String?
        package var acceptedAt: String
        package var acceptedOn: String
        /// Why a reopened return was reopened.
        package var reason: String?

        package init(
            node: String,
            month: String,
            status: String,
            version: Int,
            state: String,
            sequence: UInt64,
            submittedBy: String?,
            acceptedAt: String,
            acceptedOn: String,
            reason: String? = nil
        ) {
            self.node = node
            self.month = month
            self.status = status
            self.version = version
            self.state = state
            self.sequence = sequence
            self.submittedBy = submittedBy
            self.acceptedAt = acceptedAt
            self.acceptedOn = acceptedOn
            self.reason = reason
        }
    }

    package var returns: [Entry]

    package init(returns: [Entry]) {
        self.returns = returns
    }
}
