import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

@Suite struct CoverageTableTests {
    typealias T = GapTestTaxonomy

    @Test func ratesMedianAndSmallCellSuppression() {
        var facts = T.facts()
        // Births: NO-A 10,000, NO-B 5,000, NO-C 2,000.
        facts.regions["NO-A"]?.events["PND"] = 20
        facts.regions["NO-A"]?.families["PND"] = 3
        facts.regions["NO-B"]?.events["PND"] = 4
        facts.regions["NO-B"]?.families["PND"] = 4
        facts.regions["NO-C"]?.events["PND"] = 6
        facts.regions["NO-C"]?.families["PND"] = 12
        let table = CoverageTable(facts: facts, taxonomy: T.taxonomy, thresholds: .standard)

        #expect(table.cell("NO-A", "PND")?.rate == 2.0)
        #expect(table.cell("NO-A", "PND")?.families == nil, "3 families is a small cell")
        #expect(table.cell("NO-B", "PND")?.suppressed == true && table.cell("NO-B", "PND")?.band == .suppressed)
        #expect(table.cell("NO-B", "PND")?.events == nil && table.cell("NO-B", "PND")?.rate == nil)
        #expect(table.cell("NO-C", "PND")?.rate == 3.0 && table.cell("NO-C", "PND")?.families == 12)
        #expect(
            table.cell("NO-A", "HICONF")?.events == 0 && table.cell("NO-A", "HICONF")?.band == CoverageTable.Band.none
        )
        // The median of the published rates: NO-B's 4 events are read as 4 → 0.8; median of 2.0, 0.8, 3.0 is 2.0.
        #expect(table.nationalMedian["PND"] == 2.0)
        let csv = table.table(country: "NO").csv()
        #expect(csv.contains("NO,NO-B,PND,<5,<5,<5,2.00,,suppressed\n"))
        #expect(csv.contains("NO,NO-A,PND,20,<5,2.00,2.00,1.00,near\n"))
        #expect(!csv.contains(",4,"))
    }

    @Test("zero where other regions have some is a gap whatever the median (the issue's PRISON cell)")
    func zeroIsMarked() {
        // Only NO-C serves PRISON: the median of 0, 0 and 2.5 is 0, yet NO-A and NO-B are gaps.
        var facts = T.facts()
        facts.regions["NO-C"]?.events["HICONF"] = 5
        let table = CoverageTable(facts: facts, taxonomy: T.taxonomy, thresholds: .standard)
        #expect(table.nationalMedian["HICONF"] == 0)
        #expect(table.cell("NO-A", "HICONF")?.band == .absent && table.cell("NO-B", "HICONF")?.band == .absent)
        #expect(table.cell("NO-C", "HICONF")?.band == CoverageTable.Band.none)
    }

    @Test("a silent region shows no data; a region covered only since February shows figures without comparison")
    func noDataAndNotEnoughData() {
        var facts = T.facts()
        facts.regions["NO-A"]?.events["PND"] = 20
        facts.regions["NO-B"]?.events["PND"] = 10
        facts.regions["NO-C"]?.events["PND"] = 8
        let silent = CoverageTable(facts: T.silent("NO-C", facts), taxonomy: T.taxonomy, thresholds: .standard)
        #expect(silent.cell("NO-C", "PND")?.band == .noData && silent.cell("NO-C", "PND")?.events == nil)
        #expect(silent.nationalMedian["PND"] == 2.0)
        let recent = CoverageTable(facts: T.recent("NO-C", facts), taxonomy: T.taxonomy, thresholds: .standard)
        #expect(recent.cell("NO-C", "PND")?.band == .notEnoughData && recent.cell("NO-C", "PND")?.events == 8)
        #expect(recent.cell("NO-C", "PND")?.ratio == nil)
        #expect(recent.cell("NO-A", "HICONF")?.band == CoverageTable.Band.none)
    }
}
