import Foundation
import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

private typealias T = GapTestTaxonomy

/// The reporting periods wired into the rules (issue "no report ≠ no service"): the returns the taxonomy expects and
/// the hub holds become ``ExpectedReturns``; a region with a return overdue in the window gets one "no report"
/// finding and no service gap, while a return not yet due, or a nil return, never makes a region silent.
@Suite struct GapReturnsTests {
    /// Every node reporting from 2025-01-01; the hub holds a return (complete or nil) for every month of NO-A and
    /// NO-B up to May 2026, and NO-C's are missing from March.
    static func returns(asOf: LocalDate) -> (Taxonomy, [ReceivedReturn]) {
        var taxonomy = T.taxonomy
        for node in taxonomy.nodes { taxonomy.reportingPeriods[node.code] = .init(active: T.date("2025-01-01")) }
        var returns: [ReceivedReturn] = []
        for node in taxonomy.nodes {
            for month in ReportingMonth.range(
                from: ReportingMonth(text: "2025-01")!,
                through: ReportingMonth(text: "2026-05")!
            ) {
                if node.region == "NO-C", month >= ReportingMonth(text: "2026-03")! { continue }
                returns.append(
                    ReceivedReturn(
                        node: node.code,
                        region: node.region,
                        month: month,
                        version: 1,
                        status: node.region == "NO-B" ? .nil : .complete,
                        receivedOn: month.last.adding(days: 3)
                    )
                )
            }
        }
        return (taxonomy, returns)
    }

