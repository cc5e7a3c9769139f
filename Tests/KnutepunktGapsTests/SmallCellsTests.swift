import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import Testing

/// Counts of 1…4 never leave the hub, nor any figure they could be worked back from (docs/disclosure.md).
@Suite struct SmallCellsTests {
    static func shortfall(observed: Int, families: Int) -> GapFinding {
        GapFinding(
            rule: .g2RateShortfall,
            severity: .amber,
            region: "NO-NORD",
            targetGroup: "PND",
            message: "Perinatal depression (PND): less activity in NO-NORD than in the other regions.",
            inputs: [
                "observed": Double(observed), "rate": 0.5, "p": 0.2, "pAmber": 0.1, "families": Double(families),
                "familyRate": 0.3, "median": 1.2, "births": 5_400,
            ],
            thresholds: ["rateAmberFactor": 0.75]
        )
    }

    @Test func theBandReadsOneToFourAsFour() {
        #expect((0...6).map(SmallCells.banded) == [0, 4, 4, 4, 4, 5, 6])
        #expect((0...6).map(SmallCells.isSmall) == [false, true, true, true, true, false, false])
    }

    @Test func aSmallCountIsWithheldWithWhatRevealsIt() {
        let finding = Self.shortfall(observed: 3, families: 12)
        // Its families go too, though 12: the coverage table withholds a withheld cell's families as well.
        #expect(SmallCells.withheldInputs(finding) == ["families", "familyRate", "observed", "p", "pAmber", "rate"])
        let record = GapRecord(finding)
        #expect(record.withheld == ["families", "familyRate", "observed", "p", "pAmber", "rate"])
        #expect(record.inputs["observed"] == nil && record.inputs["rate"] == nil && record.inputs["p"] == nil)
        #expect(record.inputs["families"] == nil)
        #expect(record.inputs["median"] == 1.2)
        let row = record.tableRow(rank: 1, group: 1).map { ReportTable.text($0, decimalMark: ".") }
        #expect(row.contains { $0.contains("observed=<5") } && !row.contains { $0.contains("observed=3") })
    }

    @Test func aLevelRulesRecordTakesTheDayTheHubFoundIt() {
        let opened = LocalDate(year: 2026, month: 11, day: 2)!
        let level = GapRecord(Self.shortfall(observed: 30, families: 40), openedOn: opened)
        // The hub's first finding bounds the day the condition began: "since 2026-11-02 or earlier".
        #expect(level.since == "2026-11-02" && level.sinceBasis == "AT_LEAST")
        var absent = GapFinding(rule: .g1AbsentService, severity: .red, region: "NO-NORD", targetGroup: "PND")
        absent.since = LocalDate(year: 2025, month: 3, day: 2)
        let dated = GapRecord(absent, openedOn: opened)
        #expect(dated.since == "2025-03-02" && dated.sinceBasis == nil)
    }

    @Test func zeroAndFiveAndAboveAreShown() {
        for (observed, families) in [(0, 0), (5, 7), (120, 40)] {
            let record = GapRecord(Self.shortfall(observed: observed, families: families))
            #expect(record.withheld == nil)
            #expect(record.inputs["observed"] == Double(observed))
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
            inputs: ["events.NO-VEST": 2, "rate.NO-VEST": 0.2, "events.NO-NORD": 40, "rate.NO-NORD": 7.1, "cv": 0.9]
        )
        #expect(SmallCells.withheldInputs(finding) == ["events.NO-VEST", "rate.NO-VEST"])
    }

    @Test func professionCountsOfTheWorkforceRuleAreCounts() {
        let finding = GapFinding(
            rule: .g6MissingProfession,
            severity: .red,
            region: "NO-NORD",
            inputs: [
                "events": 40, "PHYSICIAN_ANY": 0, "MIDWIFE": 2, "PHN": 30, "coverage": 0.6, "present": 3, "required": 5,
            ]
        )
        #expect(SmallCells.withheldInputs(finding) == ["MIDWIFE"])
    }

    @Test func regionTotalsNeverLeaveTheHub() {
        let finding = GapFinding(
            rule: .g10Decline,
            severity: .amber,
            region: "NO-NORD",
            inputs: ["before": 40, "recent": 20, "drop": 20, "change": -0.5]
        )
        #expect(SmallCells.publishedInputs(finding).isEmpty)
    }

    @Test func reportTablesWriteCSVAndNorwegianExcel() {
        let table = ReportTable(
            columns: ["region", "note", "rate", "events"],
            rows: [[.text("NO-VEST"), .text("a;b, \"c\""), .decimal(2.345, digits: 2), .withheld]]
        )
        #expect(table.csv(.csv) == "region,note,rate,events\nNO-VEST,\"a;b, \"\"c\"\"\",2.35,<5\n")
        #expect(table.csv(.excel) == "\u{FEFF}region;note;rate;events\r\nNO-VEST;\"a;b, \"\"c\"\"\";2,35;<5\r\n")
        #expect(
            table.json().contains("\"events\" : null") && table.json().contains("\"withheld\" : [\n      \"events\"")
        )
        #expect(CSVText.number(5) == "5")
        #expect(CSVText.number(0.0012) == "0.0012")
    }
}
