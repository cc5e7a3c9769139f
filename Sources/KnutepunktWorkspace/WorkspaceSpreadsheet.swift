import Foundation
import KnutepunktDomain
import KnutepunktSpreadsheet

/// A spreadsheet as the workspace shows it before anything is imported: every row with its cells, whether it is
/// good, and each problem in it with its column and the hint the CLI gives too (``SpreadsheetHints``).
struct WorkspaceSpreadsheet: Encodable, Sendable {
    struct Problem: Encodable, Sendable {
        var column: Int?
        var code: String?
        var text: String
        var hint: String?
        var suggestion: String?
    }

    struct Row: Encodable, Sendable {
        var line: Int
        var cells: [String]
        var good: Bool
        var problems: [Problem]
    }

    var columns: [String]
    /// Problems with the header: nothing can be imported until they are fixed.
    var headerProblems: [Problem]
    var rows: [Row]
    var good: Int
    var bad: Int

    init(_ plan: SpreadsheetImport) {
        columns = plan.csv.columns
        let goodLines = Set(plan.good.map(\.line))
        // The import lists the header's problems first, then the rows' in line order.
        let shown = plan.problems.map {
            Problem(
                column: $0.column,
                code: $0.code,
                text: $0.text,
                hint: $0.hint?.message,
                suggestion: $0.hint?.suggestion
            )
        }
        let headerCount = plan.csv.headerProblems.count
        headerProblems = Array(shown.prefix(headerCount))
        var byLine: [Int: [Problem]] = [:]
        for (problem, original) in zip(shown.dropFirst(headerCount), plan.problems.dropFirst(headerCount)) {
            byLine[original.line, default: []].append(problem)
        }
        rows = zip(plan.csv.rows, plan.csv.cells).map { row, cells in
            Row(
                line: row.line,
                cells: cells,
                good: goodLines.contains(row.line),
                problems: byLine[row.line] ?? []
            )
        }
        good = plan.good.count
        bad = plan.badRowCount
    }

    /// The template: the header every column named, one example row, then nothing else (the codes are in
    /// ``codes(_:)``).
    static func template(_ taxonomy: Taxonomy, defaultNode: String?) -> String {
        let header = [
            "key", "date", "kind", "node", "municipality", "target_groups", "programmes", "tier", "age_bands",
            "professions", "participants", "families", "sessions", "funding", "note",
        ]
        let example = [
            "2026-001", LocalDate.today().adding(days: -1).iso, "TRAINING", defaultNode ?? "", "4601", "PND|PAR_MH",
            "COS_P", "S", "M3_12", "PHN|PSYCH", "14", "0", "2", "PERMANENT", "COS-P group leader training",
        ]
        return header.joined(separator: ";") + "\r\n" + example.joined(separator: ";") + "\r\n"
    }

    /// Every code a cell may hold, with its English and bokmål label: `column;code;en;nb`.
    static func codes(_ form: WorkspaceForm) -> String {
        var lines = ["column;code;en;nb"]
        func add(_ column: String, _ choices: [WorkspaceForm.Choice]) {
            for choice in choices {
                lines.append([column, choice.code, choice.en, choice.nb].map(cell).joined(separator: ";"))
            }
        }
        add("node", form.nodes)
        add("kind", form.kinds)
        add("target_groups", form.targetGroups)
        add("programmes", form.programmes)
        add("tier", form.tiers)
        add("age_bands", form.ageBands)
        add("professions", form.professions)
        add("funding", form.funding)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func cell(_ text: String) -> String {
        guard text.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
