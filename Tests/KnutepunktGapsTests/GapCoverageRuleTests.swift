import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G1, G2, G3 and G5. Births: NO-A 10,000, NO-B 5,000, NO-C 2,000.
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

    @Test("G1 RED: no PND activity in NO-B while NO-A and NO-C have some")
    func absentRed() {
        let findings = T.run(GapRules.absentService, Self.withPND(5, 0, 3))
        #expect(findings.summary == ["RED G1|NO-B|PND"])
        #expect(findings[0].inputs["regionsWithActivity"] == 2)
    }

    @Test("G1 clear: every region has some, and groups nobody serves are not charged to anyone")
    func absentClear() {
        #expect(T.run(GapRules.absentService, Self.withPND(5, 1, 3)).isEmpty)
        #expect(T.run(GapRules.absentService, T.facts()).isEmpty)
    }

    // MARK: G2

    @Test("G2 RED: NO-C has 2 PND events (rate 1) against a median of 10; P(X ≤ 2 | λ = 10) = 0.0028 < 0.05")
    func rateRed() throws {
        let findings = T.run(GapRules.rateShortfall, Self.withPND(100, 50, 2))
        #expect(findings.summary == ["RED G2|NO-C|PND"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["rate"] == 1)
        #expect(finding.inputs["median"] == 10)
        #expect(finding.inputs["lambda"] == 10)
        #expect(abs(finding.inputs["p"]! - 0.0027694) < 1e-6)
        #expect(finding.thresholds == ["rateAmberFactor": 0.75, "rateRedFactor": 0.5, "rateSignificance": 0.05])
    }

    @Test("G2 AMBER 'low, uncertain': rate 3 < 0.5 × 10 but P(X ≤ 6 | λ = 10) = 0.130 ≥ 0.05")
    func rateAmberUncertain() throws {
        let findings = T.run(GapRules.rateShortfall, Self.withPND(100, 50, 6))
        #expect(findings.summary == ["AMBER G2|NO-C|PND"])
        let finding = try #require(findings.first)
        #expect(finding.message.contains("low, uncertain"))
        #expect(abs(finding.inputs["p"]! - 0.130141) < 1e-6)
    }

    @Test("G2 AMBER: rate 6 between 0.5 and 0.75 of the median")
    func rateAmber() throws {
        let findings = T.run(GapRules.rateShortfall, Self.withPND(100, 50, 12))
        #expect(findings.summary == ["AMBER G2|NO-C|PND"])
        #expect(try #require(findings.first).inputs["rate"] == 6)
    }

    @Test("G2 clear: rate 8 ≥ 0.75 × 10")
    func rateClear() {
        #expect(T.run(GapRules.rateShortfall, Self.withPND(100, 50, 16)).isEmpty)
    }

    @Test("G2 reports families reached beside the rate")
    func rateFamilies() throws {
        var facts = Self.withPND(100, 50, 2)
        facts.regions["NO-C"]!.families["PND"] = 3
        let finding = try #require(T.run(GapRules.rateShortfall, facts).first)
        #expect(finding.inputs["families"] == 3)
        #expect(finding.inputs["familyRate"] == 1.5)
    }

    @Test("G2 edges: a region without births has no rate (left out of the median); a single region has no shortfall")
    func rateEdges() {
        var facts = Self.withPND(100, 0, 2)
        facts.regions["NO-B"]!.births = 0
        // median of NO-A (10) and NO-C (1) is 5.5: NO-C is below 0.5 × 5.5; λ = 5.5, P(X ≤ 2) = 0.0884 → AMBER.
        let findings = T.run(GapRules.rateShortfall, facts)
        #expect(findings.summary == ["AMBER G2|NO-C|PND"])
        #expect(findings.first?.inputs["median"] == 5.5)

        var single = GapFacts(asOf: T.asOf)
        single.regions["NO-A"] = GapFacts.RegionFacts(births: 10_000)
        single.regions["NO-A"]!.events["PND"] = 1
        #expect(T.run(GapRules.rateShortfall, single).isEmpty)
        #expect(T.run(GapRules.rateShortfall, T.facts()).isEmpty)
    }

    // MARK: G3

    @Test("G3: NO-A delivers every catalogued tier, NO-B lacks I for M0_3 (AMBER), NO-C lacks S and I (RED)")
    func missingTier() throws {
        var facts = T.facts()
        let common: Set<GapFacts.TierAgeBand> = [.init("U", "PREG"), .init("I", "M3_12"), .init("T", "M3_12")]
        facts.regions["NO-A"]!.deliveries = common.union([.init("S", "M0_3"), .init("I", "M0_3")])
        facts.regions["NO-B"]!.deliveries = common.union([.init("S", "M0_3")])
        facts.regions["NO-C"]!.deliveries = common
        let findings = T.run(GapRules.missingTier, facts)
        #expect(findings.summary == ["AMBER G3|NO-B|M0_3", "RED G3|NO-C|M0_3"])
        #expect(findings.map(\.tiers) == [["I"], ["S", "I"]])
    }

    @Test("G3: tools do not put a tier in the catalogue (TOOL is tier T for PREG; only P_U is)")
    func missingTierTools() {
        var facts = T.facts()
        for region in ["NO-A", "NO-B", "NO-C"] {
            facts.regions[region]!.deliveries = [
                .init("U", "PREG"), .init("S", "M0_3"), .init("I", "M0_3"), .init("T", "M3_12"),
            ]
        }
        // Only M3_12 tier I is missing everywhere.
        #expect(
            T.run(GapRules.missingTier, facts).summary == [
                "AMBER G3|NO-A|M3_12", "AMBER G3|NO-B|M3_12", "AMBER G3|NO-C|M3_12",
            ]
        )
    }

    // MARK: G5

    @Test("G5 RED: no activity for PREG in NO-B; clear where every band has some")
    func ageBandGap() {
        var facts = T.facts()
        facts.regions["NO-A"]!.activeAgeBands = ["PREG", "M0_3", "M3_12"]
        facts.regions["NO-B"]!.activeAgeBands = ["M0_3", "M3_12"]
        facts.regions["NO-C"]!.activeAgeBands = ["PREG", "M0_3", "M3_12"]
        #expect(T.run(GapRules.ageBandGap, facts).summary == ["RED G5|NO-B|PREG"])
    }
}
