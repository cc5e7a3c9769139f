import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G7 and G11.
@Suite("Gap rules: evidence and parental mental health (G7, G11)")
struct GapEvidenceRuleTests {
    typealias T = GapTestTaxonomy

    @Test("G7 KNOWLEDGE: no EB programme exists for ALL or HICONF (national, not charged to a region)")
    func knowledge() {
        let findings = T.run(GapRules.evidence, T.facts())
        #expect(findings.summary == ["AMBER G7|*|ALL|KNOWLEDGE", "AMBER G7|*|HICONF|KNOWLEDGE"])
        #expect(findings.allSatisfy { $0.region == nil })
        #expect(GapRules.evidenceBasedProgrammes(for: "PND", in: T.taxonomy) == ["P_EB"])
        #expect(GapRules.evidenceBasedProgrammes(for: "PAR_MH", in: T.taxonomy) == ["P_T"])
    }

    @Test(
        "G7 SERVICE: NO-A delivers only P_TH (THEORY) for PND while P_EB exists; NO-B delivers both; NO-C only a tool"
    )
    func service() throws {
        var facts = T.facts()
        facts.regions["NO-A"]!.programmesByTargetGroup["PND"] = ["P_TH"]
        facts.regions["NO-B"]!.programmesByTargetGroup["PND"] = ["P_TH", "P_EB"]
        facts.regions["NO-C"]!.programmesByTargetGroup["PND"] = ["TOOL"]
        // HICONF has no EB programme: delivering a non-EB one there is a knowledge gap, not a service gap.
        facts.regions["NO-C"]!.programmesByTargetGroup["HICONF"] = ["P_TH"]
        let service = T.run(GapRules.evidence, facts).filter { $0.detail == "SERVICE" }
        #expect(service.summary == ["AMBER G7|NO-A|PND|SERVICE"])
        #expect(try #require(service.first).message.contains("P_EB"))
    }

    @Test("G11 AMBER: dyadic deliveries for PND without parental MH treatment or referral; clear with one")
    func parentFirst() throws {
        var facts = T.facts()
        facts.regions["NO-A"]!.dyadicDeliveries = ["PND": 3]
        facts.regions["NO-B"]!.dyadicDeliveries = ["PAR_MH": 2]
        facts.regions["NO-B"]!.parentalMentalHealthCare = 1
        let findings = T.run(GapRules.parentMentalHealthFirst, facts)
        #expect(findings.summary == ["AMBER G11|NO-A"])
        #expect(try #require(findings.first).inputs["dyadicDeliveries"] == 3)
    }

    @Test("G11 from events: tier T dyadic treatment is not parental care, a consultation or non-dyadic T is")
    func parentFirstFromEvents() {
        let dyadic = T.event(date: "2026-03-01", groups: ["PND"], programmes: ["P_TH"], tier: "I")
        let dyadicTreatment = T.event(date: "2026-03-02", groups: ["PND"], programmes: ["P_EB"], tier: "T")
        var only = GapFacts.Builder(asOf: T.asOf, taxonomy: T.taxonomy)
        only.add(contentsOf: [dyadic, dyadicTreatment])
        #expect(only.facts.regions["NO-A"]!.dyadicDeliveries == ["PND": 2])
        #expect(T.run(GapRules.parentMentalHealthFirst, only.facts).summary == ["AMBER G11|NO-A"])

        for care in [
            T.event(kind: "CONSULT_COLLAB", date: "2026-03-03", groups: ["PAR_MH"], tier: "S"),
            T.event(date: "2026-03-03", groups: ["PND"], programmes: ["P_T"], tier: "T"),
        ] {
            var builder = only
            builder.add(care)
            #expect(builder.facts.regions["NO-A"]!.parentalMentalHealthCare == 1)
            #expect(T.run(GapRules.parentMentalHealthFirst, builder.facts).isEmpty)
        }
    }
}
