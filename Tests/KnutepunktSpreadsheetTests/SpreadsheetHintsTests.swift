import KnutepunktDomain
import KnutepunktSpreadsheet
import KnutepunktTesting
import Testing

/// The spreadsheet habits: each refused cell gets a hint saying what to write, and the cell's corrected text when
/// the fix is certain.
@Suite struct SpreadsheetHintsTests {
    let hints = SpreadsheetHints(taxonomy: InProcessDaemons.taxonomy)

    @Test(arguments: [
        // column, cell, code, suggestion (nil: a hint without one)
        ("date", "15.10.2026", "BAD_DATE", "2026-10-15"),
        ("date", "5/3/2026", "BAD_DATE", "2026-03-05"),
        ("date", "05.03.26", "BAD_DATE", "2026-03-05"),
        ("municipality", "301", "INVALID_MUNICIPALITY", "0301"),
        ("participants", "1 200", "WRONG_TYPE", "1200"),
        ("participants", "1\u{00A0}200", "WRONG_TYPE", "1200"),
        ("families", "1.200", "WRONG_TYPE", "1200"),
        ("sessions", "12,0", "WRONG_TYPE", "12"),
        ("target_groups", "PND,PAR_MH", "UNKNOWN_CODE", "PND|PAR_MH"),
        ("target_groups", "Perinatal depresjon|Fedre", "UNKNOWN_CODE", "PND|FATHERS"),
        ("professions", "Helsesøster, jordmor", "UNKNOWN_CODE", "PHN|MIDWIFE"),
        ("kind", "Spedbarnsdag", "UNKNOWN_CODE", "INFANT_DAY"),
        ("kind", "Opplæring", "UNKNOWN_CODE", "TRAINING"),
        ("tier", "Universell", "UNKNOWN_CODE", "U"),
        ("funding", "Prosjektmidler", "UNKNOWN_CODE", "TEMPORARY_PROJECT"),
        ("age_bands", "0–3 måneder", "UNKNOWN_CODE", "M0_3"),
        ("node", "Førde", "UNKNOWN_CODE", "NO-VEST-FORDE"),
    ])
    func aHabitGetsItsFix(column: String, cell: String, code: String, suggestion: String) {
        let hint = hints.hint(column: column, cell: cell, code: ValidationIssue.Code(rawValue: code))
        #expect(hint?.suggestion == suggestion, "\(column) \(cell): \(String(describing: hint))")
        #expect(hint?.message.isEmpty == false)
    }

    @Test func aDecimalCountIsExplainedWithoutAGuess() {
        let hint = hints.hint(column: "participants", cell: "12,5", code: .wrongType)
        #expect(hint?.suggestion == nil)
        #expect(hint?.message.contains("whole number") == true)
    }

    @Test func whatNoHabitExplainsGetsNoHint() {
        #expect(hints.hint(column: "kind", cell: "Something else", code: .unknownCode) == nil)
        #expect(hints.hint(column: "date", cell: "2026-02-30", code: .badDate) == nil)
        #expect(hints.hint(column: "municipality", cell: "12345", code: .invalidMunicipality) == nil)
        #expect(hints.hint(column: "note", cell: "anything", code: .noteTooLong) == nil)
    }

    @Test func theImportCheckCarriesTheHintsOncePerCell() throws {
        let csv = """
            date;kind;target_groups;tier;age_bands;professions;participants;families;sessions;funding;municipality
            15.10.2026;Spedbarnsdag;PND,PAR_MH;U;M0_3;PHN;1 200;0;1;PERMANENT;301
            2026-01-05;TRAINING;PND;U;M0_3;PHN;12;0;1;PERMANENT;4601

            """
        let plan = try SpreadsheetImport(
            bytes: Array(csv.utf8),
            nodeID: "NO-VEST",
            region: "NO-VEST",
            defaultNode: "NO-VEST-BERGEN",
            taxonomy: InProcessDaemons.taxonomy,
            today: LocalDate(year: 2026, month: 12, day: 1)!
        )
        #expect(plan.good.count == 1 && plan.badRowCount == 1)
        let suggestions = Dictionary(
            plan.problems.compactMap { problem in problem.hint?.suggestion.map { (problem.column ?? 0, $0) } },
            uniquingKeysWith: { first, _ in first }
        )
        #expect(suggestions == [1: "2026-10-15", 2: "INFANT_DAY", 3: "PND|PAR_MH", 7: "1200", 11: "0301"])
        #expect(plan.problems.filter { $0.hint != nil }.count == 5)
        #expect(plan.problems.first { $0.column == 1 }?.description.contains("\n    hint: write dates as") == true)
    }
}
