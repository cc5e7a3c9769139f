import Foundation
import KnutepunktConfig
import KnutepunktCore
import KnutepunktStore

/// The gap report from what a hub holds: every stored event is read back, validated, and folded into the facts the
/// gap rules read; each country of the network is evaluated on its own.
///
/// This reads the event table once per report. The hub's live evaluation keeps the facts up to date as events
/// arrive instead; the report is for the command line and exports.
package struct GapReport: Sendable {
    package var asOf: LocalDate
    package var findings: [GapFinding]
    package var suppressed: [GapFinding]
    package var staleRegions: [String]
    /// Events read from the store (and how many of them could not be read back as valid events).
    package var events: Int
    package var unreadable: Int
    /// The facts each country of the network was evaluated on, with its taxonomy (for coverage and programme views).
    package var countries: [(code: String, facts: GapFacts, taxonomy: Taxonomy)] = []

    /// Evaluates the store at `path` as of `asOf`.
    package static func evaluate(
        storePath: String,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        asOf: LocalDate
    ) throws -> GapReport {
        let store = try SQLiteHubStore.open(path: storePath)
        defer { try? store.close() }
        var network = NetworkGapFacts(taxonomy: taxonomy, asOf: asOf, windowMonths: thresholds.windowMonths)
        let (events, unreadable) = try store.forEachEvent(
            validator: EventValidator(taxonomy: taxonomy),
            today: max(LocalDate.today(), asOf)
        ) { network.add($0) }
        let evaluation = network.evaluate(thresholds: thresholds)
        var report = GapReport(
            asOf: asOf,
            findings: evaluation.findings,
            suppressed: evaluation.suppressed,
            staleRegions: evaluation.staleRegions,
            events: events,
            unreadable: unreadable
        )
        report.countries = network.countries.map { ($0.code, $0.facts, $0.taxonomy) }
        report.findings.sort { ($0.region ?? "", $0.rule, $0.key) < ($1.region ?? "", $1.rule, $1.key) }
        return report
    }
}
