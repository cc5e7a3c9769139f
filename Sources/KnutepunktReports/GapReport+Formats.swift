import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol

// The gap report as text, JSON and CSV: the same summary, notes and findings, in the same order.
extension GapReport {
    /// For a terminal: the national summary per target group, the data notes, then the findings ranked and grouped,
    /// each a plain sentence with the day it began. `statistics` adds every finding's inputs and thresholds under it.
    /// "since 2026-04-01": the earliest day the findings' conditions began, "or earlier" when that day is only a
    /// bound (`sinceBasis` AT_LEAST: the data show the condition held then, not when it began).
    static func since(of findings: [GapFinding], _ language: Language) -> String? {
        guard let earliest = findings.filter({ $0.since != nil }).min(by: { $0.since! < $1.since! }),
            let day = earliest.since
        else { return nil }
        let bound = earliest.sinceBasis == GapSince.atLeast
        return language == .en
            ? "since \(day.iso)" + (bound ? " or earlier" : "") : "siden \(day.iso)" + (bound ? " eller tidligere" : "")
    }

    package func text(language: Language = .en, statistics: Bool = false, color: Bool = false) -> String {
        let en = language == .en
        func severity(_ text: String?) -> String {
            let label =
                switch text {
                case "RED": en ? "RED  " : "RØD  "
                case "AMBER": en ? "AMBER" : "GUL  "
                default: "  -  "
                }
            guard color, let text else { return label }
            return text == "RED" ? "\u{1B}[31m\(label)\u{1B}[0m" : "\u{1B}[33m\(label)\u{1B}[0m"
        }
        let red = findings.filter { $0.severity == .red }.count
        // The store's total of events is an operational counter (`knutepunkt status`), not a statistic: left out here.
        var lines = [
            en
                ? "Gaps as of \(asOf.iso): \(red) red, \(findings.count - red) amber, in \(groups.count) groups"
                : "Mangler per \(asOf.iso): \(red) røde, \(findings.count - red) gule, i \(groups.count) grupper"
        ]
        lines.append("")
        lines.append(en ? "National summary by target group" : "Nasjonalt sammendrag per målgruppe")
        for entry in overview.summary {
            lines.append("  \(severity(entry.severity)) \(entry.sentence(language))")
        }
        if !overview.notes.isEmpty {
            lines.append("")
            lines.append(
                en
                    ? "Data notes (no gap, but no conclusion either)"
                    : "Datamerknader (ingen mangel, men heller ingen konklusjon)"
            )
            for note in overview.notes { lines.append("  \(note.sentence(language))") }
        }
        lines.append("")
        lines.append(en ? "Findings, most urgent first" : "Funn, de mest presserende først")
        if findings.isEmpty { lines.append(en ? "  no gaps found" : "  ingen mangler funnet") }
        let byKey = Dictionary(findings.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let width = String(groups.count).count
        for (rank, group) in groups.enumerated() {
            let members = group.keys.compactMap { byKey[$0] }
            guard let first = members.first else { continue }
            let number = String(rank + 1).leftPadded(to: width)
            lines.append("  \(number). \(severity(group.severity)) \(group.headline(language))")
            let indent = String(repeating: " ", count: width + 4 + 6)
            let rules = members.count > 1 ? "\(first.rule.rawValue) ×\(members.count)" : first.rule.rawValue
            lines.append(
                indent + ([rules] + [Self.since(of: members, language)].compactMap { $0 }).joined(separator: " · ")
            )
            guard statistics else { continue }
            for finding in members {
                let record = GapRecord(finding, openedOn: openedOn[finding.key])
                if members.count > 1 { lines.append(indent + "- " + record.sentence(language)) }
                let inputs =
                    record.inputs.sorted { $0.key < $1.key }.map { "\($0.key)=\(CSVTextNumber.text($0.value))" }
                    + (record.withheld ?? []).map { "\($0)=\(ReportTable.withheldText)" }
                lines.append(indent + "  " + (en ? "inputs: " : "grunnlag: ") + inputs.joined(separator: " "))
                let limits = record.thresholds.sorted { $0.key < $1.key }.map {
                    "\($0.key)=\(CSVTextNumber.text($0.value))"
                }
                if !limits.isEmpty {
                    lines.append(indent + "  " + (en ? "thresholds: " : "terskler: ") + limits.joined(separator: " "))
                }
                lines.append(
                    indent + "  " + "key \(finding.key), confidence \(CSVTextNumber.text(record.confidence ?? 1)), "
                        + "births \(record.affectedBirths ?? 0)"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON: `asOf`, `staleRegions`, `summary`, `notes` (each with its sentence in both languages), `groups`
    /// (ranked, each naming its gaps' keys) and `findings` (gap records in the report's order).
    package func json() -> String {
        struct Note: Encodable {
            var region: String
            var rules: [String]
            var coveredFrom: String?
            var neededFrom: String
            var message: String
            var messageNb: String
        }
        struct Body: Encodable {
            var asOf: String
            var staleRegions: [String]
            var summary: [GapOverview.TargetGroupSummary]
            var notes: [Note]
            var groups: [GapGroup]
            var findings: [GapRecord]
        }
        let body = Body(
            asOf: asOf.iso,
            staleRegions: staleRegions,
            summary: overview.summary,
            notes: overview.notes.map {
                Note(
                    region: $0.region,
                    rules: $0.rules.map(\.rawValue),
                    coveredFrom: $0.coveredFrom?.iso,
                    neededFrom: $0.neededFrom.iso,
                    message: $0.sentence(.en),
                    messageNb: $0.sentence(.nb)
                )
            },
            groups: groups,
            findings: records
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try! encoder.encode(body), as: UTF8.self)
    }

    /// The findings as a table, one row per gap in the report's order (`rank`), with the rank of its group.
    package func table(_ dialect: ReportTable.Dialect = .csv) -> ReportTable {
        var groupOf: [String: Int] = [:]
        for (index, group) in groups.enumerated() {
            for key in group.keys { groupOf[key] = index + 1 }
        }
        let mark = dialect == .csv ? "." : ","
        return ReportTable(
            columns: GapRecord.tableColumns,
            rows: records.enumerated().map { index, record in
                record.tableRow(rank: index + 1, group: groupOf[record.key] ?? 0, decimalMark: mark)
            }
        )
    }
}

/// Numbers in report text: whole numbers plain, others with up to four decimals.
enum CSVTextNumber {
    static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
