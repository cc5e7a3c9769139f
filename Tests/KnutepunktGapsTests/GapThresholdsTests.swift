import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

@Suite("Gap thresholds")
struct GapThresholdsTests {
    /// The values of Configs/gaps.yaml and DOMAIN.md §4, written out here (nothing is read from disk).
    @Test("defaults are DOMAIN.md's values (and Configs/gaps.yaml's)")
    func defaults() {
        let t = GapThresholds.standard
        #expect(t.windowMonths == 12)
        #expect(t.rateAmberFactor == 0.75 && t.rateRedFactor == 0.5 && t.rateSignificance == 0.05)
        #expect(t.requiredProfessions == ["MIDWIFE", "PHN", "PHYSICIAN_ANY", "PSYCH", "CW"])
        #expect(t.physicianGroup == "PHYSICIAN_ANY")
        #expect(t.professionCoverageRed == 0.6 && t.professionCoverageAmber == 0.8)
        #expect(t.temporaryShareAmber == 0.5 && t.temporaryShareRed == 0.8)
        #expect(t.lighthouseMinProgrammes == 2)
        #expect(t.declineFraction == -0.30 && t.declineMinDrop == 10)
        #expect(t.inequityRatioAmber == 2 && t.inequityCVAmber == 0.3 && t.inequityRatioRed == 4)
        #expect(t.staleDays == 90)
        #expect(t.infantDayAmberMonth == 10 && t.infantDayAmberDay == 1)
    }

    @Test("rule ids and stable keys")
    func keys() {
        #expect(
            GapRule.allCases.map(\.rawValue) == [
                "G1", "G2", "G3", "G5", "G6", "G7", "G8", "G9", "G10", "G11", "G12", "G13", "D1",
            ]
        )
        #expect(GapRule.allCases.sorted().first == .d1StaleNode)
        let finding = GapFinding(
            rule: .g7Evidence,
            severity: .amber,
            region: nil,
            targetGroup: "HICONF",
            detail: "KNOWLEDGE",
            message: ""
        )
        #expect(finding.key == "G7|*|HICONF|KNOWLEDGE")
        var worse = GapFinding(
            rule: .g3MissingTier,
            severity: .amber,
            region: "NO-A",
            tiers: ["I"],
            ageBand: "M0_3",
            message: "a"
        )
        let key = worse.key
        worse.severity = .red
        worse.tiers = ["S", "I"]
        #expect(worse.key == key && key == "G3|NO-A|M0_3")
    }
}
