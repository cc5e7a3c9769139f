import Foundation

/// A table as every report writes it, so that the reports behave alike: aligned text columns, CSV (RFC 4180: comma,
/// decimal point), CSV for Norwegian Excel (semicolon, decimal comma, UTF-8 byte order mark, CRLF line ends) and JSON
/// (an array of objects, one per row), each with the rows in the same order.
package struct ReportTable: Sendable, Hashable, Codable {
    /// One cell.
    package enum Value: Sendable, Hashable, Codable {
        case text(String)
        case integer(Int)
        /// A number shown with at most `digits` decimals.
        case decimal(Double, digits: Int)
        /// A count of 1–4 (or a figure that would reveal one): `<5` in text and CSV, null in JSON (the row names it
        /// under `withheld`).
        case withheld
        /// Nothing to show: empty in text and CSV, null in JSON.
        case empty
    }

    /// The CSV dialects.
    package enum Dialect: Sendable, Hashable {
        /// RFC 4180 with a comma and a decimal point: for programs.
        case csv
        /// What Norwegian Excel opens as it is: semicolons, decimal commas, a UTF-8 byte order mark, CRLF.
        case excel

        var separator: Character { self == .csv ? "," : ";" }
        var decimalMark: String { self == .csv ? "." : "," }
        var lineEnd: String { self == .csv ? "\n" : "\r\n" }
    }

    package var columns: [String]
    package var rows: [[Value]]

    package init(columns: [String], rows: [[Value]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The text `<5` that stands for a withheld count.
    package static let withheldText = "<\(5)"

    /// The table as CSV in `dialect`, with a header row.
    package func csv(_ dialect: Dialect = .csv) -> String {
        var lines = [columns.map { Self.field($0, dialect) }.joined(separator: String(dialect.separator))]
        for row in rows {
            lines.append(
                row.map { Self.field(Self.text($0, decimalMark: dialect.decimalMark), dialect) }
                    .joined(separator: String(dialect.separator))
            )
        }
        let body = lines.joined(separator: dialect.lineEnd) + dialect.lineEnd
        return dialect == .excel ? "\u{FEFF}" + body : body
    }

    /// The table as JSON: an array of objects with the columns as keys (sorted), a withheld value as null and the
    /// row's withheld columns under `withheld`.
    package func json() -> String {
        let objects: [[String: Any]] = rows.map { row in
            var object: [String: Any] = [:]
            var withheld: [String] = []
            for (column, value) in zip(columns, row) {
                switch value {
                case .text(let text): object[column] = text
                case .integer(let number): object[column] = number
                case .decimal(let number, let digits):
                    let scale = pow(10, Double(digits))
                    object[column] = (number * scale).rounded() / scale
                case .withheld:
                    object[column] = NSNull()
                    withheld.append(column)
                case .empty: object[column] = NSNull()
                }
            }
            if !withheld.isEmpty { object["withheld"] = withheld }
            return object
        }
        let data = try! JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// The table as aligned text columns, for a terminal.
    package func text() -> String {
        let cells = [columns] + rows.map { $0.map { Self.text($0, decimalMark: ".") } }
        let widths = columns.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }

    /// A value as text with `decimalMark`.
    package static func text(_ value: Value, decimalMark: String) -> String {
        switch value {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .decimal(let number, let digits):
            let text = String(format: "%.\(digits)f", number)
            return decimalMark == "." ? text : text.replacingOccurrences(of: ".", with: decimalMark)
        case .withheld: return withheldText
        case .empty: return ""
        }
    }

    /// One CSV field, quoted when it holds the separator, a quote or a line break.
    package static func field(_ text: String, _ dialect: Dialect) -> String {
        guard text.contains(where: { $0 == dialect.separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
