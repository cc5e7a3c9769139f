import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

/// What readers get: sentences in English and Norwegian bokmål that quote no withheld figure, findings ranked and
/// grouped, and a national summary per target group.
@Suite("Gap findings for readers")
struct GapReadingTests {
    typealias T = GapTestTaxonomy

    @Test("sentences in both languages, with the taxonomy's labels; a withheld count is never quoted")
    func sentences() throws {
        let evaluation = GapEvaluator.evaluate(GapCoverageRuleTests.withPND(100, 50, 2), taxonomy: T.taxonomy)
        let g2 = try #require(evaluation.findings.first { $0.key == "G2|NO-C|PND" })
        #expect(
            g2.message
                == "PND (PND): clearly less activity in NO-C than in the other regions — fewer than 5 activities in "
                + "12 months against a national median of 10 per 1,000 births."
        )
        #expect(
            g2.messageNb.hasPrefix("PND (PND): klart mindre aktivitet i NO-C enn i de andre regionene – færre enn 5")
        )
        #expect(!g2.message.contains(" 2 ") && !g2.messageNb.contains(" 2 "))
        let g13 = try #require(evaluation.findings.first { $0.key == "G13|NO-A|2025" })
        #expect(g13.message == "No infant day in NO-A in 2025." && g13.messageNb == "Ingen spedbarnsdag i NO-A i 2025.")
    }

    @Test("numbers are written as each language writes them")
    func numbers() {
        #expect(GapWording.number(2.39, .en) == "2.39" && GapWording.number(2.39, .nb) == "2,39")
        #expect(GapWording.number(1500, digits: 0, .en) == "1,500")
        #expect(GapWording.number(1500, digits: 0, .nb).filter(\.isNumber) == "1500")
        #expect(GapWording.list(["A", "B", "C"], .en) == "A, B and C" && GapWording.list(["A", "B"], .nb) == "A og B")
    }

    @Test("ranking: severity × thousands of births × confidence; grouping across regions, then within a region")
    func grouping() throws {
        func finding(
            _ rule: GapRule,
            _ severity: GapSeverity,
            _ region: String?,
            group: String?,
            births: Int
        )
            -> GapFinding
        {
            var finding = GapFinding(rule: rule, severity: severity, region: region, targetGroup: group)
            finding.affectedBirths = births
            finding.message = "\(rule.rawValue) \(region ?? "*") \(group ?? "")"
            finding.messageNb = finding.message
            return finding
        }
        let findings = [
            finding(.g1AbsentService, .red, "NO-B", group: "HICONF", births: 5_000),  // 3 × 5 = 15
            finding(.g1AbsentService, .red, "NO-C", group: "HICONF", births: 2_000),  // 3 × 2 = 6
            finding(.g2RateShortfall, .amber, "NO-C", group: "PND", births: 2_000),  // 1 × 2 = 2
            finding(.g2RateShortfall, .amber, "NO-C", group: "PAR_MH", births: 2_000),  // 2
            finding(.g8Sustainability, .red, "NO-A", group: nil, births: 10_000),  // 3 × 10 = 30
        ]
        #expect(findings[0].priority == 15 && findings[4].priority == 30)
        let groups = GapGrouping.groups(findings, taxonomy: T.taxonomy)
        #expect(groups.map(\.kind) == [.single, .acrossRegions, .withinRegion])
        #expect(groups.map(\.priority) == [30, 21, 2], "one region's families count once")
        #expect(groups[1].keys == ["G1|NO-B|HICONF", "G1|NO-C|HICONF"])
        #expect(groups[1].headline == "No activity: HICONF (HICONF) — NO-B and NO-C")
        #expect(groups[1].headlineNb == "Ingen aktivitet: HICONF (HICONF) — NO-B og NO-C")
        #expect(groups[2].headline == "Less activity than elsewhere in NO-C: PAR_MH (PAR_MH) and PND (PND)")
        #expect(groups[0].headline == "G8 NO-A ")
    }

    @Test("the national summary: where each target group is served, what was found, worst first")
    func summary() throws {
        var facts = GapCoverageRuleTests.withPND(100, 50, 2)
        facts.regions["NO-C"]!.events["HICONF"] = 6
        facts = T.silent("NO-B", facts)
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: T.taxonomy)
        let overview = GapOverview(country: "NO", facts: facts, evaluation: evaluation, taxonomy: T.taxonomy)
        let hiconf = try #require(overview.summary.first { $0.targetGroup == "HICONF" })
        #expect(
            hiconf.severity == "RED" && hiconf.regionsWithout == ["NO-A"] && hiconf.regionsNotComparable == ["NO-B"]
        )
        #expect(
            hiconf.sentence
                == "HICONF (HICONF): no service in 1 of 2 regions (NO-A); no evidence-based programme exists; "
                + "not comparable: NO-B."
        )
        #expect(hiconf.sentenceNb.hasPrefix("HICONF (HICONF): ingen tjeneste i 1 av 2 regioner (NO-A)"))
        // PND: NO-A 100 (rate 10) and NO-C 2 read as 4 (rate 2): G2 AMBER for NO-C, and max/min 5 (G12 RED).
        let pnd = try #require(overview.summary.first { $0.targetGroup == "PND" })
        #expect(
            pnd.sentence
                == "PND (PND): activity in all 2 regions; less than elsewhere in NO-C; very unequal between regions; "
                + "not comparable: NO-B."
        )
        #expect(overview.summary.map(\.targetGroup) == ["HICONF", "PND", "ALL", "PAR_MH"])
        let par = try #require(overview.summary.first { $0.targetGroup == "PAR_MH" })
        #expect(
            par.severity == nil && par.sentence == "PAR_MH (PAR_MH): no activity in any region; not comparable: NO-B."
        )
        // Worst first: the RED ones lead.
        #expect(overview.summary.first?.severity == "RED" && overview.summary.last?.severity == nil)
    }

    @Test("G12's chi-square survival function: e^(−x/2) for 2 degrees of freedom, erfc(√(x/2)) for 1")
    func chiSquare() {
        #expect(abs(ChiSquareDistribution.survival(15.789474, degrees: 2) - 0.000372700) < 1e-9)
        #expect(abs(ChiSquareDistribution.survival(2.5, degrees: 1) - 0.113846298) < 1e-8)
        #expect(abs(ChiSquareDistribution.survival(3.841459, degrees: 1) - 0.05) < 1e-6)
        #expect(abs(ChiSquareDistribution.survival(7.814728, degrees: 3) - 0.05) < 1e-6)
        #expect(ChiSquareDistribution.survival(0, degrees: 3) == 1)
    }

    @Test("trends: a small quarter is withheld, and with it every quarter the window covers in that series")
    func trendsSecondarySuppression() {
        // As of 2026-06-15: quarters 2024-Q2 … 2026-Q1 complete and 2026-Q2 running; the window (from 2025-06-16)
        // covers 2025-Q2 (in part) … 2026-Q2.
        var builder = QuarterlyTrends.Builder(asOf: T.asOf)
        func add(_ region: String, _ date: String, _ events: Int) {
            let cell = ActivityCell(
                region: region,
                node: "\(region)-1",
                kind: "DELIVERY",
                tier: "S",
                funding: "PERMANENT",
                date: T.date(date),
                targetGroups: ["PND"],
                ageBands: ["M0_3"],
                professions: ["PHN"],
                programmes: []
            )
            builder.add(cell, ActivityCount(events: events))
        }
        for (date, events) in [("2024-05-01", 7), ("2024-08-01", 2), ("2025-08-01", 9), ("2025-11-01", 3)] {
            add("NO-A", date, events)
        }
        for (date, events) in [("2025-08-01", 9), ("2025-11-01", 6), ("2026-02-01", 8), ("2026-05-01", 7)] {
            add("NO-B", date, events)
        }
        let trends = builder.trends(regions: ["NO-A", "NO-B"], targetGroups: ["PND"])
        #expect(trends.quarters.first == "2024-Q2" && trends.quarters.last == "2026-Q2")
        #expect(trends.inWindow == [false, false, false, false, true, true, true, true, true])
        // NO-A: 2024-Q3's 2 is withheld alone (nothing published adds up to it); 2025-Q4's 3 takes 2025-Q3's 9 and
        // the zeros of the window with it.
        #expect(trends.series[0].events == [7, nil, 0, 0, nil, nil, nil, nil, nil])
        #expect(trends.series[1].events == [0, 0, 0, 0, 0, 9, 6, 8, 7])
    }
}
