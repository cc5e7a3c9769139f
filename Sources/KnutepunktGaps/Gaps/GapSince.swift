import KnutepunktDomain

/// The day a finding's condition first held in the data (`GapFinding.since`): not the day the hub first saw it.
///
/// - **Absence** (G1, G3, G5, G6, G7 SERVICE, G11; D1): the day after the last activity of the kind missing (the
///   last event for the target group, the last delivery at the tier, the last mention of the profession…), or the
///   first day the store covers for the region when there never was one. D1: the day after the node's (or region's)
///   last report; nil when it never reported.
/// - **G9** (no lighthouse) is an absence too: of a node delivering `lighthouseMinProgrammes` programmes (tools left
///   out) and training within the window. A node stops being one on the first day the window no longer holds the
///   earlier of its last training and the last delivery of its N-th most recent programme; `since` is the latest such
///   day over the region's nodes, or the first day the store covers when no node ever had both.
/// - **A year** (G13): 1 January of the next year for a year that ended without an infant day (RED), the day after
///   1 October for the running year (AMBER).
/// - **G10** (decline) reads only complete quarters, so its judgement is the same on every day from the end of the
///   last complete quarter: `since` is the first day of the running quarter (the evaluation day itself when it ends
///   a quarter). Earlier quarter ends would need the region's totals, which are not published: not re-judged.
/// - **G2 and G12** (levels over the window) are judged again at the ends of earlier complete quarters, from the
///   published trend cells alone (``QuarterJudge``): `since` is the day after the last quarter end at which the
///   condition did not hold; when the walk back meets a quarter end it may not judge first, the day after the earliest
///   quarter end at which it held (a bound: it held at least from then; `sinceBasis` says so); nil when the latest
///   quarter end cannot be judged or the condition did not hold there. Judging every earlier window from the raw counts
///   would publish, window by window, whether a region had no activity or one (docs/disclosure.md, rule 5).
/// - **G8** (temporary funding) reads the region's totals over the rolling window, which are never published: any
///   earlier judgement would tell something about them, so `since` is nil.
///
/// Where `since` is nil for a level rule, the gap record gives the day the hub first found the condition (its
/// lifecycle's `openedOn`). G7 KNOWLEDGE reads the catalogue, not the data: nil.
package enum GapSince {
    /// `GapFinding.sinceBasis` of a `since` the condition held from at least (earlier days could not be judged).
    package static let atLeast = "AT_LEAST"

    /// Fills in `since` for every finding of `findings` (all from one evaluation of `facts`).
    package static func fill(
        _ findings: inout [GapFinding],
        facts: GapFacts,
        statuses: [String: RegionStatus],
        taxonomy: Taxonomy,
        thresholds: GapThresholds
    ) {
        var judge = QuarterJudge(facts: facts, taxonomy: taxonomy, thresholds: thresholds)
        for index in findings.indices {
            let finding = findings[index]
            let status = finding.region.flatMap { statuses[$0] }
            let region = finding.region.flatMap { facts.regions[$0] }
            switch finding.rule {
            case .g2RateShortfall, .g12NationalInequity:
                let since = judge.since(of: finding)
                findings[index].since = since?.day
                findings[index].sinceBasis = since?.bound == true ? Self.atLeast : nil
            default:
                findings[index].since = since(finding, facts, region, status, thresholds, taxonomy)
            }
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
        case .g9NoLighthouse:
            return lighthouseSince(finding, facts, start, thresholds, taxonomy)
        case .g10Decline:
            // The day after the last complete quarter's end, but not after the evaluation day (which may end it).
            let lastQuarterEnd = facts.firstQuarter.adding(months: 24).adding(days: -1)
            return min(lastQuarterEnd.adding(days: 1), facts.asOf)
        case .g2RateShortfall, .g12NationalInequity, .g8Sustainability:
            return nil
        }
    }

    /// G9: the latest day a node of the region stopped being a lighthouse (see the type's summary), or `start`.
    private static func lighthouseSince(
        _ finding: GapFinding,
        _ facts: GapFacts,
        _ start: LocalDate?,
        _ thresholds: GapThresholds,
        _ taxonomy: Taxonomy
    ) -> LocalDate? {
        guard let code = finding.region else { return start }
        let needed = max(thresholds.lighthouseMinProgrammes, 0)
        var latest: LocalDate?
        for node in facts.nodes(inRegion: code).compactMap({ facts.nodes[$0] }) {
            guard let trained = node.lastTraining else { continue }
            let delivered = node.lastProgrammeDelivery.filter { taxonomy.programme($0.key)?.tool != true }
            let latestFirst = delivered.values.sorted(by: >)
            guard latestFirst.count >= needed else { continue }
            let held = needed == 0 ? trained : min(latestFirst[needed - 1], trained)
            let lapsed = facts.firstDayOutOfWindow(held)
            latest = max(latest ?? lapsed, lapsed)
        }
        return latest ?? start
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
