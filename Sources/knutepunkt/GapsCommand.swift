import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktReports

/// What every report over the hub's store takes: the hub's configuration, a date and the thresholds.
struct HubReportOptions: ParsableArguments {
    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    @Option(name: .long, help: "Evaluate as of this date (YYYY-MM-DD) instead of today.")
    var asOf: String?

    @Option(name: .long, help: "The thresholds file (default: gaps.yaml beside the taxonomy).")
    var thresholds: String?

    /// Reads the hub's store and evaluates it.
    func report() async throws -> (GapReport, Taxonomy) {
        guard case (.hub(let hub), let taxonomy) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; reports are read from the hub's configuration")
        }
        let limits = try loadGapThresholds(thresholds, besideTaxonomy: hub.taxonomyPath, taxonomy: taxonomy)
        var date = LocalDate.today()
        if let asOf {
            guard let parsed = LocalDate(iso: asOf) else {
                throw ValidationError("--as-of \(asOf) is not a date; write YYYY-MM-DD, e.g. 2026-06-30")
            }
            date = parsed
        }
        do {
            let name = "\(hub.storage)"
            let asOf = date
            let daemonRegions = Dictionary(
                hub.nodes.map { ($0.id, $0.region) },
                uniquingKeysWith: { first, _ in first }
            )
            let report = try await hub.storage.withStore { store in
                try GapReport.evaluate(
                    store: store,
                    named: name,
                    taxonomy: taxonomy,
                    thresholds: limits,
                    asOf: asOf,
                    daemonRegions: daemonRegions
                )
            }
            return (report, taxonomy)
        } catch let error as ReportError where error.code == .countersOutOfDate {
            throw ValidationError(error.message.replacingOccurrences(of: "HUB_CONFIG", with: config))
        }
    }
}

/// How every report prints: text for a terminal, or one of the machine formats, with the rows in the same order.
struct ReportFormatOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Print CSV (comma, decimal point).")
    var csv = false

    @Flag(name: .long, help: "Print CSV for Norwegian Excel (semicolons, decimal commas, UTF-8 byte order mark).")
    var excel = false

    @Option(name: .long, help: "The language of the text: en (English) or nb (Norwegian bokmål).")
    var language: String = "en"

    func validate() throws {
        if [json, csv, excel].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --json, --csv and --excel")
        }
        if Language(rawValue: language) == nil {
            throw ValidationError("--language \(language) is not known; use en (English) or nb (Norwegian bokmål)")
        }
    }

    var chosenLanguage: Language { Language(rawValue: language) ?? .en }

    /// Prints `table` in the chosen machine format; false when text was chosen.
    func printTable(_ table: ReportTable) -> Bool {
        if json {
            print(table.json())
        } else if csv {
            print(table.csv(.csv), terminator: "")
        } else if excel {
            print(table.csv(.excel), terminator: "")
        } else {
            return false
        }
        return true
    }
}

/// `--region` and `--rule` as every report reads them: a code it knows, or an error with a "did you mean".
enum ReportFilters {
    static func region(_ region: String?, among regions: [String]) throws -> String? {
        guard let region else { return nil }
        guard regions.contains(region) else {
            let suggestion = NearestName.suggest(region, from: regions).map { "did you mean \($0)? " } ?? ""
            throw ValidationError(
                "unknown region \(region); \(suggestion)the regions of the network are \(regions.joined(separator: ", "))"
            )
        }
        return region
    }

    static func rule(_ rule: String?) throws -> GapRule? {
        guard let rule else { return nil }
        if let found = GapRule.allCases.first(where: {
            $0.rawValue == rule.uppercased() || $0.name == rule.uppercased()
        }) {
            return found
        }
        let names = GapRule.allCases.flatMap { [$0.rawValue, $0.name] }
        let suggestion = NearestName.suggest(rule, from: names).map { "did you mean \($0)? " } ?? ""
        let all = GapRule.allCases.map { "\($0.rawValue) (\($0.name))" }.joined(separator: ", ")
        throw ValidationError("unknown rule \(rule); \(suggestion)the rules are \(all)")
    }
}

struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Report the service gaps in what the hub holds: a national summary, then the findings ranked.",
        discussion: """
            Evaluates the gap rules (G1–G13, D1; DOMAIN.md §4) over the hub's store, with the thresholds in \
            gaps.yaml beside the taxonomy (or --thresholds). Opens with a national summary per target group and the \
            data notes (regions without reports, or not enough data yet), then the findings ranked by severity × \
            births affected × confidence, repeated ones grouped. Every format lists them in the same order and \
            withholds counts under 5. Safe while the hub runs: it only reads.
            """
    )

    @OptionGroup var options: HubReportOptions
    @OptionGroup var format: ReportFormatOptions

    @Option(name: .long, help: "Only this region (e.g. NO-NORD); national findings are always shown.")
    var region: String?

    @Option(name: .long, help: "Only this rule (e.g. G1 or ABSENT_SERVICE).")
    var rule: String?

    @Flag(name: .long, help: "Show each finding's statistics (inputs and thresholds) under it.")
    var statistics = false

    func run() async throws {
        let wantedRule = try ReportFilters.rule(rule)
        let (full, _) = try await options.report()
        let wantedRegion = try ReportFilters.region(region, among: full.networkRegions)
        let report = full.filtered(region: wantedRegion, rule: wantedRule)
        if format.json {
            print(report.json())
        } else if !format.printTable(report.table(format.excel ? .excel : .csv)) {
            print(
                report.text(language: format.chosenLanguage, statistics: statistics, color: isatty(STDOUT_FILENO) == 1)
            )
        }
    }
}

/// The gap thresholds in `path`, or in gaps.yaml beside the taxonomy file (DOMAIN.md's defaults when there is none).
func loadGapThresholds(
    _ path: String?,
    besideTaxonomy taxonomyPath: String,
    taxonomy: Taxonomy
) throws
    -> GapThresholds
{
    let file =
        path ?? ((taxonomyPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("gaps.yaml")
    if path == nil, !FileManager.default.fileExists(atPath: file) { return .standard }
    do {
        return try GapThresholdsFile.load(path: file, taxonomy: taxonomy)
    } catch {
        throw ValidationError("threshold problems:\n\(error)")
    }
}
