import Foundation
import KnutepunktDomain

/// Events from a spreadsheet export (the CSV form, docs/events.md): a header row of event member names, then one
/// event per row.
///
/// Each data row becomes the JSON object the validator checks, so a spreadsheet gets exactly the rules (and
/// messages) a JSON submission gets; ``column(for:)`` maps an issue's field back to the column to point at.
/// Reading is forgiving about the file's dialect (`;`, `,` or tab, detected from the header; a UTF-8 byte order mark;
/// CRLF, LF or CR; RFC 4180 quoting with `""` and line breaks inside quotes) and strict about the data. Cells:
/// blank means absent; list columns hold codes separated by `|`; count columns become JSON integers when they are
/// whole numbers and text otherwise (which the validator then reports as `WRONG_TYPE`).
package struct ActivityCSV: Sendable, Hashable {
    /// One data row as an event object to validate.
    package struct Record: Sendable, Hashable {
        /// The physical line (from 1) the row starts on.
        package var line: Int
        package var object: JSONValue
        /// The row's `key` cell (trimmed; nil when empty or the file has no key column): the coordinator's own name
        /// for the row, from which its event id is derived.
        package var key: String?
    }

    /// The column that names a row for good without an id: its cells are the coordinator's own references (a running
    /// number, "2026-TR-014"); a row keeps its event, and a changed row corrects it, as long as its key stays.
    package static let keyColumn = "key"

    /// A data row: an event object or a problem that kept the row from becoming one.
    package enum Row: Sendable, Hashable {
        case record(Record)
        case error(ActivityCSVError)

        /// The physical line the row starts on.
        package var line: Int {
            switch self {
            case .record(let record): record.line
            case .error(let error): error.line
            }
        }
    }

    /// A column of the file.
    package struct Column: Sendable, Hashable {
        /// From 1, as spreadsheets count.
        package var number: Int
        /// The header as written (trimmed).
        package var name: String
    }

    /// The separator between list items in a cell.
    package static let listSeparator: Character = "|"
    /// Columns whose cells are lists of codes.
    package static let listColumns: Set<String> = ["target_groups", "programmes", "age_bands", "professions"]
    /// Columns whose cells are whole numbers.
    package static let integerColumns: Set<String> = ["schema", "participants", "families", "sessions"]

    /// The cell delimiter found in the header: `;`, `,` or tab.
    package var delimiter: Character
    /// The header cells, trimmed, in file order.
    package var columns: [String]
    /// Problems with the header, each reported once: unknown (with a "did you mean"), repeated or empty column
    /// names. Cells under such columns are left out of every row's object; an import should stop until the header
    /// is fixed.
    package var headerProblems: [ActivityCSVError]
    /// The data rows in file order; blank rows are skipped.
    package var rows: [Row]
    /// Each data row's cells as read (untrimmed), parallel to ``rows``: what writing the file back keeps.
    package var cells: [[String]]
    /// The file has a `key` column.
    package var hasKeyColumn: Bool { columns.contains(Self.keyColumn) }
    /// The file has an `id` column.
    package var hasIDColumn: Bool { columns.contains("id") }

    /// Reads a whole file: CSV, or an Excel workbook's first sheet (``XLSXReader``). Throws only for problems that
    /// make the file unreadable as a whole (not UTF-8, no header, an unclosed quote, a damaged workbook); everything
    /// else is in ``headerProblems`` and ``rows``.
    package static func parse(_ input: [UInt8]) throws(ActivityCSVError) -> ActivityCSV {
        let delimiter: UInt8
        var records: ArraySlice<CSVReader.Record>
        if XLSXReader.isWorkbook(input) {
            // An Excel workbook: its first sheet, written back (with ids) as semicolon-separated CSV.
            delimiter = UInt8(ascii: ";")
            records = try XLSXReader.records(input)[...]
        } else {
            var bytes = input
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            try checkUTF8(bytes)
            delimiter = CSVReader.detectDelimiter(bytes)
            var reader = CSVReader(bytes: bytes, delimiter: delimiter)
            records = try reader.records()[...]
        }
        // Blank lines before the header are tolerated like blank rows anywhere.
        while let first = records.first, isBlank(first.cells) { records.removeFirst() }
        guard let header = records.popFirst() else {
            throw ActivityCSVError(
                code: .noHeader,
                line: 1,
                message: "the file is empty; the first row must name the columns (e.g. date;kind;node;…)"
            )
        }
        let columns = header.cells.map(trimmed)
        var (problems, usable) = checkHeader(columns, line: header.line)
        if XLSXReader.isWorkbook(input), !columns.contains(Self.keyColumn), !columns.contains("id") {
            // Ids cannot be written back into a workbook: each row needs its own reference, so that importing the
            // file again corrects a changed row instead of storing it a second time.
            problems.append(
                ActivityCSVError(
                    code: .workbookWithoutKey,
                    line: header.line,
                    message: "an Excel workbook needs a \(Self.keyColumn) column (your own reference for each row) or "
                        + "an id column, so that importing it again never stores a row twice; add one, or save the "
                        + "sheet as CSV UTF-8 and the import writes ids into that file"
                )
            )
        }
        var rows: [Row] = []
        var cells: [[String]] = []
        for record in records where !isBlank(record.cells) {
            rows.append(row(record, columns: columns, usable: usable, delimiter: delimiter))
            cells.append(record.cells)
        }
        return ActivityCSV(
            delimiter: Character(Unicode.Scalar(delimiter)),
            columns: columns,
            headerProblems: problems,
            rows: rows,
            cells: cells
        )
    }

    /// The column a validation issue's field refers to (`target_groups[1]` → the `target_groups` column), or nil if
    /// the file has no such column (the value was missing or filled in by the node).
    package func column(for field: String) -> Column? {
        let base = field.prefix { $0 != "[" && $0 != "." }
        guard let index = columns.firstIndex(where: { $0 == base }) else { return nil }
        return Column(number: index + 1, name: columns[index])
    }

    /// An issue of the row at `line`, as a person reads it: `line 4, column 7 (tier): … [UNKNOWN_CODE]`.
    package func describe(_ issue: ValidationIssue, line: Int) -> String {
        let place =
            column(for: issue.field).map { "line \(line), column \($0.number) (\(issue.field))" }
            ?? "line \(line) (\(issue.field))"
        return "\(place): \(issue.message) [\(issue.code.rawValue)]"
    }
}

