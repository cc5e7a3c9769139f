import KnutepunktGaps

/// The body of a COVERAGE request (KPC, docs/protocol.md): one region's coverage per target group, as the hub's
/// coverage table has it.
package struct CoverageRequest: Codable, Sendable, Hashable {
    package var region: String

    package init(region: String) { self.region = region }
}

/// The body of COVERAGE_RESULT: a region's coverage per target group beside the national median, over the gap
/// rules' window, from the hub's live gap facts (``CoverageTable``). Published figures only: a count of 1 to 4 is
/// withheld (`events`/`families` absent, `withheld` true) and its rate with it, exactly as the dashboard's heatmap and
/// `knutepunkt coverage` publish them.
package struct RegionCoverage: Codable, Sendable, Hashable {
    package struct Group: Codable, Sendable, Hashable {
        package var targetGroup: String
        /// Events and families reached in the window; absent when withheld or the region does not report.
        package var events: Int?
        package var families: Int?
        /// Events per 1,000 births, the national median of the regions compared, and their ratio.
        package var rate: Double?
        package var median: Double?
        package var ratio: Double?
        /// ``CoverageTable/Band``: `far-below`, `below`, `near`, `above`, `none`, `suppressed`, `absent`, `no-data`,
        /// `not-enough-data`.
        package var band: String
        /// The counts are under 5 and not shown.
        package var withheld: Bool

        package init(_ cell: CoverageTable.Cell, median: Double?) {
            targetGroup = cell.targetGroup
            events = cell.events
            families = cell.families
            rate = cell.rate
            self.median = median
            ratio = cell.ratio
            band = cell.band.rawValue
            withheld = cell.suppressed
        }
    }

    package var region: String
    /// The day the facts are as of (`YYYY-MM-DD`) and the window's length in months.
    package var asOf: String
    package var windowMonths: Int
    /// In the taxonomy's order of target groups.
    package var groups: [Group]

    package init(region: String, asOf: String, windowMonths: Int, groups: [Group]) {
        self.region = region
        self.asOf = asOf
        self.windowMonths = windowMonths
        self.groups = groups
    }

    /// The region's rows of `table`; nil when the table has no such region.
    package init?(region: String, table: CoverageTable, windowMonths: Int) {
        guard table.regions.contains(region) else { return nil }
        self.init(
            region: region,
            asOf: table.asOf.iso,
            windowMonths: windowMonths,
            groups: table.targetGroups.compactMap { group in
                table.cell(region, group).map { Group($0, median: table.nationalMedian[group]) }
            }
        )
    }
}
