import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G8, G10, G12 and G13, each with a real gap, silence, partial coverage and small counts. Births: NO-A 10,000,
/// NO-B 5,000, NO-C 2,000; as of 2026-06-15 unless said.
@Suite("Gap rules: sustainability, trends and equity (G8, G10, G12, G13)")
struct GapTrendRuleTests {
    typealias T = GapTestTaxonomy

    // MARK: G8

    static func funding(_ region: String, temporary: Int, of total: Int) -> GapFacts {
        var facts = T.facts()
        facts.regions[region]!.totalEvents = total
        facts.regions[region]!.temporaryEvents = temporary
        return facts
    }

    @Test("G8 real gap: 12 of 20 temporary (0.6) AMBER; 19 of 20 RED; 10 of 20 (0.5, not above) clear")
    func sustainability() throws {
        let amber = try #require(T.run(GapRules.sustainability, Self.funding("NO-A", temporary: 12, of: 20)).first)
        #expect(amber.severity == .amber && amber.inputs["share"] == 0.6)
        // 19 of 20: the permanent 1 is read as 4, so the share is 19 / 23 = 0.826 > 0.8: RED.
        let red = try #require(T.run(GapRules.sustainability, Self.funding("NO-A", temporary: 19, of: 20)).first)
        #expect(red.severity == .red && abs(red.inputs["share"]! - 19.0 / 23) < 1e-12)
        #expect(T.run(GapRules.sustainability, Self.funding("NO-A", temporary: 10, of: 20)).isEmpty)
        // Only the line crossed leaves the hub: the share and its counts are the region's totals.
        #expect(SmallCells.withheldInputs(red) == ["events", "share", "temporaryEvents"])
        #expect(SmallCells.publishedInputs(red).isEmpty)
    }

    @Test("G8 silence and partial coverage: not judged")
    func sustainabilitySilenceAndCoverage() {
        let facts = Self.funding("NO-C", temporary: 20, of: 20)
        #expect(T.run(GapRules.sustainability, facts).count == 1)
        #expect(T.run(GapRules.sustainability, T.silent("NO-C", facts)).isEmpty)
        #expect(T.run(GapRules.sustainability, T.recent("NO-C", facts)).isEmpty)
    }

    @Test("G8 small counts: a share of fewer than 10 events is not judged; 18 of 20 with 2 permanent read as 4")
    func sustainabilitySmall() throws {
        #expect(T.run(GapRules.sustainability, Self.funding("NO-A", temporary: 9, of: 9)).isEmpty)
        #expect(T.run(GapRules.sustainability, Self.funding("NO-A", temporary: 10, of: 10)).count == 1)
        // 18 / (18 + 4) = 0.818 > 0.8: RED (the true 0.9 would be RED too).
        let red = try #require(T.run(GapRules.sustainability, Self.funding("NO-A", temporary: 18, of: 20)).first)
        #expect(red.severity == .red && abs(red.inputs["share"]! - 18.0 / 22) < 1e-12)
    }

    // MARK: G10

    /// `region`'s events in the 8 complete quarters, all of PND (none in the running quarter); the window's count of
    /// PND (published in the coverage table) taken as the last four quarters' sum.
    static func quarters(_ region: String, _ values: [Int], asOf: LocalDate = T.asOf) -> GapFacts {
        var facts = T.facts(asOf: asOf)
        facts.regions[region]!.quarterlyEvents = values
        facts.regions[region]!.quarterlyGroupEvents["PND"] = values + [0]
        let window = values.suffix(4).reduce(0, +)
        if window > 0 { facts.regions[region]!.events["PND"] = window }
        return facts
    }

