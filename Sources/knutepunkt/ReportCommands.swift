import ArgumentParser
import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktReports

struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Region × target group: activities per 1,000 births beside the national median.",
        discussion: """
            Counts below 5 are shown as <5 (and their rates left out), so no family can be singled out; a region \
            without reports shows "no data", one the store does not cover for the whole window "not enough data". \
            Every format lists the cells in the same order: target group by target group, regions in taxonomy order.
            """
    )

    @OptionGroup var options: HubReportOptions
    @OptionGroup var format: ReportFormatOptions

    @Option(name: .long, help: "Only this region (e.g. NO-NORD).")
    var region: String?

    func run() async throws {
        let (report, _) = try await options.report()
        let wanted = try ReportFilters.region(region, among: report.networkRegions)
        var tables: [(country: String, table: CoverageTable, rows: ReportTable)] = []
        for country in report.countries {
            let table = CoverageTable(facts: country.facts, taxonomy: country.taxonomy, thresholds: report.thresholds)
            var rows = table.table(country: country.code)
            if let wanted { rows.rows = rows.rows.filter { $0[1] == .text(wanted) } }
            tables.append((country.code, table, rows))
        }
        var all = ReportTable(columns: tables.first?.rows.columns ?? [])
        for entry in tables { all.rows += entry.rows.rows }
        if format.printTable(all) { return }
        let language = format.chosenLanguage
        for (country, table, _) in tables {
            let regions = table.regions.filter { wanted == nil || $0 == wanted }
            print(
                language == .en
                    ? "coverage in \(country), 12 months to \(table.asOf.iso): activities per 1,000 births"
                    : "dekning i \(country), 12 måneder til \(table.asOf.iso): aktiviteter per 1 000 fødte"
            )
            var text = ReportTable(columns: [language == .en ? "target group" : "målgruppe"] + regions + ["median"])
            for group in table.targetGroups {
                let cells = regions.map { region -> ReportTable.Value in
                    guard let cell = table.cell(region, group) else { return .empty }
                    switch cell.band {
                    case .noData: return .text(language == .en ? "no data" : "ingen data")
                    case .suppressed: return .withheld
                    case .absent: return .text(language == .en ? "0 (gap)" : "0 (mangel)")
                    default:
                        let rate = cell.rate.map { CoverageTable.format($0) } ?? "–"
                        return .text(cell.band == .notEnoughData ? "\(rate) (?)" : rate)
                    }
                }
                text.rows.append(
                    [.text(group)] + cells + [table.nationalMedian[group].map { .decimal($0, digits: 2) } ?? .text("–")]
                )
            }
            print(text.text(), terminator: "")
            if table.cells.contains(where: { $0.band == .notEnoughData }) {
                print(
                    language == .en
                        ? "(?) not enough data yet: the store does not cover the whole window for that region"
                        : "(?) ikke nok data ennå: lageret dekker ikke hele perioden for den regionen"
                )
            }
        }
    }
}

struct ProgrammesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programmes",
        abstract: "The clearinghouse view: each programme, its evidence band, its ratings and where it is delivered."
    )

    @OptionGroup var options: HubReportOptions
    @OptionGroup var format: ReportFormatOptions

    func run() async throws {
        let (report, taxonomy) = try await options.report()
        let table = ProgrammeTable.make(report: report, taxonomy: taxonomy)
        if format.printTable(table) { return }
        let en = format.chosenLanguage == .en
        for row in table.rows {
            let text = row.map { ReportTable.text($0, decimalMark: ".") }
            print(
                text[0].padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                    + text[2].padding(toLength: 13, withPad: " ", startingAt: 0) + " " + text[1]
            )
            print(
                "           \(en ? "ratings" : "vurderinger"): \(text[4].isEmpty ? (en ? "none" : "ingen") : text[4])"
            )
            print(
                "           \(en ? "delivered in" : "levert i"): "
                    + (text[5].isEmpty ? (en ? "no region" : "ingen region") : text[5])
            )
        }
    }
}
