import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G6 and G9.
@Suite("Gap rules: workforce (G6, G9)")
struct GapWorkforceRuleTests {
    typealias T = GapTestTaxonomy

    static func professions(_ a: [String], _ b: [String], _ c: [String]) -> GapFacts {
        var facts = T.facts()
        for (region, list) in [("NO-A", a), ("NO-B", b), ("NO-C", c)] {
            facts.regions[region]!.consultTrainingEvents = list.isEmpty ? 0 : 4
            for profession in list { facts.regions[region]!.professionEvents[profession] = 2 }
        }
        return facts
    }

    @Test("G6: all five (clear), 4 of 5 = 0.8 (clear), 3 of 5 = 0.6 (AMBER)")
    func coverage() throws {
        let facts = Self.professions(
            ["MIDWIFE", "PHN", "GP", "PSYCH", "CW"],
            ["MIDWIFE", "PHN", "PAED", "PSYCH"],
            ["MIDWIFE", "GP", "PSYCH"]
        )
        let findings = T.run(GapRules.missingProfession, facts)
        #expect(findings.summary == ["AMBER G6|NO-C"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["coverage"] == 0.6)
        #expect(finding.inputs["PHYSICIAN_ANY"] == 2)
        #expect(finding.inputs["CW"] == 0)
        #expect(finding.message.hasSuffix("missing: PHN, CW"))
    }

    @Test("G6 RED: no physician although coverage is 0.8; and coverage 0.4")
    func red() {
        let facts = Self.professions(
            ["MIDWIFE", "PHN", "PSYCH", "CW", "OTHER"],
            ["GP", "PSYCH"],
            ["MIDWIFE", "PHN", "GP", "PAED", "PSYCH", "CW"]
        )
        #expect(T.run(GapRules.missingProfession, facts).summary == ["RED G6|NO-A", "RED G6|NO-B"])
    }

    @Test("G6: a region without consultation or training events has coverage 0 (RED)")
    func emptyRegion() {
        let facts = Self.professions(
            ["MIDWIFE", "PHN", "GP", "PSYCH", "CW"],
            ["MIDWIFE", "PHN", "GP", "PSYCH", "CW"],
            []
        )
        let findings = T.run(GapRules.missingProfession, facts)
        #expect(findings.summary == ["RED G6|NO-C"])
        #expect(findings.first?.inputs["events"] == 0)
    }

    @Test("G9: a node delivering 2 programmes and training is a lighthouse; tools don't count; training is needed")
    func lighthouse() {
        var facts = T.facts()
        facts.nodes["NO-A-1"]!.programmesDelivered = ["P_EB", "P_TH"]
        facts.nodes["NO-A-1"]!.trains = true
        facts.nodes["NO-B-1"]!.programmesDelivered = ["P_EB", "TOOL"]
        facts.nodes["NO-B-1"]!.trains = true
        facts.nodes["NO-C-1"]!.programmesDelivered = ["P_EB", "P_TH"]
        let findings = T.run(GapRules.noLighthouse, facts)
        #expect(findings.summary == ["AMBER G9|NO-B", "AMBER G9|NO-C"])
        #expect(findings[0].inputs["mostProgrammesAtOneNode"] == 1)
        #expect(findings[1].inputs["nodesTraining"] == 0)
    }

    @Test("G9: one node delivering, another training, is no lighthouse")
    func splitNodes() {
        var facts = T.facts()
        facts.nodes["NO-A-1"]!.programmesDelivered = ["P_EB", "P_TH"]
        facts.nodes["NO-A-2"]!.trains = true
        #expect(T.run(GapRules.noLighthouse, facts).summary.contains("AMBER G9|NO-A"))
    }
}
