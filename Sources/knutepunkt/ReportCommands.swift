import ArgumentParser
import Foundation
import KnutepunktGaps

struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Region × target group: activities per 1,000 births beside the national median.",
        discussion: "Counts below 5 are shown as <5 (and their rates left out), so no family can be singled out."
    )

    @OptionGroup var options: HubReportOptions

    @Flag(name: .long, help: "Print CSV (one row per region and target group).")
    var csv = false

    func run() async throws {
        let (report, _) = try await options.report()
        for country in report.countries {
            let table = CoverageTable(facts: country.facts, taxonomy: country.taxonomy)
            if csv {
                print(table.csv, terminator: "")
                continue
            }
            print("coverage in \(country.code), 12 months to \(table.asOf.iso): activities per 1,000 births")
            let width = 10
            print(
                "target group  "
                    + table.regions.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }
                    .joined(separator: " ") + " median"
            )
            for group in table.targetGroups {
                let cells = table.regions.map { region -> String in
                    guard let cell = table.cell(region, group) else { return "" }
                    if cell.suppressed { return "<5" }
                    return cell.rate.map { CoverageTable.format($0) } ?? "–"
                }
                let median = table.nationalMedian[group].map { CoverageTable.format($0) } ?? "–"
                print(
                    group.padding(toLength: 13, withPad: " ", startingAt: 0) + " "
                        + cells.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }.joined(separator: " ")
                        + " " + median
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

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        let (report, taxonomy) = try await options.report()
        var regionsByProgramme: [String: Set<String>] = [:]
        for country in report.countries {
            for (region, facts) in country.facts.regions {
                for programmes in facts.programmesByTargetGroup.values {
                    for programme in programmes { regionsByProgramme[programme, default: []].insert(region) }
                }
            }
        }
        var rows: [[String: Any]] = []
        for programme in taxonomy.programmes {
            let ratings = programme.ratings.map { rating in
                [rating.system, rating.rating, rating.scaleVersion, rating.date].compactMap { $0 }.joined(
                    separator: " "
                )
            }
            let regions = (regionsByProgramme[programme.code] ?? []).sorted()
            if json {
                rows.append([
                    "code": programme.code, "name": programme.name, "evidence_band": programme.evidenceBand.rawValue,
                    "ratings": ratings, "tiers": programme.tiers, "delivered_in": regions,
                ])
            } else {
                print(
                    programme.code.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                        + programme.evidenceBand.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0) + " "
                        + programme.name
                )
                print("           ratings: \(ratings.isEmpty ? "none" : ratings.joined(separator: "; "))")
                print("           delivered in: \(regions.isEmpty ? "no region" : regions.joined(separator: ", "))")
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
