import KnutepunktDomain

/// One version of a monthly return as the hub stored it: what completeness and the gap rules read.
package struct ReceivedReturn: Sendable, Hashable {
    package var node: String
    package var region: String
    package var month: ReportingMonth
    package var version: Int
    package var status: MonthlyReturn.Status
    /// The day the hub stored this version (in Norway).
    package var receivedOn: LocalDate
    /// The day the coordinator made this version at the node (in Norway), from its `submitted_at`; nil when the
    /// return does not say.
    package var madeOn: LocalDate?
    package var submittedBy: String?
    package var reason: String?

    package init(
        node: String,
        region: String,
        month: ReportingMonth,
        version: Int,
        status: MonthlyReturn.Status,
        receivedOn: LocalDate,
        madeOn: LocalDate? = nil,
        submittedBy: String? = nil,
        reason: String? = nil
    ) {
        self.node = node
        self.region = region
        self.month = month
        self.version = version
        self.status = status
        self.receivedOn = receivedOn
        self.madeOn = madeOn
        self.submittedBy = submittedBy
        self.reason = reason
    }

    /// The day timeliness is judged by (docs/events.md, "Timeliness"): the day the coordinator made the return at the
    /// node, as DHIS2 counts a data set complete when the unit marks it so, so that a return made on time reaches the
    /// hub late without being late when the link was down. The hub believes that day only within what it can check:
    /// after the month ended and not after the return arrived; otherwise, and for a return that does not say, the
    /// day it arrived.
    package var timelyOn: LocalDate {
        guard let madeOn, madeOn > month.last, madeOn <= receivedOn else { return receivedOn }
        return madeOn
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
