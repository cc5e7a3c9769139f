import Foundation
import KnutepunktDomain
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads the first worksheet of an Excel workbook (`.xlsx`, Office Open XML) into the same records as a CSV file, so
/// a coordinator can upload the spreadsheet as saved, without "Save as CSV UTF-8".
///
/// A workbook is a ZIP archive (ZIPFoundation) of XML parts (FoundationXML's event parser, which resolves no
/// external entities): `xl/workbook.xml` names the sheets in order, its relationships give the first one's part,
/// `xl/sharedStrings.xml` holds the text cells, and `xl/styles.xml` says which number formats are dates. Each cell
/// comes out as text: shared and inline strings as written, numbers in their shortest form (`12`, `1.5`), dates
/// (numbers in a date format) as ISO `YYYY-MM-DD`, booleans as `TRUE`/`FALSE`, formulas as their cached result. A
/// record's line is the sheet's row number, so every problem names the row Excel shows.
///
/// Bounded: at most ``maxPartBytes`` of XML per part and ``maxRows`` rows, so a crafted archive (a "ZIP bomb")
/// is refused rather than read.
package enum XLSXReader {
    /// The most uncompressed bytes read from one part of the archive.
    package static let maxPartBytes = 64 << 20
    /// The most rows read from the sheet.
    package static let maxRows = 200_000

    /// Whether `bytes` start like a ZIP archive (an `.xlsx` file; a CSV file never does).
    package static func isWorkbook(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// The first worksheet's rows, each with its row number; empty rows are left out. `limit` bounds the bytes read
    /// from any one part.
    static func records(_ bytes: [UInt8], limit: Int = maxPartBytes) throws(ActivityCSVError) -> [CSVReader.Record] {
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw unreadable("it is not a readable .xlsx file (the ZIP archive is damaged)")
        }
        let sheetPath = try firstSheetPath(archive, limit: limit)
        let strings = try part("xl/sharedStrings.xml", in: archive, limit: limit).map(SharedStrings.parse) ?? []
        let dateStyles = try part("xl/styles.xml", in: archive, limit: limit).map(DateStyles.parse) ?? []
        guard let sheet = try part(sheetPath, in: archive, limit: limit) else {
            throw unreadable("the workbook names a first sheet (\(sheetPath)) that is not in the file")
        }
        return try Sheet.parse(sheet, strings: strings, dateStyles: dateStyles)
    }

    // MARK: - Parts

    /// The path of the first sheet in the workbook's order (`xl/worksheets/sheet1.xml` when the workbook does not
    /// say).
    private static func firstSheetPath(_ archive: Archive, limit: Int) throws(ActivityCSVError) -> String {
        let fallback = "xl/worksheets/sheet1.xml"
        guard let workbook = try part("xl/workbook.xml", in: archive, limit: limit) else {
            throw unreadable("it has no xl/workbook.xml; save it from the spreadsheet as an Excel workbook (.xlsx)")
        }
        let sheets = XMLElements.collect(workbook, names: ["sheet"])
        guard let relation = sheets.first?.attributes["r:id"] ?? sheets.first?.attributes["id"],
            let relations = try part("xl/_rels/workbook.xml.rels", in: archive, limit: limit)
        else { return fallback }
        let target = XMLElements.collect(relations, names: ["Relationship"])
            .first { $0.attributes["Id"] == relation }?.attributes["Target"]
        guard let target else { return fallback }
        // Targets are relative to xl/ unless absolute within the package.
        return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
    }

    /// One part's bytes, nil if the archive has no such part.
    private static func part(_ path: String, in archive: Archive, limit: Int) throws(ActivityCSVError) -> Data? {
        guard let entry = archive[path] else { return nil }
        let tooLarge = unreadable("its part \(path) is larger than \(limit) bytes uncompressed")
        guard entry.uncompressedSize <= UInt64(limit) else { throw tooLarge }
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                data.append(chunk)
                // The size in the directory can lie: count what is actually inflated.
                if data.count > limit { throw PartTooLarge() }
            }
        } catch is PartTooLarge {
            throw tooLarge
        } catch {
            throw unreadable("its part \(path) cannot be read (the ZIP archive is damaged)")
        }
        return data
    }

    private struct PartTooLarge: Error {}

    static func unreadable(_ why: String) -> ActivityCSVError {
        ActivityCSVError(code: .unreadableWorkbook, line: 1, message: "the workbook cannot be read: \(why)")
    }

    // MARK: - Shared strings

    private enum SharedStrings {
        /// Each `<si>`'s text: its `<t>` runs joined (rich text has several).
        static func parse(_ data: Data) throws(ActivityCSVError) -> [String] {
            let collector = TextCollector(item: "si", text: "t")
            try XMLElements.run(data, collector, part: "xl/sharedStrings.xml")
            return collector.items
        }
    }

    // MARK: - Styles

    private enum DateStyles {
        /// The indexes of `cellXfs` entries whose number format is a date.
        static func parse(_ data: Data) throws(ActivityCSVError) -> Set<Int> {
            let elements = XMLElements.collect(data, names: ["numFmt", "cellXfs", "xf"])
            var custom: [Int: String] = [:]
            var formats: [Int] = []
            var inCellXfs = false
            for element in elements {
                switch element.name {
                case "numFmt":
                    if let id = element.attributes["numFmtId"].flatMap(Int.init),
                        let code = element.attributes["formatCode"]
                    {
                        custom[id] = code
                    }
                case "cellXfs":
                    inCellXfs = element.opens
                case "xf" where inCellXfs && element.opens:
                    formats.append(element.attributes["numFmtId"].flatMap(Int.init) ?? 0)
                default:
                    break
                }
            }
            return Set(formats.indices.filter { isDate(formats[$0], custom: custom) })
        }

        /// Excel's built-in date formats (14–22, 45–47), or a custom format with day, month or year codes outside
        /// quoted text and brackets (`dd.mm.yyyy`, `[$-414]d. mmmm yyyy`; not `0.00 "days"`).
        static func isDate(_ id: Int, custom: [Int: String]) -> Bool {
            if (14...22).contains(id) || (45...47).contains(id) { return true }
            guard let code = custom[id] else { return false }
            var quoted = false
            var bracket = false
            for character in code.lowercased() {
                switch character {
                case "\"": quoted.toggle()
                case "[" where !quoted: bracket = true
                case "]" where !quoted: bracket = false
                case "d" where !quoted && !bracket, "y" where !quoted && !bracket: return true
                default: continue
                }
            }
            return false
        }
    }

    // MARK: - The sheet

    private enum Sheet {
        static func parse(
            _ data: Data,
            strings: [String],
            dateStyles: Set<Int>
        ) throws(ActivityCSVError) -> [CSVReader.Record] {
            let reader = SheetCollector(strings: strings, dateStyles: dateStyles)
            try XMLElements.run(data, reader, part: "the sheet") { reader.tooManyRows }
            if reader.tooManyRows {
                throw unreadable("the sheet has more than \(maxRows) rows; split it into smaller files")
            }
            return reader.rows.map { row in
                var cells: [String] = []
                for (column, value) in row.cells.sorted(by: { $0.key < $1.key }) {
                    while cells.count < column { cells.append("") }
                    cells.append(value)
                }
                return CSVReader.Record(line: row.number, cells: cells)
            }
        }
    }

    /// `A` → 0, `Z` → 25, `AA` → 26: the column of a cell reference like `AB12`.
    static func column(of reference: String) -> Int? {
        var value = 0
        var letters = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65 && scalar.value <= 90 else { break }
            value = value * 26 + Int(scalar.value - 64)
            letters += 1
        }
        return letters == 0 || letters > 3 ? nil : value - 1
    }

    /// A number as a spreadsheet shows it without formatting: `12`, `1.5`, `0.1` (15 significant digits, which hides
    /// binary noise like `0.30000000000000004`).
    static func numberText(_ text: String) -> String {
        guard let value = Double(text), value.isFinite else { return text }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var shown = String(format: "%.15g", value)
        if shown.contains("e") { return shown }
        if shown.contains(".") {
            while shown.hasSuffix("0") { shown.removeLast() }
            if shown.hasSuffix(".") { shown.removeLast() }
        }
        return shown
    }

    /// An Excel date serial (days since 1899-12-30, the 1900 system's effective epoch) as `YYYY-MM-DD`; nil outside
    /// years 1900–9999.
    static func isoDate(serial text: String) -> String? {
        guard let value = Double(text), value >= 1, value < 2_958_466 else { return nil }
        let days = Int(value.rounded(.down)) - 25_569  // 1970-01-01 is serial 25569
        return LocalDate(daysSinceEpoch: days)?.iso
    }
}

