import KnutepunktDomain

/// Region × target group: activities and families reached per 1,000 births, beside the national median — the
/// "equal services wherever you live" view. Cells with fewer than ``minimumCell`` events are suppressed, so no
/// family can be singled out (DOMAIN.md §5).
package struct CoverageTable: Sendable, Hashable {
    /// Smallest count shown; smaller non-zero counts show as "<5".
    package static let minimumCell = SmallCells.minimum

    package struct Cell: Sendable, Hashable {
        package var region: String
        package var targetGroup: String
        /// Events in the window; nil when suppressed (1…4).
        package var events: Int?
        /// Families reached; nil when suppressed.
        package var families: Int?
        /// Events per 1,000 births; nil when suppressed or the region has no births figure.
        package var rate: Double?
        /// True when the counts are hidden because they are below ``CoverageTable/minimumCell``.
        package var suppressed: Bool
    }

    package var asOf: LocalDate
    package var regions: [String]
    package var targetGroups: [String]
    package var cells: [Cell]
    /// The median rate across regions, per target group (computed from the unsuppressed rates of every region).
    package var nationalMedian: [String: Double]

    /// The table for one country's facts.
    package init(facts: GapFacts, taxonomy: Taxonomy) {
        asOf = facts.asOf
        regions = taxonomy.regions.map(\.code).filter { facts.regions[$0] != nil }
        targetGroups = taxonomy.targetGroups.map(\.code)
        var cells: [Cell] = []
        var median: [String: Double] = [:]
        for group in targetGroups {
            var rates: [Double] = []
            for region in regions {
                guard let regionFacts = facts.regions[region] else { continue }
                let events = regionFacts.events[group] ?? 0
                let families = regionFacts.families[group] ?? 0
                let rate = regionFacts.rate(group)
                if let rate { rates.append(rate) }
                let hidden = (1..<Self.minimumCell).contains(events)
                cells.append(
                    Cell(
                        region: region,
                        targetGroup: group,
                        events: hidden ? nil : events,
                        families: hidden || (1..<Self.minimumCell).contains(families) ? nil : families,
                        rate: hidden ? nil : rate,
                        suppressed: hidden
                    )
                )
            }
            // The median is an aggregate over regions, not a cell: it uses every region's true rate.
            rates.sort()
            if !rates.isEmpty {
                median[group] =
                    rates.count % 2 == 1
                    ? rates[rates.count / 2] : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
            }
        }
        self.cells = cells
        nationalMedian = median
    }

    /// The cell for one region and target group.
    package func cell(_ region: String, _ targetGroup: String) -> Cell? {
        cells.first { $0.region == region && $0.targetGroup == targetGroup }
    }

    /// The table as CSV: one row per region and target group; suppressed counts are written `<5`.
    package var csv: String {
        var lines = ["region,target_group,events,families,rate_per_1000_births,national_median"]
        for cell in cells {
            let events = cell.events.map(String.init) ?? (cell.suppressed ? "<5" : "")
            let families = cell.families.map(String.init) ?? "<5"
            let rate = cell.rate.map { Self.format($0) } ?? ""
            let median = nationalMedian[cell.targetGroup].map { Self.format($0) } ?? ""
            lines.append("\(cell.region),\(cell.targetGroup),\(events),\(families),\(rate),\(median)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Two decimals, without locale.
    package static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths % 100)
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
