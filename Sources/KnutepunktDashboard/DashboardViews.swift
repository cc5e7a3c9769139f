import KnutepunktDomain
import KnutepunktGaps

/// What the dashboard shows that is read from the hub's store (its activity counters and the taxonomy), as of one
/// day. Everything here has left the hub: counts under 5 are withheld, and nothing derived reveals one
/// (``SmallCells``).
package struct DashboardViews: Sendable, Hashable, Codable {
    /// The evaluation day (inclusive end of the 12-month window).
    package var asOf: String
    /// Events the activity counters hold.
    package var events: Int
    package var heatmap: [HeatmapCountry]
    /// The coverage table behind the heatmap, as every report writes it (for `heatmap.csv`).
    package var coverage: ReportTable
    package var trends: QuarterlyTrends
    package var programmes: [Programme]
    package var localNodes: [LocalNode]
    /// The national summary per target group and the data notes ("not enough data yet").
    package var overview: GapOverview

    /// How a cell compares (``CoverageTable/Band``).
    package typealias Band = CoverageTable.Band

    /// One country's region × target group table.
    package struct HeatmapCountry: Sendable, Hashable, Codable {
        package var country: String
        /// Exclusive start and inclusive end of the window.
        package var windowStart: String
        package var asOf: String
        package var regions: [Region]
        package var targetGroups: [Label]
        package var cells: [Cell]
        /// The median rate across the compared regions, per target group.
        package var nationalMedian: [String: Double]
    }

    package struct Region: Sendable, Hashable, Codable {
        package var code: String
        package var name: String
        package var births: Int
        /// The region does not report (every local node silent, its node daemons not heard from, or returns
        /// missing): its cells show "no data", not "no service".
        package var noData: Bool
        /// The store does not cover the whole window for it yet: figures without a comparison.
        package var notEnoughData: Bool
        /// Local nodes of the region that are silent (D1).
        package var staleNodes: [String]
    }

    package struct Label: Sendable, Hashable, Codable {
        package var code: String
        package var name: String
        /// The name in Norwegian bokmål.
        package var nameNb: String
    }

    package struct Cell: Sendable, Hashable, Codable {
        package var region: String
        package var targetGroup: String
        /// nil when withheld (1…4) or no data.
        package var events: Int?
        package var families: Int?
        /// Events per 1,000 births; nil when withheld or no data.
        package var rate: Double?
        /// rate ÷ national median; nil without both.
        package var ratio: Double?
        package var band: Band
        package var suppressed: Bool
        /// The hub's open gaps about this region and target group (filled in when served).
        package var gaps: [GapMarker] = []
    }

    /// A gap shown on a heatmap cell.
    package struct GapMarker: Sendable, Hashable, Codable {
        package var key: String
        package var rule: String
        package var severity: String
    }

    /// One entry of the programme registry.
    package struct Programme: Sendable, Hashable, Codable {
        package var code: String
        package var name: String
        package var evidenceBand: String
        package var tiers: [String]
        package var ageBands: [String]
        package var targetGroups: [String]
        package var tool: Bool
        package var ratings: [Rating]
        /// Regions that delivered it in the window.
        package var deliveredIn: [String]
    }

    package struct Rating: Sendable, Hashable, Codable {
        package var system: String
        package var scaleVersion: String?
        package var rating: String
        package var date: String?
    }

    /// A local node (hospital trust) as the activity counters know it.
    package struct LocalNode: Sendable, Hashable, Codable {
        package var code: String
        package var name: String
        package var town: String
        package var region: String
        /// The day of its latest reported activity; nil: never.
        package var lastReport: String?
        package var daysSinceReport: Int?
        /// Silent longer than the D1 threshold (or never reported).
        package var stale: Bool
    }
}