// MARK: - XML

/// A thin layer over FoundationXML's event parser: one place sets it up safely and maps its failure.
private enum XMLElements {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// True for the start tag, false for the end tag.
        var opens: Bool
    }

    /// Parses `data` with `delegate`; a malformed part is reported as unreadable, unless `stopped` says the
    /// delegate stopped it on purpose.
    static func run(
        _ data: Data,
        _ delegate: any XMLParserDelegate,
        part: String,
        stopped: () -> Bool = { false }
    ) throws(ActivityCSVError) {
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = delegate
        // FoundationXML on Linux can return true from parse() for a document that broke off: its error says so.
        let parsed = parser.parse() && parser.parserError == nil
        guard parsed || stopped() else {
            throw XLSXReader.unreadable("\(part) is not well-formed XML (line \(parser.lineNumber))")
        }
    }

    /// The start and end tags named `names`, in document order; empty when the part does not parse.
    static func collect(_ data: Data, names: Set<String>) -> [Element] {
        let collector = ElementCollector(names: names)
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        guard parser.parse(), parser.parserError == nil else { return [] }
        return collector.elements
    }
}

private final class ElementCollector: NSObject, XMLParserDelegate {
    let names: Set<String>
    var elements: [XMLElements.Element] = []

    init(names: Set<String>) { self.names = names }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        guard names.contains(elementName) else { return }
        elements.append(.init(name: elementName, attributes: attributeDict, opens: true))
    }

    func parser(
        _ parser: XMLParser,
        didEndElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        guard names.contains(elementName) else { return }
        elements.append(.init(name: elementName, attributes: [:], opens: false))
    }
}

