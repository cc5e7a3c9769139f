import KnutepunktDomain

extension SampleActivities {
    /// One monthly return a sample coordinator makes.
    package struct SampleReturn: Sendable, Hashable {
        package var node: String
        package var month: ReportingMonth
        package var status: MonthlyReturn.Status
    }

    /// The monthly returns the sample's coordinators make for `region`'s local nodes, as of `asOf`: for every month
    /// the taxonomy expects one (a node's `active:` to its `closed:` month, months that have ended), `complete` when
    /// the node had activities that month, `nil` when it had none — but none from a node once it fell silent (no
    /// activity in the three months before `asOf`), so the silent node's region shows its missing returns.
    package func returns(region: String, asOf: LocalDate) -> [SampleReturn] {
        let events = activities(region: region)
        var months: [String: Set<ReportingMonth>] = [:]
        for event in events { months[event.node, default: []].insert(ReportingMonth(event.date)) }
        var result: [SampleReturn] = []
        // A node fell silent when it reported nothing in the three months before `asOf` (the silent node of the
        // sample is four months quiet); one without activity in a recent month just makes a nil return.
        let quiet = ReportingMonth(asOf).adding(months: -3)
        for node in taxonomy.nodes(inRegion: region) {
            guard let period = taxonomy.reportingPeriod(of: node.code), let latest = months[node.code]?.max() else {
                continue
            }
            let last = latest < quiet ? latest : ReportingMonth(asOf)
            for month in period.expectedMonths(asOf: asOf) where month >= ReportingMonth(start) && month <= last {
                let active = months[node.code]?.contains(month) == true
                result.append(SampleReturn(node: node.code, month: month, status: active ? .complete : .nil))
            }
        }
        return result
    }
}
