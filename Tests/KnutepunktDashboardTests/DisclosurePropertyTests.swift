import Foundation
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktReports
import KnutepunktTesting
import Testing

/// Disclosure control, attacked (docs/disclosure.md): random data sets full of small cells, and for every count of 1
/// to 4 that the exports withhold, a search for a *second* data set, differing in that count, whose every export is
/// the same to the byte — the report as text (English and Norwegian, with statistics), JSON, CSV and Excel CSV, the
/// gap records as they leave the hub, the coverage table, the dashboard's views (heatmap, coverage CSV, trends,
/// summary, programmes, nodes) and its ranked groups. Whoever sees all of that cannot tell the two data sets apart,
/// so cannot recover the count, however they combine the figures (rates with births, medians, max/min, CV, Gini,
/// p-values, totals minus parts). A count for which no such second data set is found counts as recovered. (The
/// store's total of events is an operational counter, served with the node status as the events per node daemon are,
/// and is not among the statistics attacked.)
///
/// A negative control leaks one exact figure (each withheld cell's true rate) and checks that the same search then
/// finds recovered counts: the test can fail.
@Suite(.serialized)
struct DisclosurePropertyTests {
    /// What an attack on some data sets found.
    struct Outcome: Sendable {
        var checked = 0
        var kinds: [String: Int] = [:]
        var byEdit: [String: Int] = [:]
        var recovered: [String] = []
        /// Level findings (G2, G9, G10, G12) whose `since` came from the data, by rule: the dates the attack read
        /// besides the figures (docs/disclosure.md, rule 5).
        var levelSince: [String: Int] = [:]
    }

