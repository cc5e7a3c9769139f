extension Taxonomy {
    /// When a local node takes part in reporting (DOMAIN.md §6): it is expected to make a monthly return for every
    /// month from the one it became active in to the one it closed in (`active:` and `closed:` of its entry in
    /// `Configs/taxonomy.yaml`). A node without `active:` is not expected to make returns.
    package struct ReportingPeriod: Sendable, Hashable {
        /// The day the node became active.
        package var active: LocalDate
        /// The day it closed; nil while it is open.
        package var closed: LocalDate?

        package init(active: LocalDate, closed: LocalDate? = nil) {
            self.active = active
            self.closed = closed
        }

        /// Whether the node was open for at least one day of `month`.
        package func covers(_ month: ReportingMonth) -> Bool {
            month.last >= active && (closed.map { month.first <= $0 } ?? true)
        }

        /// The months a return is expected for that have ended by `asOf` (the running month's is not expected yet).
        package func expectedMonths(asOf: LocalDate) -> [ReportingMonth] {
            var last = ReportingMonth(asOf).adding(months: -1)
            if let closed { last = min(last, ReportingMonth(closed)) }
            return ReportingMonth.range(from: ReportingMonth(active), through: last)
        }
    }

    /// The reporting period of local node `code`; nil when it is not expected to make returns.
    package func reportingPeriod(of code: String) -> ReportingPeriod? {
        reportingPeriods[code]
    }
}