    @Test("a return not yet due is not missing; an overdue one is; a reopened one no longer counts")
    func expectedReturns() {
        let (taxonomy, returns) = Self.returns(asOf: T.asOf)
        // 15 June: May's return is due on 15 June, so it is owed only from 16 June.
        let june15 = ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: T.asOf, timelyDays: 15)
        #expect(
            june15.missing(node: "NO-C-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).map(\.iso)
                == ["2026-03-01", "2026-04-01"]
        )
        let june16 = ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: T.date("2026-06-16"), timelyDays: 15)
        #expect(june16.missing(node: "NO-C-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).count == 3)
        #expect(june16.missing(node: "NO-A-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).isEmpty)
        var reopened = returns
        reopened.append(
            ReceivedReturn(
                node: "NO-A-1",
                region: "NO-A",
                month: ReportingMonth(text: "2026-02")!,
                version: 2,
                status: .reopened,
                receivedOn: T.date("2026-04-01")
            )
        )
        let withReopen = ExpectedReturns(taxonomy: taxonomy, returns: reopened, asOf: T.asOf, timelyDays: 15)
        #expect(
            withReopen.missing(node: "NO-A-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).map(\.iso)
                == ["2026-02-01"]
        )
    }

    @Test("missing returns: 'no report' for the region, never a service gap; nil returns are reports")
    func noReportNotNoService() throws {
        let (taxonomy, returns) = Self.returns(asOf: T.asOf)
        // PND: NO-A has some, NO-B none (it made nil returns: it reported, and served nobody), NO-C none (no returns).
        var facts = GapCoverageRuleTests.withPND(5, 0, 0)
        facts.returns = ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: T.asOf, timelyDays: 15)
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: taxonomy)
        #expect(evaluation.staleRegions == ["NO-C"])
        let finding = try #require(evaluation.findings.first { $0.region == "NO-C" })
        #expect(finding.key == "D1|NO-C|NO_REPORT" && finding.inputs["missingReturns"] == 2)
        #expect(!evaluation.findings.contains { $0.region == "NO-C" && $0.rule != .d1StaleNode })
        #expect(evaluation.findings.contains { $0.key == "G1|NO-B|PND" }, "NO-B reported: its zero is no service")
        // Without the returns NO-C's zero would read as no service.
        let blind = GapEvaluator.evaluate(GapCoverageRuleTests.withPND(5, 0, 0), taxonomy: T.taxonomy)
        #expect(blind.findings.contains { $0.key == "G1|NO-C|PND" })
    }

    /// One rule's scenario: the facts (every return in), the region whose returns then go missing, and what the
    /// rule finds in each case, worked out by hand in the rule's own tests (the silence cases there give the same
    /// answer, since a missing return is no report just as silence is).
    struct RuleCase: Sendable, CustomTestStringConvertible {
        var rule: GapRule
        var facts: GapFacts
        var region: String
        /// `SEVERITY KEY` of each finding with every return in.
        var reported: [String]
        /// … with `region`'s returns for 2026-03 and 2026-04 missing.
        var unreported: [String]
        var testDescription: String { "\(rule.rawValue), \(region)'s returns missing" }
    }

    static let ruleCases: [RuleCase] = {
        var g3 = GapCoverageRuleTests.fullyDelivered()
        g3.regions["NO-C"]!.deliveries = []
        var g5 = T.facts()
        for region in ["NO-A", "NO-B", "NO-C"] { g5.regions[region]!.activeAgeBands = ["PREG", "M0_3", "M3_12"] }
        g5.regions["NO-B"]!.activeAgeBands.remove("M3_12")
        var g9 = T.facts()
        for node in ["NO-A-1", "NO-B-1"] {
            g9.nodes[node]!.programmesDelivered = ["P_EB", "P_TH"]
            g9.nodes[node]!.trains = true
        }
        var g11 = T.facts()
        g11.regions["NO-A"]!.dyadicDeliveries = ["PND": 6]
        g11.regions["NO-B"]!.dyadicDeliveries = ["PAR_MH": 2]
        g11.regions["NO-B"]!.parentalMentalHealthCare = 1
        let g13 = GapTrendRuleTests.infantDays(asOf: "2026-06-15", ["NO-A": ["2025-11-10"], "NO-C": ["2025-02-01"]])
        let everyone = GapWorkforceRuleTests.everyone
        return [
            // NO-C has no PND activity while NO-A and NO-B have: RED, unless NO-C made no returns.
            RuleCase(
                rule: .g1AbsentService,
                facts: GapCoverageRuleTests.withPND(5, 5, 0),
                region: "NO-C",
                reported: ["RED G1|NO-C|PND"],
                unreported: []
            ),
            // Only NO-C had PND activity: without its returns NO-A and NO-B are compared with nobody.
            RuleCase(
                rule: .g1AbsentService,
                facts: GapCoverageRuleTests.withPND(0, 0, 3),
                region: "NO-C",
                reported: ["RED G1|NO-A|PND", "RED G1|NO-B|PND"],
                unreported: []
            ),
            // Rates 10, 10, 4 (NO-C's 2 read as 4): median 10 → NO-C RED. Without NO-B the median of 10 and 2 is 6,
            // P(X ≤ 4 | λ = 6) = 0.285 → AMBER only.
            RuleCase(
                rule: .g2RateShortfall,
                facts: GapCoverageRuleTests.withPND(100, 50, 2),
                region: "NO-B",
                reported: ["RED G2|NO-C|PND"],
                unreported: ["AMBER G2|NO-C|PND"]
            ),
            RuleCase(
                rule: .g2RateShortfall,
                facts: GapCoverageRuleTests.withPND(100, 50, 2),
                region: "NO-C",
                reported: ["RED G2|NO-C|PND"],
                unreported: []
            ),
            // NO-C delivers nothing: AMBER for PREG (U missing), RED for M0_3 (S and I both missing), AMBER for M3_12
            // (I and T missing, not S).
            RuleCase(
                rule: .g3MissingTier,
                facts: g3,
                region: "NO-C",
                reported: ["AMBER G3|NO-C|PREG", "RED G3|NO-C|M0_3", "AMBER G3|NO-C|M3_12"],
                unreported: []
            ),
            RuleCase(
                rule: .g5AgeBandGap,
                facts: g5,
                region: "NO-B",
                reported: ["RED G5|NO-B|M3_12"],
                unreported: []
            ),
            RuleCase(
                rule: .g6MissingProfession,
                facts: GapWorkforceRuleTests.professions(everyone, everyone, []),
                region: "NO-C",
                reported: ["RED G6|NO-C"],
                unreported: []
            ),
            // NO-A delivers only P_TH for PND while P_EB exists; the knowledge gaps are national and stay.
            RuleCase(
                rule: .g7Evidence,
                facts: GapEvidenceRuleTests.serviceFacts(),
                region: "NO-A",
                reported: ["AMBER G7|*|ALL|KNOWLEDGE", "AMBER G7|*|HICONF|KNOWLEDGE", "AMBER G7|NO-A|PND|SERVICE"],
                unreported: ["AMBER G7|*|ALL|KNOWLEDGE", "AMBER G7|*|HICONF|KNOWLEDGE"]
            ),
            // 20 of 20 on temporary money: RED.
            RuleCase(
                rule: .g8Sustainability,
                facts: GapTrendRuleTests.funding("NO-C", temporary: 20, of: 20),
                region: "NO-C",
                reported: ["RED G8|NO-C"],
                unreported: []
            ),
            RuleCase(
                rule: .g9NoLighthouse,
                facts: g9,
                region: "NO-C",
                reported: ["AMBER G9|NO-C"],
                unreported: []
            ),
            // 40 → 20 events over the two halves of the 8 quarters: −50 %, a drop of 20.
            RuleCase(
                rule: .g10Decline,
                facts: GapTrendRuleTests.quarters("NO-B", [10, 10, 10, 10, 5, 5, 5, 5]),
                region: "NO-B",
                reported: ["AMBER G10|NO-B"],
                unreported: []
            ),
            RuleCase(
                rule: .g11ParentMHFirst,
                facts: g11,
                region: "NO-A",
                reported: ["AMBER G11|NO-A"],
                unreported: []
            ),
            // Rates 10, 2, 20: max/min 10 → RED; without NO-B, 10 and 20: max/min 2, CV 1/3 → AMBER.
            RuleCase(
                rule: .g12NationalInequity,
                facts: GapTrendRuleTests.rates(100, 10, 40),
                region: "NO-B",
                reported: ["RED G12|*|PND"],
                unreported: ["AMBER G12|*|PND"]
            ),
            RuleCase(
                rule: .g13MissingInfantDay,
                facts: g13,
                region: "NO-B",
                reported: ["RED G13|NO-B|2025"],
                unreported: []
            ),
        ]
    }()

    @Test("every rule: a region with returns missing is neither charged nor compared", arguments: ruleCases)
    func everyRuleLeavesOutARegionWithMissingReturns(_ item: RuleCase) {
        let rule = GapRules.function(of: item.rule)
        let reported = T.unreturned([], item.facts)
        let unreported = T.unreturned(region: item.region, item.facts)
        #expect(T.run(rule, reported).summary == item.reported)
        #expect(T.run(rule, unreported).summary == item.unreported)
        // The evaluation: the region's one "no report" finding, two returns missing per local node, and nothing else.
        let evaluation = GapEvaluator.evaluate(unreported, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions == [item.region])
        let own = evaluation.findings.filter { $0.region == item.region }
        let nodes = T.taxonomy.nodes(inRegion: item.region).count
        #expect(own.map(\.key) == ["D1|\(item.region)|NO_REPORT"])
        #expect(own.first?.inputs["missingReturns"] == Double(2 * nodes))
    }

    @Test("G2 and G12 leave a region with missing returns out of the national figures")
    func nationalFiguresWithoutTheRegion() throws {
        let g2 = try #require(
            T.run(GapRules.rateShortfall, T.unreturned(region: "NO-B", GapCoverageRuleTests.withPND(100, 50, 2))).first
        )
        #expect(g2.inputs["median"] == 6 && g2.inputs["regions"] == 2)
        #expect(abs(g2.inputs["p"]! - 0.285057) < 1e-6)
        let g12 = try #require(
            T.run(GapRules.nationalInequity, T.unreturned(region: "NO-B", GapTrendRuleTests.rates(100, 10, 40))).first
        )
        #expect(g12.inputs["regions"] == 2 && g12.inputs["maxMin"] == 2 && g12.inputs["rate.NO-B"] == nil)
        #expect(g12.affectedBirths == 10_000)
    }

    @Test("one local node's returns missing: that node has no report; the region is read with half the confidence")
    func oneNodeWithoutReturns() throws {
        // NO-A has no PND activity while NO-B and NO-C have; NO-A-2 of NO-A's two nodes made no returns in March and
        // April, NO-A-1 made all of them.
        let facts = T.unreturned(["NO-A-2"], GapCoverageRuleTests.withPND(0, 5, 3))
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions.isEmpty)
        let node = try #require(evaluation.findings.first { $0.rule == .d1StaleNode })
        #expect(node.key == "D1|NO-A|NO-A-2" && node.inputs["missingReturns"] == 2)
        #expect(node.message.contains("2 monthly returns are missing"))
        let g1 = try #require(evaluation.findings.first { $0.key == "G1|NO-A|PND" })
        #expect(g1.severity == .red && g1.staleNodes == ["NO-A-2"] && g1.confidence == 0.5)
        #expect(evaluation.findings.filter { $0.rule == .d1StaleNode }.count == 1)
    }

    @Test("a nil return is a report: a node quiet since January that made its returns is not silent")
    func nilReturnsAreReports() {
        // Every node of NO-C last reported an activity on 2026-01-01 (more than 90 days before 15 June), but made
        // every return: NO-C reports, and its zero is no service.
        let facts = T.unreturned([], T.silent("NO-C", GapCoverageRuleTests.withPND(5, 5, 0)))
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions.isEmpty)
        #expect(!evaluation.findings.contains { $0.rule == .d1StaleNode })
        #expect(evaluation.findings.contains { $0.key == "G1|NO-C|PND" && $0.severity == .red })
        // Without returns on record the same activity silence is no report.
        let blind = GapEvaluator.evaluate(T.silent("NO-C", GapCoverageRuleTests.withPND(5, 5, 0)), taxonomy: T.taxonomy)
        #expect(blind.staleRegions == ["NO-C"])
    }

    @Test("G10 and G13 read beyond the window: a period whose returns every local node missed is not judged")
    func periodsLongerThanTheWindow() throws {
        // As of 2026-06-15 the window starts on 2025-06-16; G13 reads 2025 from 1 January, G10 quarters from 2024-04.
        func without(_ node: String, _ months: [String], _ facts: GapFacts) -> GapFacts {
            var facts = facts
            facts.returns!.received[node]!.subtract(months.map(T.date))
            return facts
        }
        let spring2025 = ["2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01"]
        // Only NO-C held an infant day in 2025: RED for NO-A and NO-B with every return in.
        let days = T.unreturned([], GapTrendRuleTests.infantDays(asOf: "2026-06-15", ["NO-C": ["2025-02-01"]]))
        #expect(T.run(GapRules.missingInfantDay, days).summary == ["RED G13|NO-A|2025", "RED G13|NO-B|2025"])
        // NO-B-1, NO-B's only node, made no returns for February to May 2025 (before the window): no verdict on NO-B's
        // 2025, while NO-B reports and is judged on everything else; the open gap is held.
        let northless = without("NO-B-1", spring2025, days)
        #expect(T.run(GapRules.missingInfantDay, northless).summary == ["RED G13|NO-A|2025"])
        let evaluation = GapEvaluator.evaluate(northless, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions.isEmpty && !evaluation.findings.contains { $0.rule == .d1StaleNode })
        #expect(
            evaluation.holds(GapFinding(rule: .g13MissingInfantDay, severity: .red, region: "NO-B", detail: "2025"))
        )
        #expect(evaluation.notes.isEmpty, "not 'not enough data yet': the store covers the year")
        // One of NO-A's two nodes missing those months: NO-A is still judged; both: it is not.
        let half = without("NO-A-2", spring2025, days)
        #expect(T.run(GapRules.missingInfantDay, half).summary == ["RED G13|NO-A|2025", "RED G13|NO-B|2025"])
        #expect(T.run(GapRules.missingInfantDay, without("NO-A-1", spring2025, half)).summary == ["RED G13|NO-B|2025"])
        // G10: 40 events in the first four quarters, 20 in the last four (−50 %, a drop of 20) → AMBER; with NO-B-1's
        // returns for 2024-07 to 2024-09 missing, its first half is not complete: no verdict.
        let quarters = T.unreturned([], GapTrendRuleTests.quarters("NO-B", [10, 10, 10, 10, 5, 5, 5, 5]))
        #expect(T.run(GapRules.decline, quarters).summary == ["AMBER G10|NO-B"])
        let gap = without("NO-B-1", ["2024-07-01", "2024-08-01", "2024-09-01"], quarters)
        #expect(T.run(GapRules.decline, gap).isEmpty)
        #expect(GapEvaluator.evaluate(gap, taxonomy: T.taxonomy).uncovered.contains("NO-B|G10"))
    }
}
