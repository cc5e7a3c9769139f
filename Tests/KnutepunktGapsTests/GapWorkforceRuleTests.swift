import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G6 and G9, each with a real gap, silence, partial coverage and small counts.
@Suite("Gap rules: workforce (G6, G9)")
struct GapWorkforceRuleTests {
    typealias T = GapTestTaxonomy

    /// Each region's consultation and training: `events` of them, each listed profession named on 6.
    static func professions(_ a: [String], _ b: [String], _ c: [String], events: Int = 20) -> GapFacts {
        var facts = T.facts()
        for (region, list) in [("NO-A", a), ("NO-B", b), ("NO-C", c)] {
            facts.regions[region]!.consultTrainingEvents = list.isEmpty ? 0 : events
            for profession in list { facts.regions[region]!.professionEvents[profession] = 6 }
        }
        return facts
    }

    static let everyone = ["MIDWIFE", "PHN", "GP", "PSYCH", "CW"]

    @Test("G6 real gap: 5 of 5 and 4 of 5 (0.8) clear, 3 of 5 (0.6) AMBER, no physician RED, 2 of 5 RED")
    func coverage() throws {
        let facts = Self.professions(
            ["MIDWIFE", "PHN", "PAED", "PSYCH"],
            ["MIDWIFE", "GP", "PSYCH"],
            ["MIDWIFE", "PHN", "PSYCH", "CW", "OTHER"]
        )
        let findings = T.run(GapRules.missingProfession, facts)
        #expect(findings.summary == ["AMBER G6|NO-B", "RED G6|NO-C"])
        #expect(findings[0].inputs["coverage"] == 0.6 && findings[0].inputs["PHYSICIAN_ANY"] == 6)
        #expect(
            GapRules.missingProfessions(findings[0], required: GapThresholds.standard.requiredProfessions) == [
                "PHN", "CW",
            ]
        )
        // NO-C reaches 4 of 5 (0.8) but no physician: RED.
        #expect(findings[1].inputs["coverage"] == 0.8 && findings[1].inputs["PHYSICIAN_ANY"] == 0)
        let low = Self.professions(Self.everyone, Self.everyone, ["GP", "PSYCH"])
        #expect(T.run(GapRules.missingProfession, low).summary == ["RED G6|NO-C"])
    }

    @Test("G6 silence: a region without reports is not RED for having no consultation (it sent none)")
    func silence() {
        let facts = Self.professions(Self.everyone, Self.everyone, [])
        #expect(T.run(GapRules.missingProfession, facts).summary == ["RED G6|NO-C"])
        #expect(T.run(GapRules.missingProfession, T.silent("NO-C", facts)).isEmpty)
    }

    @Test("G6 partial coverage: not judged on 12 months the store does not hold")
    func partialCoverage() {
        let facts = Self.professions(Self.everyone, Self.everyone, ["GP"])
        #expect(T.run(GapRules.missingProfession, T.recent("NO-C", facts)).isEmpty)
    }

    @Test("G6 small counts: none at all is RED, 1–4 events are too few to judge, 5 are enough")
    func small() throws {
        let none = Self.professions(Self.everyone, Self.everyone, [])
        let finding = try #require(T.run(GapRules.missingProfession, none).first)
        #expect(finding.inputs["events"] == 0 && finding.severity == .red)
        #expect(T.run(GapRules.missingProfession, Self.professions(["GP"], ["GP"], ["GP"], events: 4)).isEmpty)
        #expect(T.run(GapRules.missingProfession, Self.professions(["GP"], ["GP"], ["GP"], events: 5)).count == 3)
    }

    // MARK: G9

    @Test("G9 real gap: no node both delivers two programmes and trains → AMBER; one lighthouse is enough")
    func lighthouse() throws {
        var facts = T.facts()
        facts.nodes["NO-A-1"]!.programmesDelivered = ["P_EB", "P_TH"]
        facts.nodes["NO-A-1"]!.trains = true
        facts.nodes["NO-B-1"]!.programmesDelivered = ["P_EB", "TOOL"]  // a tool is not a programme
        facts.nodes["NO-B-1"]!.trains = true
        facts.nodes["NO-C-1"]!.programmesDelivered = ["P_EB", "P_TH", "P_T"]  // delivers but does not train
        let findings = T.run(GapRules.noLighthouse, facts)
        #expect(findings.summary == ["AMBER G9|NO-B", "AMBER G9|NO-C"])
        #expect(findings[0].inputs == ["nodes": 1, "nodesTraining": 1, "mostProgrammesAtOneNode": 1])
        #expect(findings[1].inputs == ["nodes": 1, "nodesTraining": 0, "mostProgrammesAtOneNode": 3])
    }

    @Test("G9 silence and partial coverage: no lighthouse verdict for a region without reports or full coverage")
    func lighthouseSilenceAndCoverage() {
        var facts = T.facts()
        for node in ["NO-A-1", "NO-B-1"] {
            facts.nodes[node]!.programmesDelivered = ["P_EB", "P_TH"]
            facts.nodes[node]!.trains = true
        }
        #expect(T.run(GapRules.noLighthouse, facts).summary == ["AMBER G9|NO-C"])
        #expect(T.run(GapRules.noLighthouse, T.silent("NO-C", facts)).isEmpty)
        #expect(T.run(GapRules.noLighthouse, T.recent("NO-C", facts)).isEmpty)
    }

    @Test("G9 small counts: its threshold counts programmes, not events: exactly two is a lighthouse")
    func lighthouseSmall() {
        var facts = T.facts()
        for node in ["NO-A-1", "NO-B-1", "NO-C-1"] {
            facts.nodes[node]!.programmesDelivered = ["P_EB", "P_TH"]
            facts.nodes[node]!.trains = true
        }
        #expect(T.run(GapRules.noLighthouse, facts).isEmpty)
    }
}
