import KnutepunktDomain

extension SampleActivities {
    /// One monthly return a sample coordinator makes.
    package struct SampleReturn: Sendable, Hashable {
        package var node: String
        package var month: ReportingMonth
        package var status: MonthlyReturn.Status
        /// The day the coordinator made it at the node: timeliness is judged by it (docs/events.md, "Timeliness").
        package var madeOn: LocalDate
    }

    /// The share of returns the sample's coordinators make late, more than `timelyDays` after the month.
    static let lateShare = 0.15

    /// The monthly returns the sample's coordinators have made for `region`'s local nodes by `asOf`: for every month
    /// the taxonomy expects one (a node's `active:` to its `closed:` month, months that have ended), `complete` when
    /// the node had activities that month, `nil` when it had none (so a month before the sample's first day, which
    /// the hub holds nothing for, gets a nil return) — but none from a node once it fell silent (no activity in the
    /// three months before `asOf`), so the silent node's region shows its missing returns.
    ///
    /// Most are made 1 to 12 days after the month ended, on time; about one in seven (``lateShare``) 3 to 40 days
    /// after the `timelyDays` allowed, late. A return whose day has not come by `asOf` is not made yet (due, or
    /// overdue). Deterministic: the day follows from the seed, the node and the month.
    package func returns(
        region: String,
        asOf: LocalDate,
        timelyDays: Int = Completeness.defaultTimelyDays
    ) -> [SampleReturn] {
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
            for month in period.expectedMonths(asOf: asOf) where month <= last {
                var random = SampleRandom(seed: seed ^ Self.hash(node.code) ^ Self.hash(month.text))
                let delay =
                    random.chance(Self.lateShare) ? timelyDays + random.int(3...40) : random.int(1...12)
                let madeOn = month.last.adding(days: delay)
                guard madeOn <= asOf else { continue }
                let active = months[node.code]?.contains(month) == true
                result.append(
                    SampleReturn(node: node.code, month: month, status: active ? .complete : .nil, madeOn: madeOn)
                )
            }
        }
        return result
    }
}
