import KnutepunktDomain

/// Region × target group: activities and families reached per 1,000 births, beside the national median — the
/// "equal services wherever you live" view, for `knutepunkt coverage` and the dashboard's heatmap.
///
/// Everything here may leave the hub (``SmallCells``): counts of 1–4 are withheld, rates are published rates (a
/// withheld count read as 4, and then not shown for its own cell), and the national median is G2's, over the regions
/// that report and that the store covers for the window. A region that does not report shows no figures ("no
/// data"); one the store does not cover long enough shows its figures without a comparison ("not enough data yet").
/// A zero where other compared regions have some is marked as a gap, whatever the median (G1).
package struct CoverageTable: Sendable, Hashable {
    /// Smallest count shown; smaller non-zero counts show as "<5".
    package static let minimumCell = SmallCells.minimum

    /// How a cell compares (the heatmap's colour, always shown with a label too).
    package enum Band: String, Sendable, Hashable, Codable {
        /// Below half the median (G2's RED line).
        case farBelow = "far-below"
        /// Below three quarters of the median (G2's AMBER line).
        case below
        /// Within a quarter of the median either way.
        case near
        /// More than a quarter above the median.
        case above
        /// No median to compare with (no compared region serves the group).
        case none
        /// Counts under 5: withheld.
        case suppressed
        /// No activity here while other compared regions have some: a gap (G1), whatever the median.
        case absent
        /// The region does not report: no data, not no service.
        case noData = "no-data"
        /// The store does not cover the region for the whole window yet: figures without a comparison.
        case notEnoughData = "not-enough-data"
    }

    package struct Cell: Sendable, Hashable {
        package var region: String
        package var targetGroup: String
        /// Events in the window; nil when withheld (1…4) or the region does not report.
        package var events: Int?
        /// Families reached; nil when withheld or the region does not report.
        package var families: Int?
        /// Events per 1,000 births; nil when withheld, without births or without data.
        package var rate: Double?
        /// rate ÷ national median; nil without both, or when the region is not compared.
        package var ratio: Double?
        package var band: Band
        /// True when the counts are hidden because they are below ``CoverageTable/minimumCell``.
        package var suppressed: Bool
    }

    package var asOf: LocalDate
    package var regions: [String]
    package var targetGroups: [String]
    package var cells: [Cell]
    /// The national median rate per target group (``GapRules/nationalMedian(_:among:)``).
    package var nationalMedian: [String: Double]

    /// The table for one country's facts.
    package init(facts: GapFacts, taxonomy: Taxonomy, thresholds: GapThresholds) {
        asOf = facts.asOf
        regions = taxonomy.regions.map(\.code).filter { facts.regions[$0] != nil }
        targetGroups = taxonomy.targetGroups.map(\.code)
        let statuses = facts.statuses(thresholds)
        let compared = GapRules.readableInWindow(facts, thresholds)
        let comparedCodes = Set(compared.map(\.code))
        let withBirths = compared.filter { $0.facts.births > 0 }
        var cells: [Cell] = []
        var medians: [String: Double] = [:]
        for group in targetGroups {
            let median = GapRules.nationalMedian(group, among: withBirths)
            medians[group] = median
            let othersServe = compared.contains { $0.facts.events[group, default: 0] > 0 }
            for region in regions {
                let regionFacts = facts.regions[region]!
                guard statuses[region]?.reports == true else {
                    cells.append(
                        Cell(
                            region: region,
                            targetGroup: group,
                            events: nil,
                            families: nil,
                            rate: nil,
                            ratio: nil,
                            band: .noData,
                            suppressed: false
                        )
                    )
                    continue
                }
                let events = regionFacts.events[group] ?? 0
                let families = regionFacts.families[group] ?? 0
                let hidden = SmallCells.isSmall(events)
                let rate = hidden ? nil : GapRules.publishedRate(regionFacts, group)
                let isCompared = comparedCodes.contains(region)
                let ratio = isCompared ? rate.flatMap { rate in median.flatMap { $0 > 0 ? rate / $0 : nil } } : nil
                let band: Band
                if !isCompared {
                    band = .notEnoughData
                } else if hidden {
                    band = .suppressed
                } else if events == 0, othersServe {
                    band = .absent
                } else {
                    band = Self.band(ratio)
                }
                cells.append(
                    Cell(
                        region: region,
                        targetGroup: group,
                        events: hidden ? nil : events,
                        families: hidden || SmallCells.isSmall(families) ? nil : families,
                        rate: rate,
                        ratio: ratio,
                        band: band,
                        suppressed: hidden
                    )
                )
            }
        }
        self.cells = cells
        nationalMedian = medians
    }

    /// The cell for one region and target group.
    package func cell(_ region: String, _ targetGroup: String) -> Cell? {
        cells.first { $0.region == region && $0.targetGroup == targetGroup }
    }

    /// The band of a ratio to the median, on G2's lines (0.5 and 0.75) and a quarter above.
    package static func band(_ ratio: Double?) -> Band {
        guard let ratio else { return .none }
        if ratio < 0.5 { return .farBelow }
        if ratio < 0.75 { return .below }
        if ratio <= 1.25 { return .near }
        return .above
    }

    /// The table as rows for every report format (region × target group, in taxonomy order), with `country` as the
    /// first column.
    package func table(country: String) -> ReportTable {
        var table = ReportTable(columns: [
            "country", "region", "target_group", "events", "families", "rate_per_1000_births", "national_median",
            "ratio_to_median", "band",
        ])
        for group in targetGroups {
            for region in regions {
                guard let cell = cell(region, group) else { continue }
                let noData = cell.band == .noData
                table.rows.append([
                    .text(country), .text(region), .text(group),
                    noData ? .empty : cell.events.map { .integer($0) } ?? .withheld,
                    noData ? .empty : cell.families.map { .integer($0) } ?? .withheld,
                    noData
                        ? .empty : cell.rate.map { .decimal($0, digits: 2) } ?? (cell.suppressed ? .withheld : .empty),
                    nationalMedian[group].map { .decimal($0, digits: 2) } ?? .empty,
                    cell.ratio.map { .decimal($0, digits: 2) } ?? .empty,
                    .text(cell.band.rawValue),
                ])
            }
        }
        return table
    }

    /// Two decimals, without locale.
    package static func format(_ value: Double) -> String {
        ReportTable.text(.decimal(value, digits: 2), decimalMark: ".")
    }
}
