import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G7 and G11, each with a real gap, silence, partial coverage and small counts.
@Suite("Gap rules: evidence and parental mental health (G7, G11)")
struct GapEvidenceRuleTests {
    typealias T = GapTestTaxonomy

    @Test("G7 KNOWLEDGE: no EB programme exists for ALL or HICONF (national, from the catalogue, whatever the data)")
    func knowledge() {
        let findings = T.run(GapRules.evidence, T.facts())
        #expect(findings.summary == ["AMBER G7|*|ALL|KNOWLEDGE", "AMBER G7|*|HICONF|KNOWLEDGE"])
        #expect(findings.allSatisfy { $0.region == nil })
        #expect(GapRules.evidenceBasedProgrammes(for: "PND", in: T.taxonomy) == ["P_EB"])
        #expect(GapRules.evidenceBasedProgrammes(for: "PAR_MH", in: T.taxonomy) == ["P_T"])
        // An empty hub still has the same knowledge gaps: they are about the catalogue.
        let empty = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: [])
        #expect(T.run(GapRules.evidence, empty).summary == findings.summary)
    }

    static func serviceFacts() -> GapFacts {
        var facts = T.facts()
        facts.regions["NO-A"]!.programmesByTargetGroup["PND"] = ["P_TH"]
        facts.regions["NO-B"]!.programmesByTargetGroup["PND"] = ["P_TH", "P_EB"]
        facts.regions["NO-C"]!.programmesByTargetGroup["PND"] = ["TOOL"]
        // HICONF has no EB programme: delivering a non-EB one there is a knowledge gap, not a service gap.
        facts.regions["NO-C"]!.programmesByTargetGroup["HICONF"] = ["P_TH"]
        return facts
    }

    @Test("G7 SERVICE real gap: NO-A delivers only P_TH (THEORY) for PND while P_EB exists; NO-B both; NO-C a tool")
    func service() throws {
        let service = T.run(GapRules.evidence, Self.serviceFacts()).filter { $0.detail == "SERVICE" }
        #expect(service.summary == ["AMBER G7|NO-A|PND|SERVICE"])
        #expect(service[0].inputs == ["programmesDelivered": 1, "evidenceBasedProgrammes": 1])
    }

    @Test("G7 SERVICE silence and partial coverage: not charged")
    func serviceSilenceAndCoverage() {
        let silent = T.run(GapRules.evidence, T.silent("NO-A", Self.serviceFacts())).filter { $0.detail == "SERVICE" }
        #expect(silent.isEmpty)
        let recent = T.run(GapRules.evidence, T.recent("NO-A", Self.serviceFacts())).filter { $0.detail == "SERVICE" }
        #expect(recent.isEmpty)
    }

    @Test("G7 SERVICE small counts: a single delivery of the EB programme is enough to clear it")
    func serviceSmall() {
        let events = [
            T.event(date: "2026-01-10", groups: ["PND"], programmes: ["P_TH"], tier: "I"),
            T.event(date: "2026-01-11", groups: ["PND"], programmes: ["P_EB"], tier: "S"),
        ]
        #expect(T.run(GapRules.evidence, T.built(events)).filter { $0.detail == "SERVICE" }.isEmpty)
        #expect(
            T.run(GapRules.evidence, T.built([events[0]])).filter { $0.detail == "SERVICE" }.summary == [
                "AMBER G7|NO-A|PND|SERVICE"
            ]
        )
    }

    @Test("G11 real gap: dyadic deliveries for PND without parental MH treatment or referral; clear with one")
    func parentFirst() throws {
        var facts = T.facts()
        facts.regions["NO-A"]!.dyadicDeliveries = ["PND": 6]
        facts.regions["NO-B"]!.dyadicDeliveries = ["PAR_MH": 2]
        facts.regions["NO-B"]!.parentalMentalHealthCare = 1
        let findings = T.run(GapRules.parentMentalHealthFirst, facts)
        #expect(findings.summary == ["AMBER G11|NO-A"])
        #expect(findings[0].inputs["dyadicDeliveries"] == 6)
        #expect(T.run(GapRules.parentMentalHealthFirst, T.silent("NO-A", facts)).isEmpty)
        #expect(T.run(GapRules.parentMentalHealthFirst, T.recent("NO-A", facts)).isEmpty)
    }

    @Test("G11 from events: tier T dyadic treatment is not parental care, a consultation or non-dyadic T is")
    func parentFirstFromEvents() {
        let dyadic = T.event(date: "2026-03-01", groups: ["PND"], programmes: ["P_TH"], tier: "I")
        let dyadicTreatment = T.event(date: "2026-03-02", groups: ["PND"], programmes: ["P_EB"], tier: "T")
        let only = T.built([dyadic, dyadicTreatment])
        #expect(only.regions["NO-A"]!.dyadicDeliveries == ["PND": 2])
        #expect(T.run(GapRules.parentMentalHealthFirst, only).summary == ["AMBER G11|NO-A"])
        for care in [
            T.event(kind: "CONSULT_COLLAB", date: "2026-03-03", groups: ["PAR_MH"], tier: "S"),
            T.event(date: "2026-03-03", groups: ["PND"], programmes: ["P_T"], tier: "T"),
        ] {
            // Small counts: one treatment or referral activity is enough.
            let facts = T.built([dyadic, dyadicTreatment, care])
            #expect(facts.regions["NO-A"]!.parentalMentalHealthCare == 1)
            #expect(T.run(GapRules.parentMentalHealthFirst, facts).isEmpty)
        }
    }
}
