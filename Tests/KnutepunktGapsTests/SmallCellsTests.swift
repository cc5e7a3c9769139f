import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import Testing

/// Counts of 1…4 never leave the hub, nor any figure they could be worked back from.
@Suite struct SmallCellsTests {
    static func shortfall(observed: Int, families: Int) -> GapFinding {
        GapFinding(
            rule: .g2RateShortfall,
            severity: .amber,
            region: "NO-NORD",
            targetGroup: "PND",
            message: "PND in NO-NORD: \(observed) events, \(families) families",
            inputs: [
                "observed": Double(observed), "rate": 0.5, "p": 0.2, "families": Double(families),
                "familyRate": 0.3, "median": 1.2, "births": 5_400,
            ],
            thresholds: ["rateAmberFactor": 0.75]
        )
    }

    @Test func aSmallCountIsWithheldWithWhatRevealsIt() {
        let finding = Self.shortfall(observed: 3, families: 12)
        #expect(SmallCells.withheldInputs(finding) == ["observed", "p", "rate"])
        let record = GapRecord(finding)
        #expect(record.withheld == ["observed", "p", "rate"])
        #expect(record.inputs["observed"] == nil && record.inputs["rate"] == nil && record.inputs["p"] == nil)
        #expect(record.inputs["families"] == 12)
        #expect(record.inputs["median"] == 1.2)
        #expect(!record.message.contains("3"), "the message quoted the count: \(record.message)")
        #expect(record.message.contains("NO-NORD") && record.message.contains("PND"))
        #expect(record.csvRow.contains("observed=<5"))
        #expect(!record.csvRow.contains("observed=3"))
    }

    @Test func zeroAndFiveAndAboveAreShown() {
        for (observed, families) in [(0, 0), (5, 7), (120, 40)] {
            let record = GapRecord(Self.shortfall(observed: observed, families: families))
            #expect(record.withheld == nil)
            #expect(record.inputs["observed"] == Double(observed))
            #expect(record.message == "PND in NO-NORD: \(observed) events, \(families) families")
        }
    }

    @Test func smallFamiliesHideTheFamilyRate() {
        let record = GapRecord(Self.shortfall(observed: 30, families: 4))
        #expect(record.withheld == ["families", "familyRate"])
        #expect(record.inputs["observed"] == 30)
    }

    @Test func inequityWithholdsOneRegionsRateAndCount() {
        let finding = GapFinding(
            rule: .g12NationalInequity,
            severity: .amber,
            region: nil,
            targetGroup: "PRISON",
            message: "Rates for PRISON differ",
            inputs: ["events.NO-VEST": 2, "rate.NO-VEST": 0.2, "events.NO-NORD": 40, "rate.NO-NORD": 7.1, "cv": 0.9]
        )
        #expect(SmallCells.withheldInputs(finding) == ["events.NO-VEST", "rate.NO-VEST"])
        // The message quotes no single region's count, so it stays.
        #expect(GapRecord(finding).message == "Rates for PRISON differ")
    }

    @Test func professionCountsOfTheWorkforceRuleAreCounts() {
        let finding = GapFinding(
            rule: .g6MissingProfession,
            severity: .red,
            region: "NO-NORD",
            message: "…",
            inputs: ["events": 40, "PHYSICIAN_ANY": 0, "MIDWIFE": 2, "PHN": 30, "coverage": 0.6]
        )
        #expect(SmallCells.withheldInputs(finding) == ["MIDWIFE"])
    }

    @Test func csvFieldsAreQuotedWhenTheyMustBe() {
        #expect(
            CSVText.row(["a", "b,c", "say \"hi\"", "line\nbreak"]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"line\nbreak\""
        )
        #expect(CSVText.number(5) == "5")
        #expect(CSVText.number(0.0012) == "0.0012")
        #expect(GapRecord.csvHeader.hasPrefix("region,rule,name,severity"))
    }
}
