import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G1, G2, G3 and G5, each with a real gap, silence (the region's only node silent: no report), partial coverage
/// (the store covers the region only from 2026-02-01) and small counts. Births: NO-A 10,000, NO-B 5,000, NO-C 2,000;
/// as of 2026-06-15, the window is 2025-06-16 … 2026-06-15.
@Suite("Gap rules: coverage (G1, G2, G3, G5)")
struct GapCoverageRuleTests {
    typealias T = GapTestTaxonomy

    static func withPND(_ a: Int, _ b: Int, _ c: Int) -> GapFacts {
        var facts = T.facts()
        facts.regions["NO-A"]!.events["PND"] = a
        facts.regions["NO-B"]!.events["PND"] = b
        facts.regions["NO-C"]!.events["PND"] = c
        return facts
    }

    // MARK: G1

    @Test("G1 real gap: no PND activity in NO-B while NO-A and NO-C have some → RED")
    func absentRed() {
        let findings = T.run(GapRules.absentService, Self.withPND(5, 0, 3))
        #expect(findings.summary == ["RED G1|NO-B|PND"])
        #expect(findings[0].inputs == ["events": 0, "regionsWithActivity": 2, "regionsCompared": 3])
    }

    @Test("G1 clear: every region has some, and groups nobody serves are not charged to anyone")
    func absentClear() {
        #expect(T.run(GapRules.absentService, Self.withPND(5, 1, 3)).isEmpty)
        #expect(T.run(GapRules.absentService, T.facts()).isEmpty)
    }

    @Test("G1 silence: a region without reports is neither charged nor counted as 'another region with some'")
    func absentSilence() {
        // NO-C reports nothing: its zero is no report, not no service.
        #expect(T.run(GapRules.absentService, T.silent("NO-C", Self.withPND(5, 5, 0))).isEmpty)
        // Only NO-C had PND activity, and it is silent: NO-A and NO-B are compared with nobody.
        #expect(T.run(GapRules.absentService, T.silent("NO-C", Self.withPND(0, 0, 3))).isEmpty)
    }

    @Test("G1 partial coverage: a region the store covers only since February is not judged on 12 months")
    func absentPartialCoverage() {
        #expect(T.run(GapRules.absentService, T.recent("NO-C", Self.withPND(5, 5, 0))).isEmpty)
        // Its activity does not count as "others have some" either.
        #expect(T.run(GapRules.absentService, T.recent("NO-C", Self.withPND(0, 0, 3))).isEmpty)
    }

    @Test("G1 small counts: one activity elsewhere is enough for 'none here while others have some'")
    func absentSmall() {
        let findings = T.run(GapRules.absentService, Self.withPND(1, 0, 0))
        #expect(findings.summary == ["RED G1|NO-B|PND", "RED G1|NO-C|PND"])
        #expect(findings[0].inputs["regionsWithActivity"] == 1)
    }

    // MARK: G2

    @Test("G2 real gap (RED): NO-B 10 PND events, rate 2 against a median of 10; P(X ≤ 10 | λ = 25) = 0.000586")
    func rateRed() throws {
        // Rates: NO-A 100/10 = 10, NO-B 10/5 = 2, NO-C 20/2 = 10; median 10. Expected at the median 10 × 5 = 50,
        // λ = 0.5 × 50 = 25; P(X ≤ 10 | 25) = e^−25 Σ_{i≤10} 25^i/i! = 0.00058646.
        let findings = T.run(GapRules.rateShortfall, Self.withPND(100, 10, 20))
        #expect(findings.summary == ["RED G2|NO-B|PND"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["rate"] == 2 && finding.inputs["median"] == 10 && finding.inputs["expected"] == 50)
        #expect(finding.inputs["lambda"] == 25)
        #expect(abs(finding.inputs["p"]! - 0.000586462) < 1e-8)
        #expect(abs(finding.confidence - (1 - 0.000586462)) < 1e-8)
        #expect(
            finding.thresholds == [
                "rateAmberFactor": 0.75, "rateRedFactor": 0.5, "rateSignificance": 0.05, "minimumExpected": 5,
            ]
        )
    }

    @Test("G2 AMBER 'low, uncertain': NO-C rate 3 < 0.5 × 10 but P(X ≤ 6 | λ = 10) = 0.130 ≥ 0.05")
    func rateAmberUncertain() throws {
        let findings = T.run(GapRules.rateShortfall, Self.withPND(100, 50, 6))
        #expect(findings.summary == ["AMBER G2|NO-C|PND"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["belowRed"] == 1)
        #expect(abs(finding.inputs["p"]! - 0.130141) < 1e-6)
        #expect(abs(finding.confidence - 0.869859) < 1e-6)
    }

    @Test("G2 silence: a silent region is left out of the median, and not charged")
    func rateSilence() throws {
        // With NO-B: rates 10, 10, 2 (NO-C's 2 events read as 4) → median 10 → NO-C RED.
        #expect(T.run(GapRules.rateShortfall, Self.withPND(100, 50, 2)).summary == ["RED G2|NO-C|PND"])
        // NO-B silent: median of NO-A 10 and NO-C 2 = 6; NO-C 2 < 0.5 × 6, expected 6 × 2 = 12, λ = 6,
        // P(X ≤ 4 | 6) = 0.2851 ≥ 0.05 → only AMBER "low, uncertain".
        let findings = T.run(GapRules.rateShortfall, T.silent("NO-B", Self.withPND(100, 50, 2)))
        #expect(findings.summary == ["AMBER G2|NO-C|PND"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["median"] == 6 && finding.inputs["regions"] == 2)
        #expect(abs(finding.inputs["p"]! - 0.285057) < 1e-6)
        // NO-C silent itself: nothing.
        #expect(T.run(GapRules.rateShortfall, T.silent("NO-C", Self.withPND(100, 50, 2))).isEmpty)
    }

    @Test("G2 partial coverage: a region covered only since February is neither judged nor in the median")
    func ratePartialCoverage() {
        #expect(T.run(GapRules.rateShortfall, T.recent("NO-C", Self.withPND(100, 50, 2))).isEmpty)
        // Without NO-C the median is 10 and NO-A, NO-B sit on it.
        #expect(T.run(GapRules.rateShortfall, T.recent("NO-C", Self.withPND(100, 50, 40))).isEmpty)
    }

    @Test("G2 small counts: 1–4 events are read as 4, zero is G1's, and the expected count must reach the minimum")
    func rateSmall() throws {
        // NO-C's 2 events are read as 4: rate 2 against 10; expected 20, λ = 10, P(X ≤ 4 | 10) = 0.029253 → RED.
        // (Read as 2, P(X ≤ 2 | 10) = 0.0028: the band makes RED harder, never easier.)
        let red = try #require(T.run(GapRules.rateShortfall, Self.withPND(100, 50, 2)).first)
        #expect(red.inputs["rate"] == 2 && red.inputs["observed"] == 2)
        #expect(abs(red.inputs["p"]! - 0.029252688) < 1e-8)
        // None at all is G1's, not a low rate.
        #expect(T.run(GapRules.rateShortfall, Self.withPND(100, 50, 0)).isEmpty)
        // NO-C silent; NO-A 3 events (read as 4: rate 0.4), NO-B 5 (rate 1): median 0.7, expected for NO-A 7.
        // 0.4 < 0.75 × 0.7 but not < 0.5 × 0.7 → AMBER "low"; P(X ≤ 4 | 0.75 × 7 = 5.25) = 0.397774.
        let small = T.silent("NO-C", Self.withPND(3, 5, 0))
        let amber = try #require(T.run(GapRules.rateShortfall, small).first)
        #expect(amber.severity == .amber && amber.region == "NO-A" && abs(amber.inputs["expected"]! - 7) < 1e-9)
        #expect(abs(amber.inputs["pAmber"]! - 0.397774) < 1e-6)
        // With a minimum expected count of 10, 7 expected events carry too little evidence: no finding.
        var strict = GapThresholds()
        strict.minimumExpected = 10
        #expect(GapRules.rateShortfall(small, T.taxonomy, strict).isEmpty)
    }

    @Test("G2 clear: NO-C at 0.8 × the median is above the AMBER line")
    func rateClear() {
        #expect(T.run(GapRules.rateShortfall, Self.withPND(100, 50, 16)).isEmpty)
    }

    // MARK: G3

    /// Every catalogued tier delivered in every age band (PREG: U; M0_3: S, I; M3_12: I, T).
    static func fullyDelivered() -> GapFacts {
        var facts = T.facts()
        for region in ["NO-A", "NO-B", "NO-C"] {
            facts.regions[region]!.deliveries = [
                .init("U", "PREG"), .init("S", "M0_3"), .init("I", "M0_3"), .init("I", "M3_12"), .init("T", "M3_12"),
            ]
        }
        return facts
    }

    @Test("G3 real gap: AMBER for one missing tier, RED when both S and I are missing")
    func missingTier() {
        var facts = Self.fullyDelivered()
        facts.regions["NO-A"]!.deliveries.remove(.init("T", "M3_12"))
        facts.regions["NO-B"]!.deliveries.subtract([.init("S", "M0_3"), .init("I", "M0_3")])
        let findings = T.run(GapRules.missingTier, facts)
        #expect(findings.summary == ["AMBER G3|NO-A|M3_12", "RED G3|NO-B|M0_3"])
        #expect(findings[0].tiers == ["T"] && findings[1].tiers == ["S", "I"])
    }

    @Test("G3 silence and partial coverage: nothing is charged to a region without reports or full coverage")
    func missingTierSilenceAndCoverage() {
        var facts = Self.fullyDelivered()
        facts.regions["NO-C"]!.deliveries = []
        #expect(T.run(GapRules.missingTier, facts).count == 3)
        #expect(T.run(GapRules.missingTier, T.silent("NO-C", facts)).isEmpty)
        #expect(T.run(GapRules.missingTier, T.recent("NO-C", facts)).isEmpty)
    }

    @Test("G3 small counts: an absence rule; one delivery at a tier is enough")
    func missingTierSmall() throws {
        var events: [ActivityEvent] = []
        for region in ["NO-A", "NO-B", "NO-C"] {
            let node = T.taxonomy.nodes(inRegion: region)[0].code
            for (tier, band) in [("U", "PREG"), ("S", "M0_3"), ("I", "M0_3"), ("I", "M3_12"), ("T", "M3_12")] {
                events.append(T.event(region: region, node: node, date: "2026-01-10", tier: tier, bands: [band]))
            }
        }
        #expect(T.run(GapRules.missingTier, T.built(events)).isEmpty)
    }

    // MARK: G5

    @Test("G5 real gap: an age band with no activity at all → RED; silence and partial coverage charge nothing")
    func ageBand() {
        var facts = T.facts()
        for region in ["NO-A", "NO-B", "NO-C"] { facts.regions[region]!.activeAgeBands = ["PREG", "M0_3", "M3_12"] }
        facts.regions["NO-B"]!.activeAgeBands.remove("M3_12")
        #expect(T.run(GapRules.ageBandGap, facts).summary == ["RED G5|NO-B|M3_12"])
        #expect(T.run(GapRules.ageBandGap, T.silent("NO-B", facts)).isEmpty)
        #expect(T.run(GapRules.ageBandGap, T.recent("NO-B", facts)).isEmpty)
        // Small counts: one event naming the band is activity.
        facts.regions["NO-B"]!.activeAgeBands.insert("M3_12")
        #expect(T.run(GapRules.ageBandGap, facts).isEmpty)
    }
}
