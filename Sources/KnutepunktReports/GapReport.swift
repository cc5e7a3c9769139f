import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore

/// The gap report from what a hub holds: the store's activity counters (never the event table) are folded into the
/// facts the gap rules read; each country of the network is evaluated on its own. Gaps the hub has open carry the
/// day they were opened.
package struct GapReport: Sendable {
    package var asOf: LocalDate
    package var findings: [GapFinding]
    package var suppressed: [GapFinding]
    package var staleRegions: [String]
    /// Events counted (the store's activity counters).
    package var events: Int
    /// The day each gap the hub has open was opened, by gap key.
    package var openedOn: [String: LocalDate] = [:]
    /// The facts each country of the network was evaluated on, with its taxonomy (for coverage and programme views).
    package var countries: [(code: String, facts: GapFacts, taxonomy: Taxonomy)] = []

    /// Evaluates the store at `location` (either backend, opened the one way stores are opened) as of `asOf`.
    package static func evaluate(
        location: HubStoreLocation,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate
    ) throws -> GapReport {
        let store = try location.open()
        defer { try? store.close() }
        return try evaluate(store: store, named: "\(location)", taxonomy: taxonomy, thresholds: thresholds, asOf: asOf)
    }

    /// Evaluates an open store (any backend; `name` says which in messages) as of `asOf`.
    package static func evaluate(
        store: any HubStore,
        named storePath: String,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate
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
        let evaluation = network.evaluate(thresholds: thresholds)
        var report = GapReport(
            asOf: asOf,
            findings: evaluation.findings,
            suppressed: evaluation.suppressed,
            staleRegions: evaluation.staleRegions,
            events: coverage.counted
        )
        for gap in try store.loadGaps()?.open ?? [] where gap.openedOn <= asOf {
            report.openedOn[gap.finding.key] = gap.openedOn
        }
        report.countries = network.countries.map { ($0.code, $0.facts, $0.taxonomy) }
        report.findings.sort { ($0.region ?? "", $0.rule, $0.key) < ($1.region ?? "", $1.rule, $1.key) }
        return report
    }
}
