import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// D1 and the evaluator: staleness first, then G1–G5 withheld for areas with no data.
@Suite("Gap evaluator and D1")
struct GapEvaluatorTests {
    typealias T = GapTestTaxonomy

    @Test("D1: 90 days without a report is fresh, 91 stale, never reported stale")
    func staleNode() throws {
        var facts = T.facts()  // as of 2026-06-15
        facts.nodes["NO-A-1"]!.lastReport = T.date("2026-03-17")  // 90 days
        facts.nodes["NO-A-2"]!.lastReport = T.date("2026-03-16")  // 91 days
        facts.nodes["NO-C-1"]!.lastReport = nil
        let findings = T.run(GapRules.staleNode, facts)
        #expect(findings.summary == ["AMBER D1|NO-A|NO-A-2", "AMBER D1|NO-C|NO-C-1"])
        #expect(findings[0].inputs["daysSinceReport"] == 91)
        #expect(findings[1].inputs["daysSinceReport"] == -1)
        #expect(findings[0].thresholds == ["staleDays": 90])
    }

    @Test("a silent node that is its region's only node suppresses G1–G5 there, not G6–G13")
    func silentRegion() {
        var facts = GapCoverageRuleTests.withPND(5, 5, 0)
        for region in ["NO-A", "NO-B"] { facts.regions[region]!.activeAgeBands = ["PREG", "M0_3", "M3_12"] }
        facts.nodes["NO-C-1"]!.lastReport = T.date("2026-01-01")
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions == ["NO-C"])
        #expect(evaluation.findings.first?.key == "D1|NO-C|NO-C-1")
        let charged = evaluation.findings.filter { $0.region == "NO-C" }
        #expect(!charged.contains { $0.rule.isSuppressedByStaleData })
        #expect(charged.contains { $0.rule == .g6MissingProfession })
        #expect(evaluation.suppressed.summary.contains("RED G1|NO-C|PND"))
        #expect(evaluation.suppressed.summary.contains("RED G5|NO-C|PREG"))
        #expect(evaluation.suppressed.allSatisfy { $0.region == "NO-C" && $0.rule.isSuppressedByStaleData })

        // The same facts with the node fresh: the G1 gap is reported.
        facts.nodes["NO-C-1"]!.lastReport = T.asOf
        let fresh = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(fresh.staleRegions.isEmpty && fresh.suppressed.isEmpty)
        #expect(fresh.findings.summary.contains("RED G1|NO-C|PND"))
    }

    @Test("one stale node of two: the region is not suppressed; its findings name the stale node")
    func partlyStale() {
        var facts = GapCoverageRuleTests.withPND(0, 5, 5)
        facts.nodes["NO-A-2"]!.lastReport = nil
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions.isEmpty)
        let g1 = evaluation.findings.filter { $0.rule == .g1AbsentService }
        #expect(g1.summary == ["RED G1|NO-A|PND"])
        #expect(g1.first?.staleNodes == ["NO-A-2"])
        #expect(evaluation.findings.filter { $0.region == "NO-B" }.allSatisfy { $0.staleNodes.isEmpty })
    }

    @Test("an empty window: every node is silent, so no G1–G5 alarms, only data and national gaps")
    func emptyWindow() {
        let facts = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: [])
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions == ["NO-A", "NO-B", "NO-C"])
        #expect(!evaluation.findings.contains { $0.rule.isSuppressedByStaleData })
        #expect(evaluation.findings.prefix(4).allSatisfy { $0.rule == .d1StaleNode })
        // G3: per region PREG lacks U (AMBER), M0_3 lacks S and I (RED), M3_12 lacks I and T (AMBER); G5: 3 bands.
        #expect(evaluation.suppressed.filter { $0.rule == .g3MissingTier }.count == 9)
        #expect(evaluation.suppressed.filter { $0.rule == .g5AgeBandGap }.count == 9)
        #expect(evaluation.suppressed.filter { $0.rule == .g3MissingTier && $0.severity == .red }.count == 3)
        // Never suppressed: the knowledge gaps, and (an empty region has neither) G6 RED and G9 AMBER.
        let rules = Set(evaluation.findings.map(\.rule))
        #expect(rules == [.d1StaleNode, .g6MissingProfession, .g7Evidence, .g9NoLighthouse, .g13MissingInfantDay])
        // No G2/G8/G10/G11/G12 without activity.
    }

    @Test("findings come out in rule order, D1 first, and an evaluation is reproducible")
    func order() {
        var facts = GapCoverageRuleTests.withPND(100, 50, 2)
        facts.nodes["NO-B-1"]!.lastReport = nil
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        let orders = evaluation.findings.map(\.rule.order)
        #expect(orders == orders.sorted())
        #expect(evaluation == GapEvaluator.evaluate(facts, taxonomy: T.taxonomy))
    }

    @Test("thresholds change the outcome (and are recorded)")
    func customThresholds() throws {
        var thresholds = GapThresholds()
        thresholds.rateSignificance = 0.001  // 0.0028 is no longer clear
        let facts = GapCoverageRuleTests.withPND(100, 50, 2)
        let finding = try #require(GapRules.rateShortfall(facts, T.taxonomy, thresholds).first)
        #expect(finding.severity == .amber)
        #expect(finding.thresholds["rateSignificance"] == 0.001)
    }
}
