import KnutepunktDomain
import KnutepunktProtocol
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

    /// `count` events for PND in `region`, on the 15th of the middle month of each quarter from 2024-Q2 (the first of
    /// the 8 complete quarters as of 2026-06-15) to the running 2026-Q2 (index 8). 2025-05-15 is before the window
    /// (2025-06-16…2026-06-15), so today's window holds quarters 5…8.
    static func quarterly(_ region: String, _ counts: [Int]) -> [ActivityEvent] {
        let node = T.taxonomy.nodes(inRegion: region)[0].code
        return counts.enumerated().flatMap { index, count in
            let day = T.date("2024-05-15").adding(months: 3 * index)
            return (0..<count).map { _ in
                T.event(region: region, node: node, kind: "SCREENING", date: day.iso, groups: ["PND"])
            }
        }
    }

    /// NO-A 50 and NO-B 25 PND events a quarter (rates 20 per 1,000 births over any 4 quarters); NO-C 20 a quarter
    /// (rate 40 over 4) until 2025-Q1, then `tail` (2025-Q2 … 2026-Q2).
    static func levels(cFrom2025Q1 tail: [Int], q1: Int = 20) -> [ActivityEvent] {
        Self.quarterly("NO-A", Array(repeating: 50, count: 9)) + Self.quarterly("NO-B", Array(repeating: 25, count: 9))
            + Self.quarterly("NO-C", [20, 20, 20, q1] + tail)
    }

    @Test(
        "since for G2 and G12: the day after the last quarter end, judged from published cells, where it did not hold"
    )
    func sinceLevelFromQuarters() throws {
        // NO-C: 5, 0, 5, 0, 5 from 2025-Q2. Today (window: quarters 5…8) NO-C has 10 events, rate 5 against a median
        // of 20: G2 (below 0.5 × median, P(X ≤ 10 | 20) = 0.011: RED) and G12 (max/min 4: AMBER).
        // At 2026-03-31 (quarters 4…7): 5 + 0 + 5 + 0 = 10, rate 5: both hold.
        // At 2025-12-31 (quarters 3…6): 20 + 5 + 0 + 5 = 30, rate 15, not below 0.75 × 20; max/min 1.33, CV 0.12:
        // neither holds. Every cell (0 or ≥ 5) is published. So since = 2026-01-01 for both.
        let events = Self.levels(cFrom2025Q1: [5, 0, 5, 0, 5])
        let facts = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: events)
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        let shortfall = try #require(evaluation.findings.first { $0.key == "G2|NO-C|PND" })
        #expect(shortfall.severity == .red)
        #expect(shortfall.since == T.date("2026-01-01") && shortfall.sinceBasis == nil)
        let inequity = try #require(evaluation.findings.first { $0.key == "G12|*|PND" })
        #expect(inequity.severity == .amber)
        #expect(inequity.since == T.date("2026-01-01"))
        // The quarter-end judgements are those of the facts built as of those days, with reporting as the evaluation
        // knows it today (NO-C-1, quiet in 2026-Q1, has reported since).
        let march = T.built(events, asOf: T.date("2026-03-31"))
        let december = T.built(events, asOf: T.date("2025-12-31"))
        #expect(T.run(GapRules.rateShortfall, march).map(\.key) == ["G2|NO-C|PND"])
        #expect(T.run(GapRules.nationalInequity, march).map(\.key) == ["G12|*|PND"])
        #expect(T.run(GapRules.rateShortfall, december).isEmpty)
        #expect(T.run(GapRules.nationalInequity, december).isEmpty)
    }

    @Test("since for G2 and G12: a withheld cell stops the walk back (a bound), or leaves the hub's first finding")
    func sinceLevelWithheld() throws {
        // 3 events in 2025-Q1 (before today's window: only that cell is withheld): 2025-12-31 cannot be judged, the
        // walk stops there; the condition held at 2026-03-31, so since = 2026-04-01 (it held at least from then).
        let bounded = GapFacts.build(
            asOf: T.asOf,
            taxonomy: T.taxonomy,
            events: Self.levels(cFrom2025Q1: [5, 0, 5, 0, 5], q1: 3)
        )
        let boundedFindings = GapEvaluator.evaluate(bounded, taxonomy: T.taxonomy).findings
        let boundedShortfall = try #require(boundedFindings.first { $0.key == "G2|NO-C|PND" })
        #expect(boundedShortfall.since == T.date("2026-04-01") && boundedShortfall.sinceBasis == "AT_LEAST")
        #expect(boundedFindings.first { $0.key == "G12|*|PND" }?.since == T.date("2026-04-01"))
        let record = GapRecord(boundedShortfall, openedOn: T.date("2026-06-10"))
        #expect(record.since == "2026-04-01" && record.sinceBasis == "AT_LEAST")
        // 3 events in the running quarter: NO-C's quarters in today's window are all withheld (complementary
        // suppression), so even 2026-03-31 cannot be judged: no since from the data (the hub's first finding).
        let withheld = GapFacts.build(
            asOf: T.asOf,
            taxonomy: T.taxonomy,
            events: Self.levels(cFrom2025Q1: [5, 0, 5, 0, 3])
        )
        let findings = GapEvaluator.evaluate(withheld, taxonomy: T.taxonomy).findings
        let shortfall = try #require(findings.first { $0.key == "G2|NO-C|PND" })
        #expect(shortfall.since == nil)
        #expect(findings.first { $0.key == "G12|*|PND" }?.since == nil)
        // The day the hub first found it only bounds the day the condition began: it reads as one.
        let fallback = GapRecord(shortfall, openedOn: T.date("2026-06-10"))
        #expect(fallback.since == "2026-06-10" && fallback.sinceBasis == "AT_LEAST")
        #expect(GapRecord(shortfall).since == nil && GapRecord(shortfall).sinceBasis == nil)
    }

    @Test("since for G2: nil when the condition did not hold at the latest quarter end (it began in this quarter)")
    func sinceLevelThisQuarter() throws {
        // NO-C: 40 in 2025-Q2, then 0, 5, 0, 5: today 10 (rate 5, G2); at 2026-03-31 (quarters 4…7) 40 + 0 + 5 + 0 =
        // 45, rate 22.5 against a median of 20: clear. The condition began after the latest quarter end.
        let facts = GapFacts.build(
            asOf: T.asOf,
            taxonomy: T.taxonomy,
            events: Self.levels(cFrom2025Q1: [40, 0, 5, 0, 5])
        )
        let finding = try #require(
            GapEvaluator.evaluate(facts, taxonomy: T.taxonomy).findings.first { $0.key == "G2|NO-C|PND" }
        )
        #expect(finding.since == nil)
        // Hand-made facts without quarter cells: nothing held at the quarter ends either.
        let handMade = GapEvaluator.evaluate(GapCoverageRuleTests.withPND(100, 50, 6), taxonomy: T.taxonomy)
        #expect(try #require(handMade.findings.first { $0.key == "G2|NO-C|PND" }).since == nil)
    }

    @Test("since for G10: the first day of the running quarter (the evaluation day when it ends a quarter); G8: none")
    func sinceDeclineAndSustainability() throws {
        var facts = GapTrendRuleTests.quarters("NO-B", [10, 10, 10, 10, 5, 5, 5, 5])
        facts.regions["NO-A"]!.totalEvents = 20
        facts.regions["NO-A"]!.temporaryEvents = 19
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.findings.first { $0.key == "G10|NO-B" }?.since == T.date("2026-04-01"))
        #expect(try #require(evaluation.findings.first { $0.key == "G8|NO-A" }).since == nil)
        let quarterEnd = GapTrendRuleTests.quarters(
            "NO-B",
            [10, 10, 10, 10, 5, 5, 5, 5],
            asOf: T.date("2026-06-30")
        )
        let atEnd = GapEvaluator.evaluate(quarterEnd, taxonomy: T.taxonomy)
        #expect(atEnd.findings.first { $0.key == "G10|NO-B" }?.since == T.date("2026-06-30"))
    }

    @Test("since for G9: the day the last lighthouse's window lost its training or its second programme")
    func sinceLighthouse() throws {
        func event(_ node: String, _ kind: String, _ date: String, _ programmes: [String] = []) -> ActivityEvent {
            let region = String(node.dropLast(2))
            return T.event(region: region, node: node, kind: kind, date: date, programmes: programmes)
        }
        let events = [
            // NO-A-1: programmes P_U (2024-01-01), P_TH (2025-03-10), P_EB (2025-05-20); the tool later does not
            // count; trained 2025-06-01. Its 2nd most recent programme is P_TH, 2025-03-10, before the training:
            // as of 2026-03-10 the window (after 2025-03-10) no longer holds it: since 2026-03-10.
            event("NO-A-1", "DELIVERY", "2024-01-01", ["P_U"]),
            event("NO-A-1", "DELIVERY", "2025-03-10", ["P_TH"]),
            event("NO-A-1", "DELIVERY", "2025-05-20", ["P_EB"]),
            event("NO-A-1", "TRAINING", "2025-06-01"),
            event("NO-A-1", "DELIVERY", "2026-01-01", ["TOOL"]),
            // NO-A-2 trains later but delivers one programme: never a lighthouse.
            event("NO-A-2", "TRAINING", "2025-08-01"),
            event("NO-A-2", "DELIVERY", "2025-08-01", ["P_EB"]),
            // NO-C-1 never delivers: since the store covers NO-C (2024-02-01).
            event("NO-C-1", "SCREENING", "2024-02-10"),
        ]
        // Recent contact from every node (no programme, no training).
        let recent = ["NO-A-1", "NO-A-2", "NO-B-1", "NO-C-1"].map { event($0, "SCREENING", "2026-06-01") }
        let facts = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: events + recent)
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        #expect(evaluation.findings.first { $0.key == "G9|NO-A" }?.since == T.date("2026-03-10"))
        #expect(evaluation.findings.first { $0.key == "G9|NO-C" }?.since == T.date("2024-02-01"))
        // The day before, NO-A-1 was still a lighthouse; on the day, it was not.
        let before = GapFacts.build(asOf: T.date("2026-03-09"), taxonomy: T.taxonomy, events: events)
        let on = GapFacts.build(asOf: T.date("2026-03-10"), taxonomy: T.taxonomy, events: events)
        #expect(!T.run(GapRules.noLighthouse, before).contains { $0.key == "G9|NO-A" })
        #expect(T.run(GapRules.noLighthouse, on).contains { $0.key == "G9|NO-A" })
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
