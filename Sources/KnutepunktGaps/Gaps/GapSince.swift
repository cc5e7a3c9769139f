import KnutepunktDomain

/// The day a finding's condition first held in the data (`GapFinding.since`): not the day the hub first saw it.
///
/// - **Absence** (G1, G3, G5, G6, G7 SERVICE, G11; D1): the day after the last activity of the kind missing (the
///   last event for the target group, the last delivery at the tier, the last mention of the profession…), or the
///   first day the store covers for the region when there never was one. D1: the day after the node's (or region's)
///   last report; nil when it never reported.
/// - **A year** (G13): 1 January of the next year for a year that ended without an infant day (RED), the day after
///   1 October for the running year (AMBER).
/// - **A level** (G2, G8, G9, G12 month by month; G10 quarter by quarter): the rule is evaluated again as of the end
///   of each earlier month (quarter), on the 12 whole months (8 quarters) up to it, as far back as the monthly series
///   and the store's coverage allow; `since` is the first day of the earliest month of the unbroken run in which the
///   finding held, or the first day of the current month when it did not hold at the end of the last one.
/// - G7 KNOWLEDGE reads the catalogue, not the data: nil.
package enum GapSince {
    /// Fills in `since` for every finding of `findings` (all from one evaluation of `facts`).
    package static func fill(
        _ findings: inout [GapFinding],
        facts: GapFacts,
        statuses: [String: RegionStatus],
        taxonomy: Taxonomy,
        thresholds: GapThresholds
    ) {
        var levels = LevelHistory(facts: facts, taxonomy: taxonomy, thresholds: thresholds)
        for index in findings.indices {
            let finding = findings[index]
            let status = finding.region.flatMap { statuses[$0] }
            let region = finding.region.flatMap { facts.regions[$0] }
            findings[index].since = since(finding, facts, region, status, thresholds, &levels)
        }
    }

    private static func since(
        _ finding: GapFinding,
        _ facts: GapFacts,
        _ region: GapFacts.RegionFacts?,
        _ status: RegionStatus?,
        _ thresholds: GapThresholds,
        _ levels: inout LevelHistory
    ) -> LocalDate? {
        let start = status?.coveredFrom
        func after(_ date: LocalDate?) -> LocalDate? { date.map { $0.adding(days: 1) } ?? start }
        switch finding.rule {
        case .d1StaleNode:
            if let node = finding.node { return facts.nodes[node]?.lastReport?.adding(days: 1) }
            var days: [LocalDate] = []
            for silence in status?.silence ?? [] {
                switch silence {
                case .everyNodeSilent(let last): if let last { days.append(last.adding(days: 1)) }
                case .notHeard(let heard): days.append(heard.adding(days: 1))
                case .missingReturns(let missing):
                    if let first = missing.values.flatMap({ $0 }).min() { days.append(first) }
                }
            }
            return days.min()
        case .g1AbsentService:
            return after(finding.targetGroup.flatMap { region?.lastEvent[$0] })
        case .g5AgeBandGap:
            return after(finding.ageBand.flatMap { region?.lastAgeBand[$0] })
        case .g3MissingTier:
            guard let band = finding.ageBand else { return start }
            return finding.tiers.compactMap { after(region?.lastDelivery[GapFacts.TierAgeBand($0, band)]) }.max()
        case .g6MissingProfession:
            return professionsSince(finding, region, start, thresholds, levels.taxonomy)
        case .g7Evidence:
            guard finding.detail == "SERVICE" else { return nil }
            return after(finding.targetGroup.flatMap { region?.lastEvidenceBased[$0] })
        case .g11ParentMHFirst:
            return after(region?.lastParentalCare)
        case .g13MissingInfantDay:
            guard let year = finding.detail.flatMap(Int.init) else { return nil }
            if finding.severity == .red { return LocalDate(year: year + 1, month: 1, day: 1) }
            return LocalDate(year: year, month: thresholds.infantDayAmberMonth, day: thresholds.infantDayAmberDay)?
                .adding(days: 1)
        case .g2RateShortfall, .g8Sustainability, .g9NoLighthouse, .g12NationalInequity, .g10Decline:
            return levels.since(finding)
        }
    }

    /// G6: the day after the last mention of what is missing (the physician group, or each missing profession), or
    /// after the last consultation or training at all when there is none.
    private static func professionsSince(
        _ finding: GapFinding,
        _ region: GapFacts.RegionFacts?,
        _ start: LocalDate?,
        _ thresholds: GapThresholds,
        _ taxonomy: Taxonomy
    ) -> LocalDate? {
        guard let region else { return start }
        func lastMention(_ entry: String) -> LocalDate? {
            (taxonomy.professionGroups[entry] ?? [entry]).compactMap { region.lastProfession[$0] }.max()
        }
        if finding.inputs["events"] == 0 {
            return region.lastProfession.values.max()?.adding(days: 1) ?? start
        }
        let missing = GapRules.missingProfessions(finding, required: thresholds.requiredProfessions)
        let dates = missing.map { lastMention($0)?.adding(days: 1) ?? start }
        return dates.compactMap { $0 }.max() ?? start
    }

    /// The level rules evaluated as of earlier month (quarter) ends, each evaluated once and only when needed.
    private struct LevelHistory {
        let facts: GapFacts
        let taxonomy: Taxonomy
        let thresholds: GapThresholds
        /// Per rule, the keys it found as of 1, 2, … months (quarters, for G10) back.
        var found: [GapRule: [Set<String>]] = [:]

        init(facts: GapFacts, taxonomy: Taxonomy, thresholds: GapThresholds) {
            self.facts = facts
            self.taxonomy = taxonomy
            self.thresholds = thresholds
        }

        mutating func since(_ finding: GapFinding) -> LocalDate? {
            let quarterly = finding.rule == .g10Decline
            if found[finding.rule] == nil {
                let steps = quarterly ? 4 : GapFacts.seriesMonths - thresholds.windowMonths
                let rule = GapRules.function(of: finding.rule)
                found[finding.rule] = (1...max(1, steps)).map { step in
                    let earlier = quarterly ? facts.asOfQuarterEnd(back: step) : facts.asOfMonthEnd(back: step)
                    return Set(rule(earlier, taxonomy, thresholds).map(\.key))
                }
            }
            let history = found[finding.rule]!
            var run = 0
            while run < history.count, history[run].contains(finding.key) { run += 1 }
            if quarterly {
                // The current evaluation reads the quarters up to the last complete one.
                let lastComplete = facts.asOf.adding(days: 1).firstOfQuarter.adding(months: -3)
                return lastComplete.adding(months: -3 * run)
            }
            return facts.asOf.firstOfMonth.adding(months: -run)
        }
    }
}
