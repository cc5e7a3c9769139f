import KnutepunktDomain

/// Runs every gap rule over one `GapFacts`, D1 first, and makes the findings readable.
///
/// No report is not no service (DOMAIN.md §6): each region's ``RegionStatus`` says whether it reports and from which
/// day the store covers it. The rules themselves charge and compare only regions that report and that the store
/// covers for the period they read; a region that does not report gets one D1 "no report" finding instead, and a
/// region the store does not cover long enough gets a ``DataNote`` ("not enough data yet") per rule it cannot read.
/// A region with only some silent local nodes is still read (its other nodes report); each of its findings names the
/// silent nodes in `staleNodes` and its confidence falls with their share.
///
/// The evaluator then fills in what readers need: the day each condition first held (``GapSince``), the births
/// concerned, and the sentences in English and Norwegian bokmål (``GapWording``).
package enum GapEvaluator {
    /// The result of one evaluation.
    package struct Evaluation: Sendable, Hashable {
        /// Findings in rule order (D1, G1, G2, … G13), each rule's in its own order.
        package var findings: [GapFinding]
        /// Per region the store does not yet cover long enough for some rules, the rules and since when it covers.
        package var notes: [DataNote]
        /// Regions that do not report (one D1 "no report" finding each), sorted.
        package var staleRegions: [String]
        /// Each region's status.
        package var statuses: [String: RegionStatus]
        /// `REGION|RULE` for each rule a note says cannot read the region yet.
        package var uncovered: Set<String>

        package init(
            findings: [GapFinding],
            notes: [DataNote] = [],
            staleRegions: [String] = [],
            statuses: [String: RegionStatus] = [:],
            uncovered: Set<String> = []
        ) {
            self.findings = findings
            self.notes = notes
            self.staleRegions = staleRegions
            self.statuses = statuses
            self.uncovered = uncovered
        }

        /// Whether an open gap like `finding` is held as it is rather than closed: its region does not report, or
        /// the store does not cover it for the rule's period. "No data" is not "fixed".
        package func holds(_ finding: GapFinding) -> Bool {
            guard let region = finding.region, finding.rule != .d1StaleNode else { return false }
            return staleRegions.contains(region) || uncovered.contains("\(region)|\(finding.rule.rawValue)")
        }

        /// Adds another country's evaluation.
        package mutating func merge(_ other: Evaluation) {
            findings += other.findings
            notes += other.notes
            staleRegions += other.staleRegions
            statuses.merge(other.statuses) { first, _ in first }
            uncovered.formUnion(other.uncovered)
        }
    }

    package static func evaluate(
        _ facts: GapFacts,
        taxonomy: Taxonomy,
        thresholds: GapThresholds = .standard
    ) -> Evaluation {
        let statuses = facts.statuses(thresholds)
        var findings = GapRules.all.flatMap { $0.evaluate(facts, taxonomy, thresholds) }
        for index in findings.indices {
            // National findings carry their own births (G12: the regions below the national rate); a knowledge gap
            // (G7) charges no region and no population: it goes to the clearinghouse and ranks after service gaps.
            guard let region = findings[index].region, let status = statuses[region] else { continue }
            let births = facts.regions[region]?.births ?? 0
            if findings[index].rule == .d1StaleNode {
                findings[index].affectedBirths =
                    findings[index].node == nil ? births : births / max(1, status.nodes)
                continue
            }
            findings[index].affectedBirths = births
            findings[index].staleNodes = status.silentNodes
            findings[index].confidence *= status.reportingShare
        }
        GapSince.fill(&findings, facts: facts, statuses: statuses, taxonomy: taxonomy, thresholds: thresholds)
        GapWording.word(&findings, taxonomy: taxonomy, thresholds: thresholds)

        var notes: [DataNote] = []
        var uncovered: Set<String> = []
        for code in facts.regions.keys.sorted() {
            let status = statuses[code]!
            guard status.reports else { continue }
            var rules: [GapRule] = []
            var needed: LocalDate?
            for rule in GapRule.allCases {
                guard let start = GapRules.periodStart(of: rule, facts) else { continue }
                if status.covers(from: start), !status.reads(from: start) {
                    // Returns missing from every local node in the older part of the period: no verdict, and an
                    // open gap is held, not closed.
                    uncovered.insert("\(code)|\(rule.rawValue)")
                    continue
                }
                guard !status.covers(from: start) else { continue }
                rules.append(rule)
                uncovered.insert("\(code)|\(rule.rawValue)")
                needed = min(needed ?? start, start)
            }
            if let needed {
                notes.append(DataNote(region: code, rules: rules, coveredFrom: status.coveredFrom, neededFrom: needed))
            }
        }
        return Evaluation(
            findings: findings,
            notes: notes,
            staleRegions: statuses.filter { !$0.value.reports }.keys.sorted(),
            statuses: statuses,
            uncovered: uncovered
        )
    }
}
