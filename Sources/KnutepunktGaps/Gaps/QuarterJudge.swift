import KnutepunktDomain

/// G2 and G12 judged again at the ends of earlier complete quarters, for their `since` (``GapSince``), from nothing
/// but figures that leave the hub anyway.
///
/// At the end Q of each of the 8 complete quarters whose window (the `windowMonths` before Q) is whole quarters of the
/// published trends, the facts are taken as of Q: the window's events per region and target group are the sum of its
/// quarter cells (``GapFacts/RegionFacts/quarterlyGroupEvents``); births, coverage and reporting are the evaluation's
/// own record, read as of Q (a node that has reported since Q counts as reporting at Q: what the data holds now, not
/// what the hub knew then). Both rules run over them as they run today. A judgement at Q is used only when every count
/// it reads — the target group's events of every region the rule reads there — is made of quarter cells that today's
/// trends publish exactly (``QuarterlyTrends/published(_:inWindow:)``: 0 or at least 5, not withheld with the rest of
/// the window). Such a judgement is a function of published cells, public births and what the evaluation publishes
/// about reporting and coverage, so it tells nothing that is not already out; a judgement that read a withheld cell
/// would tell zero from one (docs/disclosure.md, rule 5) and is not made.
struct QuarterJudge {
    /// What both rules found at one quarter end, and which regions they read there.
    private struct Judgement {
        var keys: Set<String>
        var regions: [String]
    }

    let facts: GapFacts
    let taxonomy: Taxonomy
    let thresholds: GapThresholds
    /// The last day of each of the 8 complete quarters, oldest first.
    private let quarterEnds: [LocalDate]
    /// The quarters one window holds; 0 when a window is not whole quarters (nothing is re-judged then).
    private let windowQuarters: Int
    /// Whether today's window covers each quarter of today's trends.
    private let trendWindow: [Bool]
    /// The regions the rules read today (reporting, covered for the window, with births).
    private let regionsToday: Set<String>
    private var judged: [Int: Judgement] = [:]
    private var published: [String: [Int?]] = [:]

    init(facts: GapFacts, taxonomy: Taxonomy, thresholds: GapThresholds) {
        self.facts = facts
        self.taxonomy = taxonomy
        self.thresholds = thresholds
        quarterEnds = (1...8).map { facts.firstQuarter.adding(months: 3 * $0).adding(days: -1) }
        let months = facts.windowMonths
        windowQuarters = months > 0 && months % 3 == 0 && months / 3 <= 8 ? months / 3 : 0
        let trendStarts = QuarterlyTrends.quarterStarts(asOf: facts.asOf)
        trendWindow = QuarterlyTrends.inWindow(trendStarts, windowStart: facts.windowStart)
        regionsToday = Set(GapRules.readableInWindow(facts, thresholds).filter { $0.facts.births > 0 }.map(\.code))
    }

    /// `finding`'s `since` (a G2 or G12 finding of this evaluation), and whether it is a bound (the condition held
    /// from that day at least: the walk back met a quarter end it may not judge, or ran out of quarters); nil when the
    /// latest quarter end cannot be judged or the condition did not hold there.
    mutating func since(of finding: GapFinding) -> (day: LocalDate, bound: Bool)? {
        guard windowQuarters > 0, let group = finding.targetGroup else { return nil }
        let latest = quarterEnds.count - 1
        var earliestHeld: Int?
        for index in stride(from: latest, through: windowQuarters - 1, by: -1) {
            let judgement = judgement(at: index)
            guard judgeable(judgement, group, at: index) else { break }
            guard judgement.keys.contains(finding.key) else {
                return index == latest ? nil : (quarterEnds[index].adding(days: 1), false)
            }
            earliestHeld = index
        }
        return earliestHeld.map { (quarterEnds[$0].adding(days: 1), true) }
    }

    /// Whether the rules may be judged for `group` at quarter end `index`: every region they read today is read there
    /// too (a region the store did not cover yet is "no data", not "no gap"), and every count they read there is made
    /// of published quarter cells.
    private mutating func judgeable(_ judgement: Judgement, _ group: String, at index: Int) -> Bool {
        guard regionsToday.isSubset(of: judgement.regions) else { return false }
        let quarters = (index - windowQuarters + 1)...index
        // The window must be those whole quarters (with a window of months ending on the 30th, it may not be).
        let firstDay = quarterEnds[index].adding(months: -facts.windowMonths).adding(days: 1)
        guard firstDay == facts.firstQuarter.adding(months: 3 * quarters.lowerBound) else { return false }
        for region in judgement.regions {
            let cells = publishedCells(region, group)
            guard quarters.allSatisfy({ cells[$0] != nil }) else { return false }
        }
        return true
    }

    /// Today's trend series of `region` × `group` as published (nil where withheld).
    private mutating func publishedCells(_ region: String, _ group: String) -> [Int?] {
        let key = "\(region)|\(group)"
        if let cells = published[key] { return cells }
        let row = facts.regions[region]?.quarterlyGroupEvents[group] ?? GapFacts.RegionFacts.noQuarters
        let cells = QuarterlyTrends.published(Array(row.prefix(trendWindow.count)), inWindow: trendWindow)
        published[key] = cells
        return cells
    }

    /// G2's and G12's findings as of the end of quarter `index`.
    private mutating func judgement(at index: Int) -> Judgement {
        if let done = judged[index] { return done }
        let past = factsAsOf(quarterEnd: index)
        let regions = GapRules.readableInWindow(past, thresholds).filter { $0.facts.births > 0 }.map(\.code)
        let findings =
            GapRules.rateShortfall(past, taxonomy, thresholds) + GapRules.nationalInequity(past, taxonomy, thresholds)
        let judgement = Judgement(keys: Set(findings.map(\.key)), regions: regions)
        judged[index] = judgement
        return judgement
    }

    /// The facts as of the end of quarter `index`, as far as G2 and G12 read them: the window's events per region
    /// and target group from the quarter cells; families (reported beside G2's rate, not judged) left out.
    private func factsAsOf(quarterEnd index: Int) -> GapFacts {
        var past = facts
        let end = quarterEnds[index]
        past.asOf = end
        past.windowStart = end.adding(months: -facts.windowMonths)
        past.firstQuarter = GapFacts.quarterStarts(asOf: end).first!
        let quarters = (index - windowQuarters + 1)...index
        for code in Array(past.regions.keys) {
            var region = past.regions.removeValue(forKey: code)!
            var events: [String: Int] = [:]
            for (group, row) in region.quarterlyGroupEvents {
                let sum = quarters.reduce(0) { $0 + row[$1] }
                if sum > 0 { events[group] = sum }
            }
            region.events = events
            region.families = [:]
            past.regions[code] = region
        }
        return past
    }
}
