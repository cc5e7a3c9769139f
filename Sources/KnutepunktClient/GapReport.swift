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
        let validator = EventValidator(taxonomy: taxonomy)
        let today = LocalDate.today()
        var builders = Dictionary(
            uniqueKeysWithValues: taxonomy.networkCountries.map { country in
                (
                    country,
                    GapFacts.Builder(
                        asOf: asOf,
                        taxonomy: taxonomy.network(ofCountry: country),
                        windowMonths: thresholds.windowMonths
                    )
                )
            }
        )
        var events = 0
        var unreadable = 0
        try store.forEachPayload { payload in
            events += 1
            guard let object = try? JSONValue.parse(payload),
                case .success(let event) = validator.validate(object, defaults: .hub, today: max(today, asOf)),
                let country = taxonomy.region(event.region)?.country
            else {
                unreadable += 1
                return
            }
            builders[country]?.add(event)
        }
        var report = GapReport(
            asOf: asOf,
            findings: [],
            suppressed: [],
            staleRegions: [],
            events: events,
            unreadable: unreadable
        )
        for country in taxonomy.networkCountries {
            guard let facts = builders[country]?.facts else { continue }
            let network = taxonomy.network(ofCountry: country)
            report.countries.append((country, facts, network))
            let evaluation = GapEvaluator.evaluate(facts, taxonomy: network, thresholds: thresholds)
            report.findings += evaluation.findings
            report.suppressed += evaluation.suppressed
            report.staleRegions += evaluation.staleRegions
        }
        report.findings.sort { ($0.region ?? "", $0.rule, $0.key) < ($1.region ?? "", $1.rule, $1.key) }
        return report
    }
}
