import ArgumentParser
import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktHub
import KnutepunktProtocol
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
            let report = try await hub.storage.withStore { store in
                try GapReport.evaluate(store: store, named: name, taxonomy: taxonomy, thresholds: limits, asOf: asOf)
            }
            return (report, taxonomy)
        } catch let error as ReportError where error.code == .countersOutOfDate {
            throw ValidationError(error.message.replacingOccurrences(of: "HUB_CONFIG", with: config))
        }
    }
}

struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "Report the service gaps found in what the hub holds, grouped by region.",
        discussion: """
            Evaluates the gap rules (G1–G13, D1; DOMAIN.md §4) over the hub's store, with the thresholds in \
            gaps.yaml beside the taxonomy (or --thresholds). Safe while the hub runs: it only reads.
            """
    )

    @OptionGroup var options: HubReportOptions

    @Option(name: .long, help: "Only this region (e.g. NO-NORD); national findings are always shown.")
    var region: String?

    @Option(name: .long, help: "Only this rule (e.g. G1 or ABSENT_SERVICE).")
    var rule: String?

    @Flag(name: .long, help: "Print the findings as JSON (counts under 5 withheld).")
    var json = false

    @Flag(name: .long, help: "Print the findings as CSV, one row per gap (counts under 5 withheld).")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("choose one of --json and --csv") }
    }

    func run() async throws {
        var wantedRule: GapRule?
        if let rule {
            guard let found = GapRule.allCases.first(where: { $0.rawValue == rule || $0.name == rule }) else {
                let names = GapRule.allCases.map { "\($0.rawValue) (\($0.name))" }.joined(separator: ", ")
                throw ValidationError("unknown rule \(rule); use one of \(names)")
            }
            wantedRule = found
        }
        let (report, _) = try await options.report()
        let findings = report.findings.filter { finding in
            (wantedRule == nil || finding.rule == wantedRule)
                && (region == nil || finding.region == nil || finding.region == region)
        }
        if json {
            print(GapText.json(findings, report: report))
        } else if csv {
            print(GapText.csv(findings, report: report), terminator: "")
        } else {
            print(GapText.text(findings, report: report, color: isatty(STDOUT_FILENO) == 1))
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

/// How findings read in a terminal, as JSON and as CSV: always through ``GapRecord``, the form in which a gap leaves
/// the hub (counts under 5 withheld), with the day the hub opened it where it has.
enum GapText {
    static func records(_ findings: [GapFinding], report: GapReport) -> [GapRecord] {
        findings.map { GapRecord($0, openedOn: report.openedOn[$0.key]) }
    }

    static func text(_ findings: [GapFinding], report: GapReport, color: Bool) -> String {
        var lines = ["gaps as of \(report.asOf.iso), from \(report.events) stored events"]
        if !report.staleRegions.isEmpty {
            lines.append("no data (every node silent): \(report.staleRegions.joined(separator: ", "))")
        }
        let groups = Dictionary(grouping: findings) { $0.region ?? "national" }
        for region in groups.keys.sorted(by: { ($0 == "national" ? "~" : $0) < ($1 == "national" ? "~" : $1) }) {
            let mine = groups[region] ?? []
            let red = mine.filter { $0.severity == .red }.count
            lines.append("")
            lines.append("\(region): \(red) red, \(mine.count - red) amber")
            for finding in mine.sorted(by: { ($1.severity, $0.rule) < ($0.severity, $1.rule) }) {
                let record = GapRecord(finding, openedOn: report.openedOn[finding.key])
                let severity = finding.severity == .red ? "RED  " : "AMBER"
                let shown =
                    color
                    ? (finding.severity == .red ? "\u{1B}[31m\(severity)\u{1B}[0m" : "\u{1B}[33m\(severity)\u{1B}[0m")
                    : severity
                lines.append(
                    "  \(shown) \(finding.rule.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)) \(record.message)"
                )
            }
        }
        if findings.isEmpty { lines.append("no gaps found") }
        return lines.joined(separator: "\n")
    }

    static func json(_ findings: [GapFinding], report: GapReport) -> String {
        String(decoding: JSONBody.encode(records(findings, report: report)), as: UTF8.self)
    }

    static func csv(_ findings: [GapFinding], report: GapReport) -> String {
        ([GapRecord.csvHeader] + records(findings, report: report).map(\.csvRow)).joined(separator: "\n") + "\n"
    }
}
