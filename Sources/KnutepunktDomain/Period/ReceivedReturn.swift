import KnutepunktDomain

/// One version of a monthly return as the hub stored it: what completeness and the gap rules read.
package struct ReceivedReturn: Sendable, Hashable {
    package var node: String
    package var region: String
    package var month: ReportingMonth
    package var version: Int
    package var status: MonthlyReturn.Status
    /// The day the hub stored this version (in Norway): what timeliness is judged by.
    package var receivedOn: LocalDate
    package var submittedBy: String?
    package var reason: String?

    package init(
        node: String,
        region: String,
        month: ReportingMonth,
        version: Int,
        status: MonthlyReturn.Status,
        receivedOn: LocalDate,
        submittedBy: String? = nil,
        reason: String? = nil
    ) {
        self.node = node
        self.region = region
        self.month = month
        self.version = version
        self.status = status
        self.receivedOn = receivedOn
        self.submittedBy = submittedBy
        self.reason = reason
    }

    /// The latest version of each node's return per month, from versions in any order.
    package static func latest(_ versions: [ReceivedReturn]) -> [String: [ReportingMonth: ReceivedReturn]] {
        var latest: [String: [ReportingMonth: ReceivedReturn]] = [:]
        for version in versions {
            if let held = latest[version.node]?[version.month], held.version >= version.version { continue }
            latest[version.node, default: [:]][version.month] = version
        }
        return latest
    }
}