    /// Attacks `sets` random data sets from `seed`, on a thread of its own: the search runs for minutes, and the
    /// cooperative pool the other tests share must not wait for it.
    static func attack(
        sets: Int,
        seed: UInt64,
        leakingRates: Bool = false,
        cellsOnly: Bool = false,
        densePND: Bool = false
    ) async -> Outcome {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var random = SplitMix64(seed: seed)
                var outcome = Outcome()
                for round in 0..<sets {
                    let scenario = DisclosureScenario.random(using: &random, round: round, densePND: densePND)
                    let exports = scenario.exportParts(leakingRates: leakingRates)
                    let levels: Set<GapRule> = [.g2RateShortfall, .g9NoLighthouse, .g10Decline, .g12NationalInequity]
                    for finding in GapEvaluator.evaluate(scenario.facts, taxonomy: DisclosureScenario.taxonomy).findings
                    where levels.contains(finding.rule) && finding.since != nil {
                        outcome.levelSince[finding.rule.rawValue, default: 0] += 1
                    }
                    for target in scenario.withheldTargets() where !cellsOnly || target.kind == "cell" {
                        outcome.checked += 1
                        outcome.kinds[target.kind, default: 0] += 1
                        if let witness = scenario.witness(for: target, exports: exports) {
                            outcome.byEdit[witness, default: 0] += 1
                        } else {
                            outcome.recovered.append("round \(round) (as of \(scenario.asOf.iso)): \(target)")
                        }
                    }
                }
                continuation.resume(returning: outcome)
            }
        }
    }

    /// The plain data sets, and as many again whose PND is served quarter by quarter in published counts (0 or 5–9):
    /// there every other cell of a region's totals is published, so a figure or decision that reads those totals
    /// (G10's decline did, before it read the published cells instead) pins the withheld quarters of the other groups.
    @Test(.timeLimit(.minutes(10)))
    func noWithheldCountCanBeRecoveredFromEverythingExported() async throws {
        let seed = FuzzSettings.seed(default: 0xD15C_1051)
        let sets = FuzzSettings.iterations(default: 6)
        func listed(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        for densePND in [false, true] {
            let outcome = await Self.attack(sets: sets, seed: seed, densePND: densePND)
            print(
                "disclosure\(densePND ? " (PND quarter by quarter)" : ""): \(sets) data sets (seed \(seed)), "
                    + "\(outcome.checked) withheld counts attacked (\(listed(outcome.kinds))); each met by a data set "
                    + "exporting the same bytes with another value, by edit: \(listed(outcome.byEdit)); level findings "
                    + "with a since from the data: \(listed(outcome.levelSince)); recovered: \(outcome.recovered.count)"
            )
            #expect(outcome.checked > 100, "the data sets must hold small cells to attack")
            #expect(
                outcome.recovered.isEmpty,
                "withheld counts that the exports pin down:\n\(outcome.recovered.joined(separator: "\n"))"
            )
        }
    }

    /// The `since` of each G2 and G12 finding of `scenario`, and the regions' status.
    static func levelSince(_ scenario: DisclosureScenario) -> ([String: LocalDate?], [String: RegionStatus]) {
        let evaluation = GapEvaluator.evaluate(scenario.facts, taxonomy: DisclosureScenario.taxonomy)
        let findings = evaluation.findings.filter { $0.rule == .g2RateShortfall || $0.rule == .g12NationalInequity }
        return (Dictionary(findings.map { ($0.key, $0.since) }) { first, _ in first }, evaluation.statuses)
    }

    /// G2's and G12's `since` re-judges earlier quarter ends from published trend cells only (docs/disclosure.md, rule
    /// 5): every edit of the attack that leaves the trends and the regions' status as they were must leave those dates
    /// as they were too. Data sets whose PND is served in published counts quarter by quarter, so the dates exist.
    @Test(.timeLimit(.minutes(10)))
    func levelSinceDependsOnlyOnPublishedTrends() async throws {
        let seed = FuzzSettings.seed(default: 0x5111_CE05)
        let sets = FuzzSettings.iterations(default: 2)
        let (dated, compared, differing) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var random = SplitMix64(seed: seed)
                var dated = 0
                var compared = 0
                var differing: [String] = []
                for round in 0..<sets {
                    let scenario = DisclosureScenario.random(using: &random, round: round, densePND: true)
                    let trends = scenario.exportParts().part(0)
                    let (since, statuses) = Self.levelSince(scenario)
                    dated += since.values.filter { $0 != nil }.count
                    for target in scenario.withheldTargets() {
                        // Up to 25 edits per count that leave the trends as they were (the trends first: they cost
                        // less than an evaluation).
                        var same = 0
                        for (name, edited) in scenario.edits(for: target) where same < 25 {
                            guard edited.exportParts().part(0) == trends else { continue }
                            same += 1
                            let (otherSince, otherStatuses) = Self.levelSince(edited)
                            guard otherStatuses == statuses else { continue }
                            for key in since.keys.sorted() where otherSince[key] != nil {
                                compared += 1
                                if otherSince[key]! != since[key]! {
                                    differing.append("round \(round), \(target), edit \(name): \(key)")
                                }
                            }
                        }
                    }
                }
                continuation.resume(returning: (dated, compared, differing))
            }
        }
        print(
            "disclosure, level since: \(sets) data sets (seed \(seed)), \(dated) G2/G12 findings dated from the data, "
                + "\(compared) comparisons with the same trends; differing: \(differing.count)"
        )
        #expect(dated > 0 && compared > 0, "the data sets must give G2 and G12 dates to compare")
        #expect(differing.isEmpty, "since dates that tell more than the trends:\n\(differing.joined(separator: "\n"))")
    }

    /// The case that showed G10 reading withheld cells (docs/disclosure.md, rule 4): the fourth quarter-by-quarter
    /// data set of the default seed, as of 2026-11-23. NO-B's earlier four quarters held PND 8, 6, 8, 0 (published),
    /// PRISON 1, 1, 0, 0 and ALL 0, 1, 0, 1 (withheld); the recent four PND 0, 9, 6, 0 and PRISON 0, 0, 2, 0. Exactly,
    /// 26 → 17 is a drop of 9, under G10's 10: no finding; one more PRISON activity in 2024-Q4 (1 → 2) made it 10, and
    /// G10 fired. Read from published figures, the earlier quarters are 22 + 4 × 1 = 26 and the recent 15 + 4 (PRISON's
    /// window count, 3, withheld) + 4 (ALL's, 1) = 23 however many that quarter holds: every export stays the same.
    @Test(.timeLimit(.minutes(2)))
    func aDeclineDoesNotTellAWithheldQuarter() throws {
        var random = SplitMix64(seed: 0xD15C_1051)
        var scenario = DisclosureScenario.random(using: &random, round: 0, densePND: true)
        for round in 1...3 { scenario = DisclosureScenario.random(using: &random, round: round, densePND: true) }
        #expect(scenario.asOf == LocalDate(iso: "2026-11-23"))
        #expect(scenario.quarterCounts("NO-B", "PND") == [8, 6, 8, 0, 0, 9, 6, 0, 5])
        #expect(scenario.quarterCounts("NO-B", "PRISON") == [1, 1, 0, 0, 0, 0, 2, 0, 1])
        #expect(scenario.quarterCounts("NO-B", "ALL") == [0, 1, 0, 1, 0, 0, 0, 0, 1])
        let target = DisclosureScenario.Target.quarter("NO-B", "PRISON", 0)
        let prison = try #require(
            scenario.events.first { $0.region == "NO-B" && $0.targetGroups == ["PRISON"] && $0.date.year == 2024 }
        )
        let exports = scenario.exportParts()
        for extra in 1...3 {
            var edited = scenario
            for _ in 0..<extra {
                var copy = prison
                copy.id = UUID()
                copy.families = 0
                edited.events.append(copy)
            }
            #expect(edited.value(target) == 1 + extra)
            #expect(edited.exportParts().matches(exports), "2024-Q4 of PRISON at \(1 + extra) exports other bytes")
            let findings = GapEvaluator.evaluate(edited.facts, taxonomy: DisclosureScenario.taxonomy).findings
            #expect(!findings.contains { $0.rule == .g10Decline && $0.region == "NO-B" })
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func theAttackFindsAnExactFigureThatLeaks() async throws {
        let outcome = await Self.attack(sets: 2, seed: 0x1EA4, leakingRates: true, cellsOnly: true)
        print(
            "disclosure control check: with exact rates published, \(outcome.recovered.count) of \(outcome.checked) "
                + "withheld cells recovered"
        )
        #expect(
            outcome.checked > 0 && outcome.recovered.count == outcome.checked,
            "an exact rate with the public births gives every withheld cell away"
        )
    }
}

