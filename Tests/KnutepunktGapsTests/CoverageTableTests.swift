import KnutepunktGaps
import Testing

@Suite struct CoverageTableTests {
    @Test func ratesMedianAndSmallCellSuppression() {
        var facts = GapTestTaxonomy.facts()
        // Births: NO-A 10,000, NO-B 5,000, NO-C 2,000.
        facts.regions["NO-A"]?.events["PND"] = 20
        facts.regions["NO-A"]?.families["PND"] = 3
        facts.regions["NO-B"]?.events["PND"] = 4
        facts.regions["NO-B"]?.families["PND"] = 4
        facts.regions["NO-C"]?.events["PND"] = 6
        facts.regions["NO-C"]?.families["PND"] = 12
        let table = CoverageTable(facts: facts, taxonomy: GapTestTaxonomy.taxonomy)

        #expect(table.cell("NO-A", "PND")?.rate == 2.0)
        #expect(table.cell("NO-A", "PND")?.families == nil, "3 families is a small cell")
        #expect(table.cell("NO-B", "PND")?.suppressed == true)
        #expect(table.cell("NO-B", "PND")?.events == nil && table.cell("NO-B", "PND")?.rate == nil)
        #expect(table.cell("NO-C", "PND")?.rate == 3.0 && table.cell("NO-C", "PND")?.families == 12)
        #expect(table.cell("NO-A", "HICONF")?.events == 0 && table.cell("NO-A", "HICONF")?.suppressed == false)
        // Median of the true rates 2.0, 0.8 and 3.0, suppressed or not.
        #expect(table.nationalMedian["PND"] == 2.0)
        #expect(table.csv.contains("NO-B,PND,<5,<5,,2.00\n"))
        #expect(table.csv.contains("NO-A,PND,20,<5,2.00,2.00\n"))
        #expect(!table.csv.contains(",4,"))
    }
}
