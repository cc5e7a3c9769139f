import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// G8, G10, G12 and G13.
@Suite("Gap rules: funding, trends, inequity, infant days (G8, G10, G12, G13)")
struct GapTrendRuleTests {
    typealias T = GapTestTaxonomy

    // MARK: G8

    @Test("G8: 9/10 temporary RED, 6/10 AMBER, 8/10 AMBER (not above 0.8), 5/10 clear, no events clear")
    func sustainability() throws {
        var facts = T.facts()
        facts.regions["NO-A"]!.totalEvents = 10
        facts.regions["NO-A"]!.temporaryEvents = 9
        facts.regions["NO-B"]!.totalEvents = 10
        facts.regions["NO-B"]!.temporaryEvents = 6
        facts.regions["NO-C"]!.totalEvents = 10
        facts.regions["NO-C"]!.temporaryEvents = 5
        let findings = T.run(GapRules.sustainability, facts)
        #expect(findings.summary == ["RED G8|NO-A", "AMBER G8|NO-B"])
        #expect(findings[0].inputs["share"] == 0.9)
        #expect(findings[0].thresholds == ["temporaryShareAmber": 0.5, "temporaryShareRed": 0.8])

        facts.regions["NO-A"]!.temporaryEvents = 8
        #expect(T.run(GapRules.sustainability, facts).summary == ["AMBER G8|NO-A", "AMBER G8|NO-B"])
        #expect(T.run(GapRules.sustainability, T.facts()).isEmpty)
    }

    // MARK: G10

    @Test("G10: 40 → 20 AMBER; 50 → 35 (exactly −30 %, drop 15) AMBER; 20 → 12 (drop 8) clear")
    func decline() throws {
        var facts = T.facts()
        facts.regions["NO-A"]!.quarterlyEvents = [10, 10, 10, 10, 5, 5, 5, 5]
        facts.regions["NO-B"]!.quarterlyEvents = [5, 5, 5, 5, 3, 3, 3, 3]
        facts.regions["NO-C"]!.quarterlyEvents = [13, 12, 13, 12, 9, 9, 9, 8]
        let findings = T.run(GapRules.decline, facts)
        #expect(findings.summary == ["AMBER G10|NO-A", "AMBER G10|NO-C"])
        #expect(findings[0].inputs["change"] == -0.5)
        #expect(findings[1].inputs["drop"] == 15)
    }

    @Test("G10 clear: −20 %, growth, and nothing before")
    func declineClear() {
        var facts = T.facts()
        facts.regions["NO-A"]!.quarterlyEvents = [10, 10, 10, 10, 8, 8, 8, 8]
        facts.regions["NO-B"]!.quarterlyEvents = [1, 1, 1, 1, 30, 0, 0, 0]
        facts.regions["NO-C"]!.quarterlyEvents = [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(T.run(GapRules.decline, facts).isEmpty)
    }

    // MARK: G12

    static func rates(_ a: Int, _ b: Int, _ c: Int) -> GapFacts {
        GapCoverageRuleTests.withPND(a, b, c)
    }

    @Test("G12 RED: rates 10, 10, 2 (max/min 5 > 4)")
    func inequityRed() throws {
        let findings = T.run(GapRules.nationalInequity, Self.rates(100, 50, 4))
        #expect(findings.summary == ["RED G12|*|PND"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["maxMin"] == 5)
        #expect(finding.inputs["rate.NO-C"] == 2)
        #expect(finding.region == nil)
    }

    @Test("G12 AMBER by max/min: rates 10, 10, 4 (2.5; CV 0.354)")
    func inequityAmberRatio() throws {
        let finding = try #require(T.run(GapRules.nationalInequity, Self.rates(100, 50, 8)).first)
        #expect(finding.severity == .amber)
        #expect(finding.inputs["maxMin"] == 2.5)
        #expect(abs(finding.inputs["cv"]! - 0.353553) < 1e-6)
    }

    @Test("G12 AMBER by CV only: rates 5, 5, 10 (max/min exactly 2, CV 0.354, Gini 0.0929)")
    func inequityAmberCV() throws {
        let findings = T.run(GapRules.nationalInequity, Self.rates(50, 25, 20))
        #expect(findings.summary == ["AMBER G12|*|PND"])
        let finding = try #require(findings.first)
        #expect(finding.inputs["maxMin"] == 2)
        #expect(abs(finding.inputs["cv"]! - 0.353553) < 1e-6)
        #expect(abs(finding.inputs["gini"]! - 0.0928793) < 1e-6)
    }

    @Test("G12 clear: rates 10, 10, 8; a single region; no activity")
    func inequityClear() {
        #expect(T.run(GapRules.nationalInequity, Self.rates(100, 50, 16)).isEmpty)
        var single = GapFacts(asOf: T.asOf)
        single.regions["NO-A"] = GapFacts.RegionFacts(births: 10_000)
        single.regions["NO-A"]!.events["PND"] = 7
        #expect(T.run(GapRules.nationalInequity, single).isEmpty)
        #expect(T.run(GapRules.nationalInequity, T.facts()).isEmpty)
    }

    @Test("G12: a region with no activity (while others have some) is RED (max/min infinite); zero births left out")
    func inequityZero() {
        #expect(T.run(GapRules.nationalInequity, Self.rates(100, 50, 0)).summary == ["RED G12|*|PND"])
        var facts = Self.rates(100, 50, 0)
        facts.regions["NO-C"]!.births = 0
        #expect(T.run(GapRules.nationalInequity, facts).isEmpty)
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
