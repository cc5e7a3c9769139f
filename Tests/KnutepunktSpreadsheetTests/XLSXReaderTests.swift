import Foundation
import KnutepunktDomain
import KnutepunktTesting
import Testing
import ZIPFoundation

@testable import KnutepunktSpreadsheet

@Suite("Excel workbooks (.xlsx)")
struct XLSXReaderTests {
    /// A workbook built part by part, the way Excel and LibreOffice lay one out (shared strings, styles, the
    /// workbook's relationships), for the cases the example file does not have.
    static func workbook(_ parts: [String: String]) throws -> [UInt8] {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path,
                type: .file,
                uncompressedSize: Int64(data.count),
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return Array(try #require(archive.data))
    }

    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// Two sheets, the first in the workbook's order stored as `sheet2.xml`; shared strings with rich text and a
    /// phonetic run; a built-in date format (14) and a custom one; a formula's cached result; a boolean; a gap in
    /// the columns and a missing row.
    static func excelLike() throws -> [UInt8] {
        try workbook([
            "xl/workbook.xml": """
            <workbook xmlns="\(main)" xmlns:r="\(relations)"><sheets>\
            <sheet name="Aktiviteter" sheetId="2" r:id="rId7"/><sheet name="Annet" sheetId="1" r:id="rId1"/>\
            </sheets></workbook>
            """,
            "xl/_rels/workbook.xml.rels": """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/>\
            <Relationship Id="rId7" Target="worksheets/sheet2.xml" Type="x"/></Relationships>
            """,
            "xl/sharedStrings.xml": """
            <sst xmlns="\(main)"><si><t>date</t></si><si><t>kind</t></si><si><t>note</t></si>\
            <si><r><t>Spedbarns</t></r><r><rPr><b/></rPr><t>dag</t></r><rPh><t>x</t></rPh></si>\
            <si><t xml:space="preserve">line one
            line two; &amp; more</t></si><si><t>participants</t></si><si><t>TRAINING</t></si></sst>
            """,
            "xl/styles.xml": """
            <styleSheet xmlns="\(main)"><numFmts count="2"><numFmt numFmtId="170" formatCode="dd/mm/yy"/>\
            <numFmt numFmtId="171" formatCode="0.0&quot; days&quot;"/></numFmts>\
            <cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="170"/><xf numFmtId="171"/></cellXfs>\
            </styleSheet>
            """,
            "xl/worksheets/sheet1.xml": """
            <worksheet xmlns="\(main)"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not this sheet</t></is></c>\
            </row></sheetData></worksheet>
            """,
            "xl/worksheets/sheet2.xml": """
            <worksheet xmlns="\(main)"><sheetData>\
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="s"><v>5</v></c>\
            <c r="E1" t="s"><v>2</v></c></row>\
            <row r="2"><c r="A2" s="1"><v>46037</v></c><c r="B2" t="s"><v>3</v></c><c r="D2"><f>4*2</f><v>8</v></c>\
            <c r="E2" t="s"><v>4</v></c></row>\
            <row r="4"><c r="A4" s="2"><v>46038.75</v></c><c r="B4" t="s"><v>6</v></c><c r="C4" t="b"><v>1</v></c>\
            <c r="D4" s="3"><v>1.5</v></c><c r="E4" t="str"><v>=text</v></c></row>\
            <row r="5"><c r="D5"><v>0.30000000000000004</v></c></row>\
            </sheetData></worksheet>
            """,
        ])
    }

    @Test("the example workbook, saved by a spreadsheet program, reads as the same events as the example CSV")
    func exampleMatchesTheCSV() throws {
        let csv = try ActivityCSV.parse(try Repository.bytes("Configs/examples/activities.csv"))
        let xlsx = try ActivityCSV.parse(try Repository.bytes("Configs/examples/activities.xlsx"))
        #expect(xlsx.headerProblems.isEmpty)
        #expect(xlsx.columns == csv.columns)
        let records = EventCSVTests.records(xlsx)
        #expect(records.count == 4)
        #expect(records.map(\.line) == EventCSVTests.records(csv).map(\.line))
        #expect(records.map(\.object) == EventCSVTests.records(csv).map(\.object))
        // Written back (with ids), a workbook becomes semicolon-separated CSV.
        #expect(xlsx.delimiter == ";")
    }

    @Test("cells: shared and rich text, dates in date formats, numbers, booleans, formulas' results; rows keep numbers")
    func cells() throws {
        let records = try XLSXReader.records(try Self.excelLike())
        #expect(records.map(\.line) == [1, 2, 4, 5])
        #expect(records[0].cells == ["date", "kind", "", "participants", "note"])
        #expect(records[1].cells == ["2026-01-15", "Spedbarnsdag", "", "8", "line one\nline two; & more"])
        // A custom date format (dd/mm/yy) still gives the ISO date; the time of day is dropped. "0.0 days" is
        // not a date format: its number stays a number.
        #expect(records[2].cells == ["2026-01-16", "TRAINING", "TRUE", "1.5", "=text"])
        #expect(records[3].cells == ["", "", "", "0.3"])
    }

    @Test("a sheet's rows go through the same checks as a CSV file's, with the sheet's row numbers")
    func rowsAreChecked() throws {
        let file = try ActivityCSV.parse(try Self.excelLike())
        // The header's empty column C is named like a CSV file's would be; and a workbook without a key or id
        // column cannot be imported (ids cannot be written back into it).
        #expect(file.headerProblems.map(\.code) == [.emptyColumnName, .workbookWithoutKey])
        #expect(file.headerProblems.first?.line == 1 && file.headerProblems.first?.column == 3)
        #expect(file.headerProblems.last?.description.contains("needs a key column") == true)
        #expect(file.rows.count == 3)
        let record = try #require(EventCSVTests.records(file).first)
        #expect(record.line == 2)
        #expect(record.object["kind"] == "Spedbarnsdag")
        #expect(record.object["participants"] == 8)
        #expect(record.object["date"] == "2026-01-15")
    }

    @Test(
        "damaged or hostile workbooks are refused as UNREADABLE_WORKBOOK, saying why",
        arguments: [
            ("damaged", "the ZIP archive is damaged"),
            ("no workbook", "it has no xl/workbook.xml"),
            ("bad XML", "is not well-formed XML"),
            ("too large", "larger than 4096 bytes uncompressed"),
        ]
    )
    func refused(_ kind: String, _ message: String) throws {
        let bytes: [UInt8]
        switch kind {
        case "damaged":
            bytes = [0x50, 0x4B, 0x03, 0x04] + Array("not really a zip archive".utf8)
        case "no workbook":
            bytes = try Self.workbook(["xl/worksheets/sheet1.xml": "<worksheet/>"])
        case "bad XML":
            bytes = try Self.workbook([
                "xl/workbook.xml": "<workbook/>",
                "xl/worksheets/sheet1.xml": "<worksheet><sheetData><row><c></row></worksheet>",
            ])
        default:
            // A part that inflates past the bound: 64 KiB of zeros, a few hundred bytes compressed.
            bytes = try Self.workbook([
                "xl/workbook.xml": "<workbook/>",
                "xl/worksheets/sheet1.xml": "<worksheet>" + String(repeating: " ", count: 65_536) + "</worksheet>",
            ])
        }
        do {
            _ = try XLSXReader.records(bytes, limit: 4096)
            Issue.record("expected UNREADABLE_WORKBOOK for \(kind)")
        } catch {
            #expect(error.code == .unreadableWorkbook, "\(error)")
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test("numbers read as a spreadsheet shows them, and date serials as ISO dates")
    func numbersAndDates() {
        #expect(XLSXReader.numberText("12") == "12")
        #expect(XLSXReader.numberText("12.0") == "12")
        #expect(XLSXReader.numberText("-3.25") == "-3.25")
        #expect(XLSXReader.numberText("0.1") == "0.1")
        #expect(XLSXReader.numberText("1E+20") == "1e+20")
        #expect(XLSXReader.isoDate(serial: "25569") == "1970-01-01")
        #expect(XLSXReader.isoDate(serial: "46037") == "2026-01-15")
        #expect(XLSXReader.isoDate(serial: "60") == "1900-02-28")  // Excel's 29 February 1900 does not exist
        #expect(XLSXReader.isoDate(serial: "0") == nil)
        #expect(XLSXReader.column(of: "A1") == 0 && XLSXReader.column(of: "AB12") == 27)
        #expect(XLSXReader.column(of: "12") == nil)
    }
}
