import KnutepunktDomain
import KnutepunktGaps

extension DashboardViews {
    /// Folds the hub's activity counters into every view, as of `asOf`: one pass over the counters feeds the gap
    /// facts (for the heatmap, the summary, the registry and the nodes) and the quarterly trends. `heard` is the
    /// hub's record of when each node daemon was last heard, `daemonRegions` the region each reports for.
    package static func build(
        counters: some Sequence<(ActivityCell, ActivityCount)>,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate,
        heard: [String: LocalDate] = [:],
        daemonRegions: [String: String] = [:]
    ) -> DashboardViews {
        var network = NetworkGapFacts(taxonomy: taxonomy, asOf: asOf, windowMonths: thresholds.windowMonths)
        var trends = QuarterlyTrends.Builder(asOf: asOf, windowMonths: thresholds.windowMonths)
        var events = 0
        for (cell, count) in counters {
            network.add(cell, count)
            trends.add(cell, count)
            events += count.events
        }
        network.noteHeard(heard, regionOf: daemonRegions)
        let (evaluation, overview) = network.evaluateWithOverview(thresholds: thresholds)
        let staleNodes = Set(evaluation.findings.filter { $0.rule == .d1StaleNode }.compactMap(\.node))
        let statuses = evaluation.statuses

        var heatmap: [HeatmapCountry] = []
        var coverage = ReportTable(columns: [])
        var delivered: [String: Set<String>] = [:]
        var localNodes: [LocalNode] = []
        for country in network.countries {
            let facts = country.facts
            let table = CoverageTable(facts: facts, taxonomy: country.taxonomy, thresholds: thresholds)
            let rows = table.table(country: country.code)
            coverage.columns = rows.columns
            coverage.rows += rows.rows
            heatmap.append(
                heatmapCountry(country.code, table: table, facts: facts, taxonomy: country.taxonomy, statuses)
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
                            || statuses[node.region]?.silentNodes.contains(node.code) == true
                    )
                )
            }
        }
        let regionsShown = Set(heatmap.flatMap { $0.regions.map(\.code) })
        return DashboardViews(
            asOf: asOf.iso,
            events: events,
            heatmap: heatmap,
            coverage: coverage,
            trends: trends.trends(
                regions: taxonomy.regions.map(\.code).filter(regionsShown.contains),
                targetGroups: taxonomy.targetGroups.map(\.code)
            ),
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
            localNodes: localNodes,
            overview: overview
        )
    }

    private static func heatmapCountry(
        _ code: String,
        table: CoverageTable,
        facts: GapFacts,
        taxonomy: Taxonomy,
        _ statuses: [String: RegionStatus]
    ) -> HeatmapCountry {
        let regions = table.regions.map { region in
            let status = statuses[region]
            return Region(
                code: region,
                name: taxonomy.region(region)?.name ?? region,
                births: facts.regions[region]?.births ?? 0,
                noData: status?.reports == false,
                notEnoughData: status.map { $0.reports && !$0.covers(from: facts.windowFirstDay) } ?? false,
                staleNodes: status?.silentNodes ?? []
            )
        }
        let cells = table.cells.map { cell in
            Cell(
                region: cell.region,
                targetGroup: cell.targetGroup,
                events: cell.events,
                families: cell.families,
                rate: cell.rate,
                ratio: cell.ratio,
                band: cell.band,
                suppressed: cell.suppressed
            )
        }
        return HeatmapCountry(
            country: code,
            windowStart: facts.windowStart.iso,
            asOf: facts.asOf.iso,
            regions: regions,
            targetGroups: taxonomy.targetGroups.map { Label(code: $0.code, name: $0.name, nameNb: $0.name(in: .nb)) },
            cells: cells,
            nationalMedian: table.nationalMedian
        )
    }

    /// The band of a ratio to the median, on G2's lines (0.5 and 0.75) and a quarter above.
    package static func band(_ ratio: Double?) -> Band { CoverageTable.band(ratio) }
}
