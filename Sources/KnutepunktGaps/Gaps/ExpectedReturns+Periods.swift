import KnutepunktDomain

extension ExpectedReturns {
    /// The returns owed and received as of `asOf` (DOMAIN.md §6), for the gap rules: a month is owed once its return
    /// is overdue (more than `timelyDays` after the month ended), so a return not yet due never makes a region "no
    /// report"; a return counts as received when its latest version is complete or nil, whenever it came.
    package init(taxonomy: Taxonomy, returns: [ReceivedReturn], asOf: LocalDate, timelyDays: Int) {
        let latest = ReceivedReturn.latest(returns)
        var expected: [String: Set<LocalDate>] = [:]
        var received: [String: Set<LocalDate>] = [:]
        for node in taxonomy.nodes {
            guard let period = taxonomy.reportingPeriod(of: node.code) else { continue }
            var owed: Set<LocalDate> = []
            for month in period.expectedMonths(asOf: asOf) {
                let arrived = latest[node.code]?[month]?.status.isReceived == true
                if arrived { received[node.code, default: []].insert(month.first) }
                if arrived || month.dueDate(timelyDays: timelyDays) < asOf { owed.insert(month.first) }
            }
            expected[node.code] = owed
        }
        self.init(expected: expected, received: received)
    }
}
