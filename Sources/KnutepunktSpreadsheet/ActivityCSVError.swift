/// A problem with a spreadsheet file of events (the CSV form), with the physical line and, where it applies, the
/// column (both from 1).
///
/// Messages never repeat cell contents that could hold personal data.
package struct ActivityCSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem. Extensible: new codes may appear, so don't switch over it exhaustively.
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        package var description: String { rawValue }

        /// The file is not UTF-8 (e.g. saved as "CSV" in a Windows code page instead of "CSV UTF-8").
        package static let notUTF8 = Code(rawValue: "NOT_UTF8")
        /// The file has no header row.
        package static let noHeader = Code(rawValue: "NO_HEADER")
        /// A quoted cell is never closed; everything after its opening quote would be one cell.
        package static let unterminatedQuote = Code(rawValue: "UNTERMINATED_QUOTE")
        /// Text follows the closing quote of a quoted cell (`"a"b`).
        package static let badQuoting = Code(rawValue: "BAD_QUOTING")
        /// A header names no member of the event schema.
        package static let unknownColumn = Code(rawValue: "UNKNOWN_COLUMN")
        /// Two header cells name the same member.
        package static let duplicateColumn = Code(rawValue: "DUPLICATE_COLUMN")
        /// A header cell is empty.
        package static let emptyColumnName = Code(rawValue: "EMPTY_COLUMN_NAME")
        /// An Excel workbook (`.xlsx`) that cannot be read: a damaged archive, a missing or malformed part, too big.
        package static let unreadableWorkbook = Code(rawValue: "UNREADABLE_WORKBOOK")
        /// An Excel workbook without a `key` or `id` column: ids cannot be written back into it.
        package static let workbookWithoutKey = Code(rawValue: "WORKBOOK_WITHOUT_KEY")
        /// A row has more or fewer cells than the header.
        package static let wrongCellCount = Code(rawValue: "WRONG_CELL_COUNT")
    }

    package var code: Code
    /// The physical line (from 1) where the problem, or the row it is in, starts.
    package var line: Int
    /// The column (from 1), if the problem is in one cell or header.
    package var column: Int?
    package var message: String

    package init(code: Code, line: Int, column: Int? = nil, message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String {
        let place = column.map { "line \(line), column \($0)" } ?? "line \(line)"
        return "\(place): \(message) [\(code)]"
    }
}