/// Collects the text of each `item` element from its `text` children (skipping phonetic runs, `<rPh>`).
private final class TextCollector: NSObject, XMLParserDelegate {
    let item: String
    let text: String
    var items: [String] = []
    private var current: String?
    private var inText = false
    private var inPhonetic = false

    init(item: String, text: String) {
        self.item = item
        self.text = text
    }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        if elementName == item { current = "" }
        if elementName == "rPh" { inPhonetic = true }
        if elementName == text, !inPhonetic { inText = current != nil }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current? += string }
    }

    func parser(
        _ parser: XMLParser,
        didEndElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        if elementName == text { inText = false }
        if elementName == "rPh" { inPhonetic = false }
        if elementName == item, let value = current {
            items.append(value)
            current = nil
        }
    }
}

/// Reads `<row r="N"><c r="B3" t="s" s="2"><v>…</v></c>…</row>` into rows of cells by column.
private final class SheetCollector: NSObject, XMLParserDelegate {
    struct Row {
        var number: Int
        var cells: [Int: String] = [:]
    }

    let strings: [String]
    let dateStyles: Set<Int>
    var rows: [Row] = []
    var tooManyRows = false
    private var row: Row?
    private var nextRow = 1
    private var cell: (column: Int, type: String, style: Int)?
    private var nextColumn = 0
    private var value = ""
    private var inValue = false

    init(strings: [String], dateStyles: Set<Int>) {
        self.strings = strings
        self.dateStyles = dateStyles
    }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        switch elementName {
        case "row":
            let number = attributeDict["r"].flatMap(Int.init) ?? nextRow
            row = Row(number: number)
            nextRow = number + 1
            nextColumn = 0
        case "c" where row != nil:
            let column = attributeDict["r"].flatMap(XLSXReader.column(of:)) ?? nextColumn
            nextColumn = column + 1
            cell = (column, attributeDict["t"] ?? "n", attributeDict["s"].flatMap(Int.init) ?? 0)
            value = ""
        case "v",
            "t" where cell != nil:
            // `<t>` holds an inline string (`t="inlineStr"`), inside `<is>`.
            inValue = true
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue { value += string }
    }

    func parser(
        _ parser: XMLParser,
        didEndElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        switch elementName {
        case "v", "t":
            inValue = false
        case "c":
            if let cell, row != nil {
                let text = self.text(value, type: cell.type, style: cell.style)
                if !text.isEmpty { row?.cells[cell.column] = text }
            }
            cell = nil
        case "row":
            if let row, !row.cells.isEmpty {
                if rows.count >= XLSXReader.maxRows {
                    tooManyRows = true
                    parser.abortParsing()
                } else {
                    rows.append(row)
                }
            }
            row = nil
        default:
            break
        }
    }

    private func text(_ raw: String, type: String, style: Int) -> String {
        switch type {
        case "s":
            guard let index = Int(raw), strings.indices.contains(index) else { return "" }
            return strings[index]
        case "b":
            return raw == "1" ? "TRUE" : "FALSE"
        case "str", "inlineStr", "e":
            return raw
        default:
            if dateStyles.contains(style), let date = XLSXReader.isoDate(serial: raw) { return date }
            return XLSXReader.numberText(raw)
        }
    }
}
