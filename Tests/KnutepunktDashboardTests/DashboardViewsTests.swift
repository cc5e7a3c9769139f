import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktTesting
import Testing

/// The views the dashboard reads from the activity counters: the heatmap's bands, withheld cells and "no data",
/// and the quarterly trends.
@Suite struct DashboardViewsTests {
    static let asOf = LocalDate(year: 2026, month: 11, day: 30)!

    static func cell(_ region: String, _ node: String, _ group: String, daysAgo: Int) -> ActivityCell {
        ActivityCell(
            region: region,
            node: node,
            kind: "DELIVERY",
            tier: "S",
            funding: "PERMANENT",
            date: asOf.adding(days: -daysAgo),
            targetGroups: [group],
            ageBands: ["M3_12"],
            professions: ["PHN"],
            programmes: ["COS_P"]
        )
    }

    @Test func theHeatmapBandsRatesByTheMedianWithholdsSmallCellsAndShowsNoData() throws {
        let counters: [(ActivityCell, ActivityCount)] = [
            (Self.cell("NO-SOROST", "NO-SOROST-OUS", "PND", daysAgo: 10), ActivityCount(events: 60, families: 40)),
            (Self.cell("NO-VEST", "NO-VEST-BERGEN", "PND", daysAgo: 20), ActivityCount(events: 3, families: 3)),
            (Self.cell("NO-MIDT", "NO-MIDT-STOLAV", "PND", daysAgo: 30), ActivityCount(events: 14, families: 9)),
            // Each region's first activity, 500 days ago: the store covers the whole window for them.
            (Self.cell("NO-SOROST", "NO-SOROST-OUS", "ALL", daysAgo: 500), ActivityCount(events: 1)),
            (Self.cell("NO-VEST", "NO-VEST-BERGEN", "ALL", daysAgo: 500), ActivityCount(events: 1)),
            (Self.cell("NO-MIDT", "NO-MIDT-STOLAV", "ALL", daysAgo: 500), ActivityCount(events: 1)),
        ]
        let views = DashboardViews.build(
            counters: counters,
            taxonomy: InProcessDaemons.taxonomy,
            thresholds: .standard,
            asOf: Self.asOf
        )
        let norway = try #require(views.heatmap.first { $0.country == "NO" })
        func cell(_ region: String) throws -> DashboardViews.Cell {
            try #require(norway.cells.first { $0.region == region && $0.targetGroup == "PND" })
        }
        // Every node of NO-NORD is silent: its cells say "no data", never "no service".
        #expect(norway.regions.first { $0.code == "NO-NORD" }?.noData == true)
        #expect(try cell("NO-NORD").band == .noData && cell("NO-NORD").events == nil)
        // Three events in NO-VEST: withheld, rate and all.
        #expect(try cell("NO-VEST").suppressed && cell("NO-VEST").events == nil && cell("NO-VEST").rate == nil)
        #expect(try cell("NO-VEST").band == .suppressed)
        // The median is the coverage table's (over the compared regions' published rates: NO-VEST's 3 read as 4);
        // the bands follow G2's lines.
        let table = try #require(norway.nationalMedian["PND"])
        let sorost = try cell("NO-SOROST")
        #expect(sorost.events == 60)
        #expect(abs((sorost.ratio ?? 0) - (sorost.rate ?? 0) / table) < 1e-9)
        #expect(sorost.band == DashboardViews.band(sorost.ratio))
        #expect(abs(table - 1000 * 14 / 6_950.0) < 1e-9, "the median of 2.05, 0.35 and 2.01")
        #expect(views.events == 80)
        // The silent nodes are named, and NO-SOROST-OUS reported ten days ago.
        let ous = try #require(views.localNodes.first { $0.code == "NO-SOROST-OUS" })
        #expect(ous.lastReport == Self.asOf.adding(days: -10).iso && ous.daysSinceReport == 10 && !ous.stale)
        #expect(views.localNodes.first { $0.code == "NO-NORD-BODO" }?.stale == true)
        // COS_P was delivered in the three regions that reported it.
        #expect(views.programmes.first { $0.code == "COS_P" }?.deliveredIn == ["NO-MIDT", "NO-SOROST", "NO-VEST"])
    }

    @Test(arguments: [
        (0.49, DashboardViews.Band.farBelow), (0.5, .below), (0.74, .below), (0.75, .near), (1.25, .near),
        (1.26, .above),
    ])
    func bandsFollowTheRateShortfallLines(ratio: Double, band: DashboardViews.Band) {
        #expect(DashboardViews.band(ratio) == band)
    }

    @Test func trendsCountEventsPerQuarterAndWithholdSmallCounts() throws {
        let counters: [(ActivityCell, ActivityCount)] = [
            (Self.cell("NO-VEST", "NO-VEST-BERGEN", "PND", daysAgo: 5), ActivityCount(events: 7)),
            (Self.cell("NO-VEST", "NO-VEST-BERGEN", "PND", daysAgo: 100), ActivityCount(events: 2)),
            (Self.cell("NO-VEST", "NO-VEST-BERGEN", "PND", daysAgo: 3000), ActivityCount(events: 50)),
        ]
        let views = DashboardViews.build(
            counters: counters,
            taxonomy: InProcessDaemons.taxonomy,
            thresholds: .standard,
            asOf: Self.asOf
        )
        // Eight complete quarters and the running one (2026-Q4, as of 30 November).
        #expect(views.trends.quarters.count == 9)
        #expect(views.trends.quarters.first == "2024-Q4" && views.trends.quarters.last == "2026-Q4")
        #expect(views.trends.partial == Array(repeating: false, count: 8) + [true])
        let series = try #require(views.trends.series.first { $0.region == "NO-VEST" && $0.targetGroup == "PND" })
        // 7 this quarter and 2 in Q3: the 2 is withheld, and so is every quarter the 12-month window covers
        // (2025-Q4 … 2026-Q4), else NO-VEST's published 9 for the window minus the 7 would give it back. The event
        // eight years ago is outside every quarter shown.
        #expect(views.trends.inWindow == Array(repeating: false, count: 4) + Array(repeating: true, count: 5))
        #expect(series.events == [0, 0, 0, 0, nil, nil, nil, nil, nil])
    }
}
