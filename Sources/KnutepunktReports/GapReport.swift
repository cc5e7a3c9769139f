import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktStore

/// The gap report from what a hub holds: the store's activity counters (never the event table) are folded into the
/// facts the gap rules read, with the hub's record of when each node daemon was last heard; each country of the
/// network is evaluated on its own. The report opens with a national summary per target group and the data notes,
/// then the findings ranked (severity × births affected × confidence) and grouped. Every format
/// (``text(language:statistics:color:)``, ``json()``, ``table(_:)``) lists them in the same order, as gap records:
/// the form in which a gap leaves the hub, counts under 5 withheld.
package struct GapReport: Sendable {
    package var asOf: LocalDate
    /// The findings, highest priority first, group by group.
    package var findings: [GapFinding]
    /// The groups, highest priority first.
    package var groups: [GapGroup]
    package var overview: GapOverview
    /// Regions that do not report.
    package var staleRegions: [String]
    /// Events counted (the store's activity counters).
    package var events: Int
    /// The day each gap the hub has open was opened, by gap key.
    package var openedOn: [String: LocalDate] = [:]
    /// The facts each country of the network was evaluated on, with its taxonomy (for coverage and programme views).
    package var countries: [(code: String, facts: GapFacts, taxonomy: Taxonomy)] = []
    /// The whole taxonomy (labels for group headlines).
    package var taxonomy: Taxonomy
    package var thresholds: GapThresholds

    /// Evaluates the store at `location` (either backend, opened the one way stores are opened) as of `asOf`.
    package static func evaluate(
        location: HubStoreLocation,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate,
        daemonRegions: [String: String] = [:]
    ) throws -> GapReport {
        let store = try location.open()
        defer { try? store.close() }
        return try evaluate(
            store: store,
            named: "\(location)",
            taxonomy: taxonomy,
            thresholds: thresholds,
            asOf: asOf,
            daemonRegions: daemonRegions
        )
    }

    /// Evaluates an open store (any backend; `name` says which in messages) as of `asOf`. `daemonRegions` maps each
    /// node daemon the hub grants to the region it reports for, so the hub's record of contact can be read.
    package static func evaluate(
        store: any HubStore,
        named storePath: String,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate,
        daemonRegions: [String: String] = [:]
    ) throws -> GapReport {
        let coverage = try store.activityCountCoverage()
        guard coverage.counted == coverage.stored else {
            throw ReportError(
                code: .countersOutOfDate,
                message: """
                    the activity counters in \(storePath) hold \(coverage.counted) events but the store holds \
                    \(coverage.stored); run `knutepunkt hub rebuild-aggregates --config HUB_CONFIG` (the hub also \
                    rebuilds them when it starts)
                    """
            )
        }
        var network = NetworkGapFacts(taxonomy: taxonomy, asOf: asOf, windowMonths: thresholds.windowMonths)
        try store.forEachActivityCount { network.add($0, $1) }
        network.noteHeard(try store.lastHeard().mapValues { LocalDate.today(now: $0) }, regionOf: daemonRegions)
        network.setReturns(
            try store.expectedReturns(taxonomy: taxonomy, asOf: asOf, timelyDays: thresholds.timelyDays)
        )
        var report = make(network: network, taxonomy: taxonomy, thresholds: thresholds, events: coverage.counted)
        for gap in try store.loadGaps()?.open ?? [] where gap.openedOn <= asOf {
            report.openedOn[gap.finding.key] = gap.openedOn
        }
        return report
    }

    /// The report of folded facts (``NetworkGapFacts``): pure, for tests and for the stores alike.
    package static func make(
        network: NetworkGapFacts,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        events: Int
    ) -> GapReport {
        let (evaluation, overview) = network.evaluateWithOverview(thresholds: thresholds)
        let groups = GapGrouping.groups(evaluation.findings, taxonomy: taxonomy)
        let byKey = Dictionary(evaluation.findings.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return GapReport(
            asOf: network.countries.first?.facts.asOf ?? LocalDate.today(),
            findings: groups.flatMap { $0.keys.compactMap { byKey[$0] } },
            groups: groups,
            overview: overview,
            staleRegions: evaluation.staleRegions,
            events: events,
            countries: network.countries.map { ($0.code, $0.facts, $0.taxonomy) },
            taxonomy: taxonomy,
            thresholds: thresholds
        )
    }

    /// Only the findings about `region` (and the national ones), and only those of `rule`; the summary stays
    /// national, the notes keep `region`'s.
    package func filtered(region: String?, rule: GapRule?) -> GapReport {
        var report = self
        report.findings = findings.filter { finding in
            (rule == nil || finding.rule == rule)
                && (region == nil || finding.region == nil || finding.region == region)
        }
        let kept = Set(report.findings.map(\.key))
        report.groups = groups.compactMap { group in
            var group = group
            group.keys = group.keys.filter(kept.contains)
            return group.keys.isEmpty ? nil : group
        }
        if let region { report.overview.notes = overview.notes.filter { $0.region == region } }
        return report
    }

    /// The findings as they leave the hub, in the report's order.
    package var records: [GapRecord] {
        findings.map { GapRecord($0, openedOn: openedOn[$0.key]) }
    }

    /// The regions of the network (the ones a `--region` may name).
    package var networkRegions: [String] {
        countries.flatMap { $0.taxonomy.regions.map(\.code) }
    }
}