extension ActivityCSV {
    /// The most header problems described one by one; the rest are counted in one more.
    static let maxHeaderProblems = 20

    private static func checkHeader(_ columns: [String], line: Int) -> ([ActivityCSVError], [Bool]) {
        let known = ActivityEvent.schemaOneZeroMemberNames + [keyColumn]
        var problems: [ActivityCSVError] = []
        var usable: [Bool] = []
        var seen: Set<String> = []
        var unlisted = 0
        for (index, name) in columns.enumerated() {
            let number = index + 1
            if problems.count >= maxHeaderProblems, name.isEmpty || !known.contains(name) || seen.contains(name) {
                unlisted += 1
                usable.append(false)
            } else if name.isEmpty {
                problems.append(
                    ActivityCSVError(
                        code: .emptyColumnName,
                        line: line,
                        column: number,
                        message: "column \(number) has no name; name it after an event member or delete it"
                    )
                )
                usable.append(false)
            } else if !known.contains(name) {
                var message = "column \(number) is \(EventValidator.quoted(name)), which is not an event member"
                if let suggestion = NearestName.suggest(name, from: known) {
                    message += "; did you mean \(suggestion)?"
                }
                message += " Columns may be: \(known.joined(separator: ", "))"
                problems.append(ActivityCSVError(code: .unknownColumn, line: line, column: number, message: message))
                usable.append(false)
            } else if !seen.insert(name).inserted {
                problems.append(
                    ActivityCSVError(
                        code: .duplicateColumn,
                        line: line,
                        column: number,
                        message: "column \(number) repeats \(name); each member may have one column"
                    )
                )
                usable.append(false)
            } else {
                usable.append(true)
            }
        }
        if unlisted > 0 {
            problems.append(
                ActivityCSVError(
                    code: .unknownColumn,
                    line: line,
                    message: "\(unlisted) more column names are unknown, repeated or empty; the header must name "
                        + "event members (\(known.joined(separator: ", ")))"
                )
            )
        }
        return (problems, usable)
    }

