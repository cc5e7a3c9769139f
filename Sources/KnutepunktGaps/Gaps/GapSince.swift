import KnutepunktDomain

/// The day a finding's condition first held in the data (`GapFinding.since`): not the day the hub first saw it.
///
/// - **Absence** (G1, G3, G5, G6, G7 SERVICE, G11; D1): the day after the last activity of the kind missing (the
///   last event for the target group, the last delivery at the tier, the last mention of the profession…), or the
///   first day the store covers for the region when there never was one. D1: the day after the node's (or region's)
///   last report; nil when it never reported.
/// - **A year** (G13): 1 January of the next year for a year that ended without an infant day (RED), the day after
///   1 October for the running year (AMBER).
/// - **A level** (G2, G8, G9, G10, G12) over a rolling window has no one day it began that the data can give without
///   judging every earlier window again, and what those judgements would publish (zero or one activity in a month)
///   is as sensitive as today's counts (docs/disclosure.md). For them `since` is nil here, and the gap record gives
///   the day the hub first found the condition (its lifecycle's `openedOn`).
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
        for index in findings.indices {
            let finding = findings[index]
            let status = finding.region.flatMap { statuses[$0] }
            let region = finding.region.flatMap { facts.regions[$0] }
            findings[index].since = since(finding, facts, region, status, thresholds, taxonomy)
        }
    }

    private static func since(
        _ finding: GapFinding,
        _ facts: GapFacts,
        _ region: GapFacts.RegionFacts?,
        _ status: RegionStatus?,
        _ thresholds: GapThresholds,
        _ taxonomy: Taxonomy
    ) -> LocalDate? {
        let start = status?.coveredFrom
        func after(_ date: LocalDate?) -> LocalDate? { date.map { $0.adding(days: 1) } ?? start }
        switch finding.rule {
        case .d1StaleNode:
            if let node = finding.node {
                // A node that owes returns has no report since the first month whose return is missing.
                if let first = status?.missingReturns[node]?.min() { return first }
                return facts.nodes[node]?.lastReport?.adding(days: 1)
            }
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
            return professionsSince(finding, region, start, thresholds, taxonomy)
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
            return nil
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
}
