import KnutepunktDomain

/// Splits CSV bytes (RFC 4180) into records of cells, remembering the physical line each record starts on.
///
/// Tolerant where spreadsheets differ (CRLF, LF or CR line ends, a missing final line end, a quote inside an
/// unquoted cell taken literally) and strict where data would be lost (an unclosed quote, text after a closing
/// quote). Total: never traps on any input.
///
/// Why not SwiftCSV (or CSV.swift): measured by `KnutepunktBench parsers` (release build, a 20,000-row export with
/// quoted notes holding `;`, doubled quotes and line breaks; Benchmarks/results/2026-12-07T060556Z.json), this reader
/// takes 741,682 rows/s and SwiftCSV 0.10 119,889; and given a file whose second row opens a quote it never closes,
/// SwiftCSV returns 1 of its 3 rows without an error, silently dropping the rest, where a coordinator must be told the
/// line. SwiftCSV also does not say on which physical line a record starts, which every row error here names.
package struct CSVReader {
    package struct Record {
        /// Physical line (from 1) the record starts on.
        package var line: Int
        package var cells: [String]
        /// Set when a cell of this record has text after its closing quote.
        var badQuotingColumn: Int?
    }

    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var position = 0
    private var line = 1

    package init(bytes: [UInt8], delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
    }

    /// The delimiter the header row (the first line with content) uses most among `;`, `,` and tab (outside
    /// quotes); `,` when it has none.
    static func detectDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ";"): 0, UInt8(ascii: ","): 0, 0x09: 0]
        var quoted = false
        // The header is the first line with content; blank lines before it are skipped like blank rows.
        let start = bytes.firstIndex { $0 != 0x0A && $0 != 0x0D } ?? bytes.endIndex
        for byte in bytes[start...] {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if !quoted, byte == 0x0A || byte == 0x0D {
                break
            } else if !quoted, counts[byte] != nil {
                counts[byte, default: 0] += 1
            }
        }
        // Ties go to ';' (what spreadsheets in Norwegian and Swedish locales write), then ','.
        var best = UInt8(ascii: ",")
        var bestCount = 0
        for candidate in [UInt8(ascii: ";"), UInt8(ascii: ","), 0x09] {
            let count = counts[candidate] ?? 0
            if count > bestCount {
                best = candidate
                bestCount = count
            }
        }
        return best
    }

    /// All records, or the first unclosed quote.
    package mutating func records() throws(ActivityCSVError) -> [Record] {
        var records: [Record] = []
        while position < bytes.count {
            records.append(try readRecord())
        }
        return records
    }

    private mutating func readRecord() throws(ActivityCSVError) -> Record {
        var record = Record(line: line, cells: [])
        while true {
            var cell: [UInt8] = []
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                let quoteLine = line
                position += 1
                var closed = false
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: "\"") {
                        if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "\"") {
                            cell.append(byte)
                            position += 2
                            continue
                        }
                        position += 1
                        closed = true
                        break
                    }
                    if byte == 0x0A || (byte == 0x0D && !(position + 1 < bytes.count && bytes[position + 1] == 0x0A)) {
                        line += 1
                    }
                    cell.append(byte)
                    position += 1
                }
                guard closed else {
                    throw ActivityCSVError(
                        code: .unterminatedQuote,
                        line: quoteLine,
                        column: record.cells.count + 1,
                        message:
                            "a quoted cell is never closed; add the closing \" (a \" inside a cell is written \"\")"
                    )
                }
                // Anything but spaces between the closing quote and the end of the cell is an error.
                var trailing = false
                while position < bytes.count, !isCellEnd(bytes[position]) {
                    if bytes[position] != 0x20, bytes[position] != 0x09 { trailing = true }
                    position += 1
                }
                if trailing, record.badQuotingColumn == nil { record.badQuotingColumn = record.cells.count + 1 }
            } else {
                while position < bytes.count, !isCellEnd(bytes[position]) {
                    cell.append(bytes[position])
                    position += 1
                }
            }
            record.cells.append(String(decoding: cell, as: UTF8.self))
            guard position < bytes.count else { return record }
            let end = bytes[position]
            position += 1
            if end == delimiter { continue }
            // A line end: CRLF, LF or a lone CR.
            if end == 0x0D, position < bytes.count, bytes[position] == 0x0A { position += 1 }
            line += 1
            return record
        }
    }

    private func isCellEnd(_ byte: UInt8) -> Bool {
        byte == delimiter || byte == 0x0A || byte == 0x0D
    }
}