    private static func row(_ record: CSVReader.Record, columns: [String], usable: [Bool], delimiter: UInt8) -> Row {
        if let column = record.badQuotingColumn {
            return .error(
                ActivityCSVError(
                    code: .badQuoting,
                    line: record.line,
                    column: column,
                    message: "text follows the closing quote of a quoted cell; quote the whole cell and write a \" "
                        + "inside it as \"\""
                )
            )
        }
        guard record.cells.count == columns.count else {
            let shown = delimiter == 0x09 ? "tab" : "'\(Character(Unicode.Scalar(delimiter)))'"
            return .error(
                ActivityCSVError(
                    code: .wrongCellCount,
                    line: record.line,
                    message: "the row has \(record.cells.count) cells but the header has \(columns.count) columns "
                        + "(cells are separated by \(shown); a cell holding \(shown) must be quoted)"
                )
            )
        }
        var object = JSONObject()
        var key: String?
        for (index, cell) in record.cells.enumerated() where usable[index] {
            let name = columns[index]
            let text = trimmed(cell)
            guard !text.isEmpty else { continue }
            if name == keyColumn {
                key = text
                continue
            }
            if listColumns.contains(name) {
                let items = text.split(separator: listSeparator).map { trimmed(String($0)) }.filter { !$0.isEmpty }
                object[name] = .array(items.map(JSONValue.string))
            } else if integerColumns.contains(name), let number = integer(text) {
                object[name] = .integer(number)
            } else {
                object[name] = .string(text)
            }
        }
        return .record(Record(line: record.line, object: .object(object), key: key))
    }

    /// A whole number written as optional `-` and ASCII digits that fits in 64 bits.
    private static func integer(_ text: String) -> Int64? {
        let body = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int64(text)
    }

    private static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[first...last])
    }

    private static func isBlank(_ cells: [String]) -> Bool {
        cells.allSatisfy { trimmed($0).isEmpty }
    }

    private static func checkUTF8(_ bytes: [UInt8]) throws(ActivityCSVError) {
        guard String(validating: bytes, as: UTF8.self) == nil else { return }
        // Find the first line that is not UTF-8, to point at it.
        var line = 1
        for chunk in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(validating: chunk, as: UTF8.self) == nil { break }
            line += 1
        }
        throw ActivityCSVError(
            code: .notUTF8,
            line: line,
            message: "the file is not UTF-8 text; save it from the spreadsheet as \"CSV UTF-8\""
        )
    }
}

extension ActivityCSV {
    /// The file again, with an `id` column (first, added if missing) holding `ids[index]` for each data row that has
    /// one; every other cell as read. Quoting follows RFC 4180 with this file's delimiter.
    package func written(ids: [Int: UUID]) -> [UInt8] {
        let separator = String(delimiter)
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
                return text
            }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        let idColumn = columns.firstIndex(of: "id")
        var lines = [(idColumn == nil ? ["id"] + columns : columns).map(field).joined(separator: separator)]
        for (index, row) in cells.enumerated() {
            var row = row
            if let id = ids[index]?.lowercasedText {
                if let idColumn, idColumn < row.count {
                    row[idColumn] = id
                } else if idColumn == nil {
                    row.insert(id, at: 0)
                }
            } else if idColumn == nil {
                row.insert("", at: 0)
            }
            lines.append(row.map(field).joined(separator: separator))
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