    @Test("G10 real gap: 50 → 35 (exactly −30 %, drop 15) AMBER; 40 → 20 AMBER; −20 % and growth clear")
    func decline() throws {
        let exact = try #require(T.run(GapRules.decline, Self.quarters("NO-B", [12, 13, 12, 13, 9, 9, 9, 8])).first)
        #expect(exact.key == "G10|NO-B" && exact.inputs["change"] == -0.3 && exact.inputs["drop"] == 15)
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [10, 10, 10, 10, 5, 5, 5, 5])).count == 1)
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [10, 10, 10, 10, 8, 8, 8, 8])).isEmpty)
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [5, 5, 5, 5, 9, 9, 9, 9])).isEmpty)
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [0, 0, 0, 0, 9, 9, 9, 9])).isEmpty)
    }

    @Test("G10 silence and partial coverage: a region covered only since February has no 8 quarters to compare")
    func declineSilenceAndCoverage() {
        let facts = Self.quarters("NO-B", [10, 10, 10, 10, 5, 5, 5, 5])
        #expect(T.run(GapRules.decline, T.silent("NO-B", facts)).isEmpty)
        #expect(T.run(GapRules.decline, T.recent("NO-B", facts)).isEmpty)
        // Covered from 2024-04-01 (the first of the 8 quarters) is enough.
        var exactly = facts
        exactly.regions["NO-B"]!.firstData = T.date("2024-04-20")
        #expect(T.run(GapRules.decline, exactly).count == 1)
    }

    @Test(
        "G10 small counts: a drop of fewer than 10 events is no decline; withheld quarters read as 1 before, 4 recent"
    )
    func declineSmall() throws {
        // 12 → 2: the four withheld earlier quarters read as 1 each (4); the recent ones, withheld together with the
        // window, as the window's count 2, withheld, read as 4: no change, clear.
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [3, 3, 3, 3, 1, 1, 0, 0])).isEmpty)
        // 14 → 2 too: the same reading, clear (the exact totals, −86 % with a drop of 12, would have fired).
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [4, 4, 3, 3, 1, 1, 0, 0])).isEmpty)
        // 10 + 10 + 10 + (1 to 4) → 20: read 31 → 20, change −11/31 = −0.355, drop 11: AMBER whichever the withheld
        // quarter is.
        for withheld in 1...4 {
            let finding = try #require(
                T.run(GapRules.decline, Self.quarters("NO-B", [10, 10, 10, withheld, 5, 5, 5, 5])).first
            )
            #expect(finding.inputs["before"] == 31 && finding.inputs["recent"] == 20)
            #expect(abs(finding.inputs["change"]! - -11.0 / 31) < 1e-12)
            #expect(SmallCells.withheldInputs(finding) == ["before", "change", "drop", "recent"])
        }
        // 40 → 20 with one recent quarter withheld (so all four are): the recent quarters read as the window's
        // published count, 20: −50 %, AMBER, whether the quarters are 6, 6, 2, 6 or 6, 6, 3, 5.
        for recent in [[6, 6, 2, 6], [6, 6, 3, 5]] {
            let finding = try #require(
                T.run(GapRules.decline, Self.quarters("NO-B", [10, 10, 10, 10] + recent)).first
            )
            #expect(finding.inputs["before"] == 40 && finding.inputs["recent"] == 20)
        }
        // Published earlier quarters (0 or 5 and more) are read as they are: 10, 10, 10, 0 → 20 is −33 %, drop 10.
        #expect(T.run(GapRules.decline, Self.quarters("NO-B", [10, 10, 10, 0, 5, 5, 5, 5])).count == 1)
    }

    // MARK: G12

    static func rates(_ a: Int, _ b: Int, _ c: Int) -> GapFacts {
        GapCoverageRuleTests.withPND(a, b, c)
    }

    @Test("G12 real gap AMBER by CV: rates 10, 10, 20 (max/min 2, CV 0.354, Gini 0.0929); χ² = 15.79, p = 0.00037")
    func inequityAmber() throws {
        // Expected at the national rate: 190 × 10/17 = 111.76, 55.88, 22.35; χ² = 1.238 + 0.619 + 13.932 = 15.789;
        // with 2 degrees of freedom p = e^(−χ²/2) = 0.000373.
        let finding = try #require(T.run(GapRules.nationalInequity, Self.rates(100, 50, 40)).first)
        #expect([finding].summary == ["AMBER G12|*|PND"])
        #expect(finding.inputs["maxMin"] == 2)
        #expect(abs(finding.inputs["cv"]! - 0.353553) < 1e-6)
        #expect(abs(finding.inputs["gini"]! - 0.0928793) < 1e-6)
        #expect(abs(finding.inputs["chiSquare"]! - 15.789474) < 1e-6)
        #expect(abs(finding.inputs["p"]! - 0.000372700) < 1e-9)
        // The families concerned: the regions below the national rate of 190 / 17,000 × 1,000 = 11.2 (NO-A, NO-B).
        #expect(finding.affectedBirths == 15_000)
    }

    @Test("G12 real gap RED: rates 10, 2, 20 (max/min 10 > 4)")
    func inequityRed() throws {
        let finding = try #require(T.run(GapRules.nationalInequity, Self.rates(100, 10, 40)).first)
        #expect(finding.severity == .red && finding.inputs["maxMin"] == 10)
    }

    @Test("G12 silence and partial coverage: the region is left out of the comparison ('not comparable')")
    func inequitySilenceAndCoverage() throws {
        // Without NO-B the rates are 10 and 20: max/min 2, CV 1/3 > 0.3.
        for facts in [T.silent("NO-B", Self.rates(100, 10, 40)), T.recent("NO-B", Self.rates(100, 10, 40))] {
            let finding = try #require(T.run(GapRules.nationalInequity, facts).first)
            #expect(finding.severity == .amber && finding.inputs["regions"] == 2 && finding.inputs["maxMin"] == 2)
            #expect(finding.inputs["rate.NO-B"] == nil && finding.affectedBirths == 10_000)
        }
    }

    @Test("G12 small counts: 1 + 1 events (max/min 5 read as 4 and 4) are too few; no ∞ when a region has none")
    func inequitySmall() {
        // The case: two events. Read as 4 and 4, the expected counts are 8 × 10/12 = 6.7 and 8 × 2/12 = 1.3 <
        // 5: not compared.
        #expect(T.run(GapRules.nationalInequity, Self.rates(1, 0, 1)).isEmpty)
        // A region with none is G1's: the others (10 and 10) are equal, so no G12 and no infinite max/min.
        #expect(T.run(GapRules.nationalInequity, Self.rates(100, 50, 0)).isEmpty)
        // Rates 1 and 2 (CV 0.33 > 0.3) but χ² = 2.5 with 1 degree of freedom, p = 0.114: not significant.
        #expect(T.run(GapRules.nationalInequity, T.silent("NO-C", Self.rates(10, 10, 0))).isEmpty)
        // Zero births leave a region out.
        var facts = Self.rates(100, 10, 40)
        facts.regions["NO-B"]!.births = 0
        #expect(T.run(GapRules.nationalInequity, facts).first?.inputs["regions"] == 2)
    }

    // MARK: G13

    static func infantDays(asOf: String, _ days: [String: [String]]) -> GapFacts {
        var facts = T.facts(asOf: T.date(asOf))
        for region in ["NO-A", "NO-B", "NO-C"] {
            for iso in days[region] ?? [] {
                let date = T.date(iso)
                facts.regions[region]!.infantDays[date.year, default: []].append(date)
            }
        }
        return facts
    }

    @Test("G13 RED: no infant day last year (the year is over); none this year before 1 October is not yet a gap")
    func infantDayRed() {
        let facts = Self.infantDays(
            asOf: "2026-06-15",
            ["NO-A": ["2025-11-10"], "NO-C": ["2025-02-01", "2026-02-01"]]
        )
        #expect(T.run(GapRules.missingInfantDay, facts).summary == ["RED G13|NO-B|2025"])
    }

    @Test("G13 AMBER after 1 October without an infant day this year; not on 1 October itself")
    func infantDayAmber() {
        let days = ["NO-A": ["2025-11-10"], "NO-B": ["2025-11-10", "2026-09-30"], "NO-C": ["2025-01-01"]]
        #expect(
            T.run(GapRules.missingInfantDay, Self.infantDays(asOf: "2026-10-02", days)).summary == [
                "AMBER G13|NO-A|2026", "AMBER G13|NO-C|2026",
            ]
        )
        #expect(T.run(GapRules.missingInfantDay, Self.infantDays(asOf: "2026-10-01", days)).isEmpty)
    }

    @Test("G13 silence: no infant-day verdict for a region without reports")
    func infantDaySilence() {
        let facts = Self.infantDays(asOf: "2026-06-15", ["NO-A": ["2025-11-10"], "NO-C": ["2025-02-01"]])
        #expect(T.run(GapRules.missingInfantDay, T.silent("NO-B", facts)).isEmpty)
    }

    @Test("G13 partial coverage: a year the store covers for 19 days is not judged; the next year is")
    func infantDayPartialCoverage() {
        // NO-B's data start on 2025-12-13: covered from 2025-12-01, not from 2025-01-01.
        var facts = Self.infantDays(
            asOf: "2026-10-15",
            ["NO-A": ["2025-11-10", "2026-05-01"], "NO-C": ["2025-02-01", "2026-05-01"]]
        )
        facts.regions["NO-B"]!.firstData = T.date("2025-12-13")
        #expect(T.run(GapRules.missingInfantDay, facts).summary == ["AMBER G13|NO-B|2026"])
        // Small counts do not apply: one infant day is the whole requirement.
    }

    @Test("G13 clear on 31 December with an infant day that year; the next day it is judged as last year")
    func infantDayYearEnd() {
        let days = [
            "NO-A": ["2025-05-01", "2026-05-01"], "NO-B": ["2025-05-01", "2026-05-01"],
            "NO-C": ["2025-05-01"],
        ]
        #expect(
            T.run(GapRules.missingInfantDay, Self.infantDays(asOf: "2026-12-31", days)).summary == [
                "AMBER G13|NO-C|2026"
            ]
        )
        #expect(
            T.run(GapRules.missingInfantDay, Self.infantDays(asOf: "2027-01-01", days)).summary == [
                "RED G13|NO-C|2026"
            ]
        )
    }
}