/// One data set: activities of three regions over 40 months, as of one day.
struct DisclosureScenario {
    var asOf: LocalDate
    var events: [ActivityEvent]

    static let regions = ["NO-A", "NO-B", "NO-C"]
    static let groups = ["PND", "PRISON", "ALL"]
    static let nodes = ["NO-A": ["NO-A-1", "NO-A-2"], "NO-B": ["NO-B-1"], "NO-C": ["NO-C-1"]]

    /// Three regions of 10,000, 5,000 and 2,000 births; three target groups (`ALL` exclusive); a small catalogue.
    static let taxonomy: Taxonomy = {
        func region(_ code: String, _ births: Int) -> Taxonomy.Region {
            Taxonomy.Region(
                code: code,
                name: code,
                country: "NO",
                centre: code,
                births: Taxonomy.Figure(value: births, year: 2024, source: "test", estimate: true)
            )
        }
        func terms(_ codes: String) -> [Taxonomy.Term] {
            codes.split(separator: " ").map { Taxonomy.Term(code: String($0), name: "\($0)", nameNb: "\($0) nb") }
        }
        return Taxonomy(
            regions: [region("NO-A", 10_000), region("NO-B", 5_000), region("NO-C", 2_000)],
            nodes: [
                .init(code: "NO-A-1", region: "NO-A", name: "A1", town: "A1"),
                .init(code: "NO-A-2", region: "NO-A", name: "A2", town: "A2"),
                .init(code: "NO-B-1", region: "NO-B", name: "B1", town: "B1"),
                .init(code: "NO-C-1", region: "NO-C", name: "C1", town: "C1"),
            ],
            kinds: terms("INFANT_DAY CONSULT_COLLAB TRAINING DELIVERY SCREENING"),
            targetGroups: [Taxonomy.Term(code: "ALL", name: "ALL", nameNb: "ALLE", exclusive: true)]
                + terms("PND PRISON"),
            tiers: terms("U S I T NA"),
            ageBands: terms("PREG M0_3 M3_12"),
            professions: terms("MIDWIFE PHN GP PAED PSYCH CW"),
            professionGroups: ["PHYSICIAN_ANY": ["GP", "PAED"]],
            funding: terms("PERMANENT TEMPORARY_PROJECT"),
            programmes: [
                .init(
                    code: "P_EB",
                    name: "EB",
                    tiers: ["S"],
                    ageBands: ["M0_3"],
                    targetGroups: ["PND"],
                    dyadic: true,
                    ratings: [.init(system: "CEBC", rating: "2")]
                ),
                .init(code: "P_TH", name: "TH", tiers: ["I"], ageBands: ["M0_3", "M3_12"], targetGroups: ["PND"]),
            ]
        )
    }()

