import KnutepunktDomain
import KnutepunktGaps

extension DashboardViews {
    /// Folds the hub's activity counters into every view, as of `asOf`: one pass over the counters feeds the gap
    /// facts (for the heatmap, the registry and the nodes) and the quarterly trends.
    package static func build(
        counters: some Sequence<(ActivityCell, ActivityCount)>,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate
    ) -> DashboardViews {
        var network = NetworkGapFacts(taxonomy: taxonomy, asOf: asOf, windowMonths: thresholds.windowMonths)
        var trends = TrendsBuilder(asOf: asOf)
        var events = 0
        for (cell, count) in counters {
            network.add(cell, count)
            trends.add(cell, count)
            events += count.events
        }
        let evaluation = network.evaluate(thresholds: thresholds)
        let staleNodes = Set(evaluation.findings.filter { $0.rule == .d1StaleNode }.compactMap(\.node))
        let staleRegions = Set(evaluation.staleRegions)

        var heatmap: [HeatmapCountry] = []
        var delivered: [String: Set<String>] = [:]
        var localNodes: [LocalNode] = []
        for country in network.countries {
            let facts = country.facts
            let table = CoverageTable(facts: facts, taxonomy: country.taxonomy)
            heatmap.append(
                heatmapCountry(
                    country.code,
                    table: table,
                    facts: facts,
                    taxonomy: country.taxonomy,
                    staleNodes: staleNodes,
                    staleRegions: staleRegions
                )
            )
            for (region, regionFacts) in facts.regions {
                for programmes in regionFacts.programmesByTargetGroup.values {
                    for programme in programmes { delivered[programme, default: []].insert(region) }
                }
            }
            for node in country.taxonomy.nodes where facts.regions[node.region] != nil {
                let last = facts.nodes[node.code]?.lastReport
                localNodes.append(
                    LocalNode(
                        code: node.code,
                        name: node.name,
                        town: node.town,
                        region: node.region,
                        lastReport: last?.iso,
                        daysSinceReport: last.map { $0.days(to: asOf) },
                        stale: staleNodes.contains(node.code)
                    )
                )
            }
        }
        let regionsShown = Set(heatmap.flatMap { $0.regions.map(\.code) })
        return DashboardViews(
            asOf: asOf.iso,
            events: events,
            heatmap: heatmap,
            trends: trends.trends(regions: taxonomy.regions.map(\.code).filter(regionsShown.contains), taxonomy),
            programmes: taxonomy.programmes.map { programme in
                Programme(
                    code: programme.code,
                    name: programme.name,
                    evidenceBand: programme.evidenceBand.rawValue,
                    tiers: programme.tiers,
                    ageBands: programme.ageBands,
                    targetGroups: programme.targetGroups,
                    tool: programme.tool,
                    ratings: programme.ratings.map {
                        Rating(system: $0.system, scaleVersion: $0.scaleVersion, rating: $0.rating, date: $0.date)
                    },
                    deliveredIn: (delivered[programme.code] ?? []).sorted()
                )
            },
            localNodes: localNodes
        )
    }

    private static func heatmapCountry(
        _ code: String,
        table: CoverageTable,
        facts: GapFacts,
        taxonomy: Taxonomy,
        staleNodes: Set<String>,
        staleRegions: Set<String>
    ) -> HeatmapCountry {
        let regions = table.regions.map { region in
            Region(
                code: region,
                name: taxonomy.region(region)?.name ?? region,
                births: facts.regions[region]?.births ?? 0,
                noData: staleRegions.contains(region),
                staleNodes: facts.nodes(inRegion: region).filter(staleNodes.contains).sorted()
            )
        }
        let cells = table.cells.map { cell -> Cell in
            if staleRegions.contains(cell.region) {
                return Cell(
                    region: cell.region,
                    targetGroup: cell.targetGroup,
                    events: nil,
                    families: nil,
                    rate: nil,
                    ratio: nil,
                    band: .noData,
                    suppressed: false
                )
            }
            let median = table.nationalMedian[cell.targetGroup]
            let ratio = cell.rate.flatMap { rate in median.flatMap { $0 > 0 ? rate / $0 : nil } }
            return Cell(
                region: cell.region,
                targetGroup: cell.targetGroup,
                events: cell.events,
                families: cell.families,
                rate: cell.rate,
                ratio: ratio,
                band: cell.suppressed ? .suppressed : band(ratio),
                suppressed: cell.suppressed
            )
        }
        return HeatmapCountry(
            country: code,
            windowStart: facts.windowStart.iso,
            asOf: facts.asOf.iso,
            regions: regions,
            targetGroups: table.targetGroups.map { Label(code: $0, name: taxonomy.name(ofTargetGroup: $0)) },
            cells: cells,
            nationalMedian: table.nationalMedian
        )
    }

    /// The band of a ratio to the median, on G2's lines (0.5 and 0.75) and a quarter above.
    package static func band(_ ratio: Double?) -> Band {
        guard let ratio else { return .none }
        if ratio < 0.5 { return .farBelow }
        if ratio < 0.75 { return .below }
        if ratio <= 1.25 { return .near }
        return .above
    }
}

extension Taxonomy {
    fileprivate func name(ofTargetGroup code: String) -> String {
        targetGroups.first { $0.code == code }?.name ?? code
    }
}

/// Adds up events per quarter, region and target group (an event counts once for each group it names).
struct TrendsBuilder {
    let quarterStarts: [LocalDate]
    var counts: [String: [Int]] = [:]

    init(asOf: LocalDate) {
        var starts = GapFacts.quarterStarts(asOf: asOf)
        starts.append(asOf.firstOfQuarter)
        // When asOf is a quarter's last day, that quarter is complete and already the last of the eight.
        if starts.count > 1, starts[starts.count - 1] == starts[starts.count - 2] { starts.removeLast() }
        quarterStarts = starts
        end = asOf
    }

    let end: LocalDate

    mutating func add(_ cell: ActivityCell, _ count: ActivityCount) {
        guard let first = quarterStarts.first, cell.date >= first, cell.date <= end else { return }
        let index = (quarterStarts.lastIndex { $0 <= cell.date }) ?? 0
        for group in cell.targetGroups {
            let key = "\(cell.region)|\(group)"
            var row = counts[key] ?? Array(repeating: 0, count: quarterStarts.count)
            row[index] += count.events
            counts[key] = row
        }
    }

    func trends(regions: [String], _ taxonomy: Taxonomy) -> DashboardViews.Trends {
        var series: [DashboardViews.Series] = []
        for region in regions {
            for group in taxonomy.targetGroups.map(\.code) {
                let row = counts["\(region)|\(group)"] ?? Array(repeating: 0, count: quarterStarts.count)
                series.append(
                    DashboardViews.Series(
                        region: region,
                        targetGroup: group,
                        events: row.map { SmallCells.isSmall($0) ? nil : $0 }
                    )
                )
            }
        }
        let running = end.firstOfQuarter
        return DashboardViews.Trends(
            quarters: quarterStarts.map { "\($0.year)-Q\($0.quarter)" },
            partial: quarterStarts.map { $0 == running && end != running.adding(months: 3).adding(days: -1) },
            series: series
        )
    }
}
