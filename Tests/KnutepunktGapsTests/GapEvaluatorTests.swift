import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// D1, the regions' status (no report is not no service), the data notes, `since`, and the evaluator's order.
@Suite("Gap evaluator and D1")
struct GapEvaluatorTests {
    typealias T = GapTestTaxonomy

    @Test("D1 per node: 90 days without a report is fresh, 91 stale, never reported stale")
    func staleNode() throws {
        var facts = T.facts()  // as of 2026-06-15
        facts.nodes["NO-A-1"]!.lastReport = T.date("2026-03-17")  // 90 days
        facts.nodes["NO-A-2"]!.lastReport = T.date("2026-03-16")  // 91 days
        let findings = T.run(GapRules.staleNode, facts)
        #expect(findings.summary == ["AMBER D1|NO-A|NO-A-2"])
        #expect(findings[0].inputs["daysSinceReport"] == 91)
        #expect(findings[0].thresholds == ["staleDays": 90])
    }

    @Test("a region whose every node is silent gets one 'no report' finding and no service finding from any rule")
    func silentRegion() throws {
        var facts = GapCoverageRuleTests.withPND(5, 5, 0)
        facts.nodes["NO-C-1"]!.lastReport = T.date("2026-01-01")
        facts.regions["NO-C"]!.totalEvents = 20
        facts.regions["NO-C"]!.temporaryEvents = 20
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions == ["NO-C"])
        let charged = evaluation.findings.filter { $0.region == "NO-C" }
        #expect(charged.summary == ["AMBER D1|NO-C|NO_REPORT"])
        let finding = try #require(charged.first)
        #expect(finding.inputs == ["nodes": 1, "silentNodes": 1, "daysSinceReport": 165, "everyNodeSilent": 1])
        #expect(finding.since == T.date("2026-01-02"))
        #expect(
            finding.message.hasPrefix("No report from NO-C: none of its 1 local nodes has reported for more than 90")
        )
        #expect(finding.messageNb.hasPrefix("Ingen rapport fra NO-C:"))

        // The same facts with the node fresh: NO-C's gaps are reported.
        facts.nodes["NO-C-1"]!.lastReport = T.asOf
        let fresh = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(fresh.staleRegions.isEmpty)
        #expect(fresh.findings.summary.contains("RED G1|NO-C|PND"))
        #expect(fresh.findings.summary.contains("RED G8|NO-C"))
    }

    @Test("the node daemon not heard from for more than 90 days: no report, though its nodes' last events are recent")
    func daemonSilent() throws {
        var facts = GapCoverageRuleTests.withPND(5, 5, 0)
        facts.regions["NO-C"]!.lastHeard = T.date("2026-02-01")  // 134 days before 2026-06-15
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        let finding = try #require(evaluation.findings.first { $0.region == "NO-C" })
        #expect(finding.key == "D1|NO-C|NO_REPORT" && finding.inputs["daysSinceHeard"] == 134)
        #expect(finding.since == T.date("2026-02-02"))
        #expect(!evaluation.findings.contains { $0.region == "NO-C" && $0.rule != .d1StaleNode })
        // Heard 90 days ago is still heard; contact after as-of says nothing about it.
        facts.regions["NO-C"]!.lastHeard = T.date("2026-03-17")
        #expect(GapEvaluator.evaluate(facts, taxonomy: T.taxonomy).staleRegions.isEmpty)
    }

    @Test("an empty hub: one 'no report' per region, no G6 or G13 alarms; only the catalogue's knowledge gaps")
    func emptyHub() {
        let facts = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: [])
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions == ["NO-A", "NO-B", "NO-C"])
        #expect(
            evaluation.findings.summary == [
                "AMBER D1|NO-A|NO_REPORT", "AMBER D1|NO-B|NO_REPORT", "AMBER D1|NO-C|NO_REPORT",
                "AMBER G7|*|ALL|KNOWLEDGE", "AMBER G7|*|HICONF|KNOWLEDGE",
            ]
        )
        #expect(evaluation.notes.isEmpty)
    }

    @Test("one silent node of two: the region still reports; its findings name the node and weigh half as sure")
    func partlySilent() throws {
        var facts = GapCoverageRuleTests.withPND(0, 5, 5)
        facts.nodes["NO-A-2"]!.lastReport = nil
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.staleRegions.isEmpty)
        #expect(evaluation.findings.contains { $0.key == "D1|NO-A|NO-A-2" })
        let g1 = try #require(evaluation.findings.first { $0.rule == .g1AbsentService })
        #expect(g1.key == "G1|NO-A|PND" && g1.staleNodes == ["NO-A-2"] && g1.confidence == 0.5)
        #expect(g1.message.hasSuffix("Some local nodes are silent (NO-A-2): part of the region has no data."))
        #expect(evaluation.findings.filter { $0.region == "NO-B" }.allSatisfy { $0.staleNodes.isEmpty })
    }

    @Test("not enough data yet: a note names the rules that cannot read the region, and since when it is covered")
    func notes() throws {
        let facts = T.recent("NO-C", GapCoverageRuleTests.withPND(5, 5, 0))
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(!evaluation.findings.contains { $0.region == "NO-C" })
        let note = try #require(evaluation.notes.first)
        #expect(evaluation.notes.count == 1 && note.region == "NO-C")
        #expect(
            note.rules.map(\.rawValue) == ["G1", "G2", "G3", "G5", "G6", "G7", "G8", "G9", "G10", "G11", "G12", "G13"]
        )
        #expect(note.coveredFrom == T.date("2026-02-01") && note.neededFrom == T.date("2024-04-01"))
        #expect(
            note.sentence(.en)
                == "NO-C: not enough data yet for G1, G2, G3, G5, G6, G7, G8, G9, G10, G11, G12, G13 — its data start on "
                + "2026-02-01; they need data from 2024-04-01."
        )
        #expect(
            evaluation.holds(GapFinding(rule: .g1AbsentService, severity: .red, region: "NO-C", targetGroup: "PND"))
        )
        #expect(
            !evaluation.holds(GapFinding(rule: .g1AbsentService, severity: .red, region: "NO-B", targetGroup: "PND"))
        )
    }

    @Test("monthly returns (the reporting-periods seam): a missing return is 'no report'; nil returns count")
    func returnsSeam() throws {
        var facts = GapCoverageRuleTests.withPND(5, 5, 0)
        let months = ["2026-03-01", "2026-04-01", "2026-05-01"].map(T.date)
        facts.returns = ExpectedReturns(
            expected: ["NO-A-1": Set(months), "NO-C-1": Set(months)],
            // NO-A-1 missed April; NO-C-1 made every return (nil returns: it had no activity).
            received: ["NO-A-1": [months[0], months[2]], "NO-C-1": Set(months)]
        )
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        // NO-A-1 has no report (April's return is missing); NO-A-2 owes none and reported on asOf: NO-A is read on
        // NO-A-2, with NO-A-1 named on its findings.
        #expect(evaluation.staleRegions.isEmpty)
        let finding = try #require(evaluation.findings.first { $0.region == "NO-A" })
        #expect(finding.key == "D1|NO-A|NO-A-1" && finding.inputs["missingReturns"] == 1)
        #expect(finding.since == T.date("2026-04-01"))
        #expect(finding.message.contains("1 monthly returns are missing"))
        // With NO-A-2 owing returns too, and missing April's as well, NO-A does not report at all.
        facts.returns!.expected["NO-A-2"] = Set(months)
        facts.returns!.received["NO-A-2"] = [months[0], months[2]]
        let silent = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(silent.staleRegions == ["NO-A"])
        let region = try #require(silent.findings.first { $0.region == "NO-A" })
        #expect(region.key == "D1|NO-A|NO_REPORT" && region.inputs["missingReturns"] == 2)
        #expect(region.since == T.date("2026-04-01"))
        #expect(region.message.contains("2 monthly returns are missing"))
        // NO-C reported (nil returns) and had nothing for PND while NO-B had some: a service gap, not a data gap.
        #expect(evaluation.findings.contains { $0.key == "G1|NO-C|PND" })
        // The store covers a region from its first return too.
        var empty = T.facts()
        empty.regions["NO-C"]!.firstData = nil
        empty.returns = ExpectedReturns(expected: [:], received: ["NO-C-1": [T.date("2024-01-01")]])
        #expect(empty.statuses(.standard)["NO-C"]?.coveredFrom == T.date("2024-01-01"))
    }

    @Test("since: the day after the last activity of the kind missing, or the start of the data")
    func sinceAbsence() throws {
        var facts = GapCoverageRuleTests.withPND(5, 0, 5)
        facts.regions["NO-B"]!.lastEvent["PND"] = T.date("2025-03-01")
        facts.regions["NO-C"]!.activeAgeBands = ["PREG", "M0_3"]
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.findings.first { $0.key == "G1|NO-B|PND" }?.since == T.date("2025-03-02"))
        // Never an M3_12 activity in NO-C: since the store covers it (2023-06-01, the month of its first data).
        #expect(evaluation.findings.first { $0.key == "G5|NO-C|M3_12" }?.since == T.date("2023-06-01"))
        // A year without an infant day: since it ended.
        #expect(evaluation.findings.first { $0.key == "G13|NO-C|2025" }?.since == T.date("2026-01-01"))
        // The catalogue's knowledge gaps have no day in the data.
        #expect(evaluation.findings.first { $0.key == "G7|*|HICONF|KNOWLEDGE" }?.since == nil)
    }

    @Test("since for a level rule: none from the data (it would publish earlier windows); the hub's first finding")
    func sinceLevel() throws {
        let evaluation = GapEvaluator.evaluate(GapCoverageRuleTests.withPND(100, 50, 6), taxonomy: T.taxonomy)
        let finding = try #require(evaluation.findings.first { $0.key == "G2|NO-C|PND" })
        #expect(finding.since == nil)
    }

    @Test("findings come out in rule order, D1 first, and an evaluation is reproducible")
    func order() {
        var facts = GapCoverageRuleTests.withPND(100, 50, 2)
        facts.nodes["NO-A-2"]!.lastReport = nil
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        let orders = evaluation.findings.map(\.rule.order)
        #expect(orders == orders.sorted())
        #expect(evaluation == GapEvaluator.evaluate(facts, taxonomy: T.taxonomy))
    }

    @Test("thresholds change the outcome (and are recorded)")
    func customThresholds() throws {
        var thresholds = GapThresholds()
        thresholds.rateSignificance = 0.01  // P(X ≤ 4 | 10) = 0.029 is no longer clear
        let facts = GapCoverageRuleTests.withPND(100, 50, 2)
        let finding = try #require(GapRules.rateShortfall(facts, T.taxonomy, thresholds).first)
        #expect(finding.severity == .amber)
        #expect(finding.thresholds["rateSignificance"] == 0.01)
    }
}