    static let kinds = ["DELIVERY", "TRAINING", "CONSULT_COLLAB", "SCREENING"]
    static let professions = ["MIDWIFE", "PHN", "GP", "PSYCH", "CW"]

    /// A random data set: each region's first activity 40 months back (so the store covers every period), then for
    /// each region and group a count that is often 0, often 1–4 and sometimes 5–12, spread over the last 27 months,
    /// and up to two older ones. With `densePND`, PND is drawn quarter by quarter instead, 0 or 5–9 a quarter.
    static func random(using random: inout SplitMix64, round: Int, densePND: Bool = false) -> DisclosureScenario {
        // Every fourth set ends on a quarter's last day, when the window is exactly four quarters.
        let days = ["2026-06-30", "2026-05-17", "2026-08-09", "2026-11-23"]
        let asOf = LocalDate(iso: days[round % days.count])!
        var events: [ActivityEvent] = []
        func event(
            _ region: String,
            _ group: String,
            _ date: LocalDate,
            using random: inout SplitMix64
        )
            -> ActivityEvent
        {
            let kind = kinds.randomElement(using: &random)!
            let nodes = Self.nodes[region]!
            return ActivityEvent(
                id: UUID(),
                region: region,
                node: nodes.randomElement(using: &random)!,
                kind: kind,
                date: date,
                targetGroups: [group],
                programmes: kind == "DELIVERY" ? [["P_EB", "P_TH"].randomElement(using: &random)!] : [],
                tier: kind == "DELIVERY" ? "S" : "U",
                ageBands: [["M0_3", "M3_12", "PREG"].randomElement(using: &random)!],
                professions: Array(professions.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random))),
                participants: 8,
                families: Int.random(in: 0...3, using: &random),
                sessions: 1,
                funding: Bool.random(using: &random) ? "PERMANENT" : "TEMPORARY_PROJECT"
            )
        }
        for region in regions {
            for node in Self.nodes[region]! {
                var first = event(region, "ALL", asOf.adding(months: -40), using: &random)
                first.node = node
                events.append(first)
                // Every node reports within the last month, so no region is silent.
                var recent = event(
                    region,
                    "ALL",
                    asOf.adding(days: -Int.random(in: 0...20, using: &random)),
                    using: &random
                )
                recent.node = node
                events.append(recent)
            }
            for group in groups {
                let draw = Int.random(in: 0..<20, using: &random)
                let count =
                    draw < 5
                    ? 0 : draw < 13 ? Int.random(in: 1...4, using: &random) : Int.random(in: 5...12, using: &random)
                for _ in 0..<count {
                    let date = asOf.adding(days: -Int.random(in: 0...(27 * 30), using: &random))
                    events.append(event(region, group, date, using: &random))
                }
                // Older activity, before anything the exports show by date (as a store that has run for years holds).
                for _ in 0..<Int.random(in: 0...2, using: &random) {
                    let date = asOf.adding(months: -Int.random(in: 29...38, using: &random))
                    events.append(event(region, group, date, using: &random))
                }
            }
        }
        if densePND {
            // PND served quarter by quarter, in counts the trends publish (0 or 5–9), so that G2 and G12 can be judged
            // again at earlier quarter ends for their `since`. Drawn from a generator of its own, so the other series
            // are those of the plain set.
            var dense = SplitMix64(seed: 0x5EED_0000 &+ UInt64(round))
            let starts = QuarterlyTrends.Builder(asOf: asOf).quarterStarts
            events.removeAll { $0.targetGroups == ["PND"] && $0.date >= starts[0] }
            for region in regions {
                for start in starts {
                    let count = Int.random(in: 0..<4, using: &dense) == 0 ? 0 : Int.random(in: 5...9, using: &dense)
                    let days = start.days(to: min(start.adding(months: 3).adding(days: -1), asOf))
                    for _ in 0..<count {
                        let date = start.adding(days: Int.random(in: 0...days, using: &dense))
                        events.append(event(region, "PND", date, using: &dense))
                    }
                }
            }
        }
        return DisclosureScenario(asOf: asOf, events: events)
    }

    // MARK: Everything exported

    /// Every export of the data set, part by part, cheapest first. `leakingRates` adds each withheld cell's exact
    /// rate (the negative control).
    func exportParts(leakingRates: Bool = false) -> LazyExports {
        LazyExports(scenario: self, leakingRates: leakingRates)
    }

    /// Every export, concatenated (for the record of what was compared).
    func exports(leakingRates: Bool = false) -> String {
        let parts = exportParts(leakingRates: leakingRates)
        return (0..<LazyExports.count).map { parts.part($0) }.joined(separator: "\n\u{1E}\n")
    }

    /// The exports computed one part at a time, so that a comparison can stop at the first difference.
    final class LazyExports {
        static let count = 5
        let scenario: DisclosureScenario
        let leakingRates: Bool
        private var parts: [Int: String] = [:]
        private lazy var counters = ActivityCounters(scenario.events)
        private lazy var report: GapReport = {
            var network = NetworkGapFacts(taxonomy: DisclosureScenario.taxonomy, asOf: scenario.asOf, windowMonths: 12)
            for (cell, count) in counters.cells { network.add(cell, count) }
            return GapReport.make(
                network: network,
                taxonomy: DisclosureScenario.taxonomy,
                thresholds: .standard,
                events: counters.events
            )
        }()

        init(scenario: DisclosureScenario, leakingRates: Bool) {
            self.scenario = scenario
            self.leakingRates = leakingRates
        }

        func part(_ index: Int) -> String {
            if let done = parts[index] { return done }
            let taxonomy = DisclosureScenario.taxonomy
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text: String
            switch index {
            case 0:
                // The trends, as the dashboard serves them.
                var builder = QuarterlyTrends.Builder(asOf: scenario.asOf)
                for (cell, count) in counters.cells { builder.add(cell, count) }
                let trends = builder.trends(
                    regions: DisclosureScenario.regions,
                    targetGroups: taxonomy.targetGroups.map(\.code)
                )
                text = String(decoding: try! encoder.encode(trends), as: UTF8.self)
            case 1:
                // The coverage table, and (for the negative control) the leak.
                var lines: [String] = []
                for country in report.countries {
                    let table = CoverageTable(facts: country.facts, taxonomy: country.taxonomy, thresholds: .standard)
                    lines.append(table.table(country: country.code).csv())
                    lines.append(table.table(country: country.code).json())
                }
                if leakingRates {
                    let facts = scenario.facts
                    for region in DisclosureScenario.regions {
                        for group in DisclosureScenario.groups
                        where SmallCells.isSmall(facts.regions[region]!.events[group, default: 0]) {
                            lines.append("\(region) \(group) \(facts.regions[region]!.rate(group)!)")
                        }
                    }
                }
                text = lines.joined(separator: "\n")
            case 2:
                // The gap records as they leave the hub (each with its `since`), and the dashboard's ranked groups of
                // them.
                let records = report.records
                text =
                    String(decoding: JSONBody.encode(records), as: UTF8.self)
                    + String(
                        decoding: try! encoder.encode(GapGrouping.groups(records, taxonomy: taxonomy)),
                        as: UTF8.self
                    )
            case 3:
                // The report in every format.
                text = [
                    report.text(language: .en, statistics: true), report.text(language: .nb, statistics: true),
                    report.json(), report.table(.csv).csv(.csv), report.table(.excel).csv(.excel),
                    ProgrammeTable.make(report: report, taxonomy: taxonomy).json(),
                ].joined(separator: "\n")
            default:
                // The dashboard's views: heatmap, coverage, trends, summary, programmes, nodes.
                var views = DashboardViews.build(
                    counters: counters.cells.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                    taxonomy: taxonomy,
                    thresholds: .standard,
                    asOf: scenario.asOf
                )
                // The store's total of events is an operational counter, served with the overview and the node
                // status (as the events per node daemon are), not with the statistics: not part of what is attacked.
                views.events = 0
                text = String(decoding: try! encoder.encode(views), as: UTF8.self)
            }
            parts[index] = text
            return text
        }

        /// Whether every part equals `other`'s.
        func matches(_ other: LazyExports) -> Bool {
            (0..<Self.count).allSatisfy { part($0) == other.part($0) }
        }
    }

    // MARK: What is withheld

    /// A count the exports withhold.
    enum Target: CustomStringConvertible {
        case cell(String, String)
        case families(String, String)
        case quarter(String, String, Int)
        case profession(String, String)

        var kind: String {
            switch self {
            case .cell: "cell"
            case .families: "families"
            case .quarter: "quarter"
            case .profession: "profession"
            }
        }

        var description: String {
            switch self {
            case .cell(let region, let group): "events of \(group) in \(region)"
            case .families(let region, let group): "families of \(group) in \(region)"
            case .quarter(let region, let group, let index): "events of \(group) in \(region), quarter \(index)"
            case .profession(let region, let entry): "\(entry) in consultation and training in \(region)"
            }
        }
    }

    var facts: GapFacts { GapFacts.build(asOf: asOf, taxonomy: Self.taxonomy, events: events) }

    /// The true quarter counts of a series (what the trends would show without withholding).
    func quarterCounts(_ region: String, _ group: String) -> [Int] {
        var builder = QuarterlyTrends.Builder(asOf: asOf)
        for event in events where event.region == region && event.targetGroups.contains(group) {
            builder.add(ActivityCell(event), ActivityCount(event))
        }
        return builder.counts["\(region)|\(group)"] ?? Array(repeating: 0, count: builder.quarterStarts.count)
    }

    /// The value of `target` in this data set.
    func value(_ target: Target) -> Int {
        let facts = self.facts
        switch target {
        case .cell(let region, let group): return facts.regions[region]!.events[group, default: 0]
        case .families(let region, let group): return facts.regions[region]!.families[group, default: 0]
        case .quarter(let region, let group, let index): return quarterCounts(region, group)[index]
        case .profession(let region, let entry):
            let members = Self.taxonomy.professionGroups[entry] ?? [entry]
            return members.reduce(0) { $0 + facts.regions[region]!.professionEvents[$1, default: 0] }
        }
    }

    /// Every count of 1–4 that the exports withhold: cells and families, trend quarters, and the profession counts
    /// of the G6 findings.
    func withheldTargets() -> [Target] {
        let facts = self.facts
        var targets: [Target] = []
        for region in Self.regions {
            for group in Self.groups {
                if SmallCells.isSmall(facts.regions[region]!.events[group, default: 0]) {
                    targets.append(.cell(region, group))
                }
                if SmallCells.isSmall(facts.regions[region]!.families[group, default: 0]) {
                    targets.append(.families(region, group))
                }
                for (index, count) in quarterCounts(region, group).enumerated() where SmallCells.isSmall(count) {
                    targets.append(.quarter(region, group, index))
                }
            }
        }
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: Self.taxonomy)
        for finding in evaluation.findings where finding.rule == .g6MissingProfession {
            for entry in GapThresholds.standard.requiredProfessions
            where SmallCells.isSmall(value(.profession(finding.region!, entry))) {
                targets.append(.profession(finding.region!, entry))
            }
        }
        return targets
    }

    // MARK: The search for a second data set

    /// The name of an edit that changes `target` and leaves every export as it was, or nil when none of the edits
    /// tried does (the count is recovered).
    func witness(for target: Target, exports: LazyExports) -> String? {
        let original = value(target)
        for (name, edited) in edits(for: target) {
            guard edited.value(target) != original else { continue }
            if edited.exportParts(leakingRates: exports.leakingRates).matches(exports) { return name }
        }
        return nil
    }

    /// Data sets one small edit away that change `target`: an activity's target group, date or families changed, a
    /// profession named or not, two activities of different groups trading groups, an activity added or taken away.
    /// Moves into a quarter are tried at several days of it, earliest first (an earlier date changes no "last seen").
    func edits(for target: Target) -> [(String, DisclosureScenario)] {
        let (region, group): (String, String?) =
            switch target {
            case .cell(let region, let group), .families(let region, let group), .quarter(let region, let group, _):
                (region, group)
            case .profession(let region, _): (region, nil)
            }
        var result: [(String, DisclosureScenario)] = []
        func edited(_ name: String, _ index: Int, _ change: (inout ActivityEvent) -> Void) {
            var copy = self
            change(&copy.events[index])
            result.append((name, copy))
        }
        let quarterStarts = QuarterlyTrends.Builder(asOf: asOf).quarterStarts
        var dates: [LocalDate] = []
        if case .quarter(_, _, let index) = target {
            // Days of that quarter: those the series already has activity on first (a same-day move changes no "last
            // seen" day), then others.
            let end = index + 1 < quarterStarts.count ? quarterStarts[index + 1] : asOf.adding(days: 1)
            dates = events.filter { $0.region == region && $0.date >= quarterStarts[index] && $0.date < end }.map(
                \.date
            )
            dates += [0, 2, 30, 60, 88].map { quarterStarts[index].adding(days: $0) }
        }
        // The window's first day and the day before it, the deep past (before anything shown by date), and two days
        // of each quarter shown.
        dates += [asOf.adding(months: -12).adding(days: 1), asOf.adding(months: -12), asOf.adding(months: -34), asOf]
        dates += quarterStarts.reversed().flatMap { [$0.adding(days: 45), $0.adding(days: 2)] }
        dates = dates.filter { $0 <= asOf && $0 >= asOf.adding(months: -36) }
        let mine = events.indices.filter { events[$0].region == region }
        for index in mine {
            let event = events[index]
            if case .profession(_, let entry) = target {
                guard ["CONSULT_COLLAB", "TRAINING"].contains(event.kind) else { continue }
                let members = Self.taxonomy.professionGroups[entry] ?? [entry]
                if let present = event.professions.first(where: members.contains), event.professions.count > 1 {
                    edited("profession", index) { $0.professions.removeAll { $0 == present } }
                } else if !event.professions.contains(where: members.contains) {
                    edited("profession", index) { $0.professions.append(members[0]) }
                }
                continue
            }
            guard let group else { continue }
            if event.targetGroups.contains(group) {
                for date in dates where date != event.date { edited("date", index) { $0.date = date } }
                for other in Self.groups where other != group {
                    edited("target group", index) { $0.targetGroups = [other] }
                }
                edited("families", index) { $0.families += 1 }
                if event.families > 0 { edited("families", index) { $0.families -= 1 } }
            } else {
                edited("target group", index) { $0.targetGroups = [group] }
                for date in dates {
                    edited("target group and date", index) {
                        $0.targetGroups = [group]
                        $0.date = date
                    }
                }
            }
        }
        // An older activity becomes one like an activity the window holds (same day, node, kind and codes), for the
        // target group: nothing seen by date or by code changes but the target's count.
        if let group {
            let old = mine.filter {
                events[$0].date < asOf.adding(months: -28) && events[$0].date > asOf.adding(months: -39)
            }
            let shown = mine.filter { events[$0].date > asOf.adding(months: -12) }
            for source in old {
                for model in shown {
                    var copy = self
                    let id = events[source].id
                    copy.events[source] = events[model]
                    copy.events[source].id = id
                    copy.events[source].targetGroups = [group]
                    copy.events[source].families = 0
                    result.append(("older activity made like a recent one", copy))
                }
            }
        }
        // Two activities trade target groups: each group's count moves between their quarters (or days).
        if let group {
            for first in mine where events[first].targetGroups == [group] {
                for second in mine where events[second].targetGroups != [group] {
                    var copy = self
                    copy.events[second].targetGroups = [group]
                    copy.events[first].targetGroups = events[second].targetGroups
                    result.append(("traded groups", copy))
                }
            }
            for index in mine where events[index].targetGroups.contains(group) {
                var removed = self
                removed.events.remove(at: index)
                result.append(("removed", removed))
            }
            // One more activity like one the series has (same day and codes), or like any of the region's.
            for model in mine.filter({ events[$0].targetGroups == [group] }) + mine {
                var added = self
                var event = events[model]
                event.id = UUID()
                event.targetGroups = [group]
                event.families = 0
                added.events.append(event)
                result.append(("added", added))
            }
        }
        return result
    }
}

extension ActivityCounters {
    init(_ events: [ActivityEvent]) {
        self.init()
        for event in events { add(event) }
    }
}
