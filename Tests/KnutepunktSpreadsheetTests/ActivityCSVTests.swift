import KnutepunktDomain
import KnutepunktTesting
import Testing

@testable import KnutepunktSpreadsheet

@Suite("CSV import")
struct EventCSVTests {
    static func parse(_ text: String) throws(ActivityCSVError) -> ActivityCSV {
        try ActivityCSV.parse(Array(text.utf8))
    }

    static func records(_ file: ActivityCSV) -> [ActivityCSV.Record] {
        file.rows.compactMap { if case .record(let record) = $0 { record } else { nil } }
    }

    @Test("the example file: every row is a valid event at a node of NO-VEST")
    func exampleFile() throws {
        let file = try ActivityCSV.parse(try Repository.bytes("Configs/examples/activities.csv"))
        #expect(file.delimiter == ";")
        #expect(file.headerProblems.isEmpty)
        let records = Self.records(file)
        #expect(records.count == file.rows.count && records.count >= 4)
        #expect(records.prefix(4).map(\.line) == [2, 3, 4, 5])
        for record in records {
            let issues = EventSamples.issues(
                record.object,
                defaults: EventSamples.nodeDefaults,
                today: LocalDate.today()
            )
            #expect(issues.isEmpty, "line \(record.line): \(issues)")
        }
        let first = try #require(records.first?.object)
        #expect(first["age_bands"] == ["M3_12", "Y1_3"])
        #expect(first["participants"] == 8)
        #expect(first["note"] == "COS-P group, spring term")
        #expect(records[1].object["programmes"] == nil)  // empty cell: absent
        #expect(records[2].object["note"] == "EPDS screening training; midwives and nurses")
        #expect(records[3].object["note"] == nil)
    }

    @Test("comma, semicolon and tab files read the same")
    func delimiters() throws {
        let rows = [
            ["date", "kind", "target_groups", "participants", "note"],
            ["2026-01-15", "DELIVERY", "PND|PAR_MH", "8", "a, b; c"],
        ]
        var objects: [JSONValue] = []
        for delimiter in [",", ";", "\t"] {
            let text = rows.map { $0.map { $0.contains(delimiter) ? "\"\($0)\"" : $0 }.joined(separator: delimiter) }
                .joined(separator: "\n")
            let file = try Self.parse(text)
            #expect(file.delimiter == Character(delimiter))
            objects += Self.records(file).map(\.object)
        }
        #expect(objects.count == 3 && Set(objects).count == 1)
        #expect(objects.first?["note"] == "a, b; c")
        #expect(objects.first?["target_groups"] == ["PND", "PAR_MH"])
    }

    @Test("RFC 4180 quoting: doubled quotes, delimiters and line breaks inside quotes")
    func quoting() throws {
        let text =
            "kind;note;tier\nTRAINING;\"He said \"\"hei\"\"; then left\";S\nDELIVERY;\"two\nlines\";U\nPILOT;plain \"quote\" inside;I\n"
        let file = try Self.parse(text)
        let records = Self.records(file)
        #expect(records.map(\.line) == [2, 3, 5])
        #expect(records[0].object["note"] == "He said \"hei\"; then left")
        #expect(records[1].object["note"] == "two\nlines")
        #expect(records[2].object["note"] == "plain \"quote\" inside")
        // The validator then refuses the line break in the note, pointing at the note column.
        let issues = EventSamples.issues(records[1].object, defaults: EventSamples.nodeDefaults)
        let note = try #require(issues.first { $0.code == .controlCharacter })
        #expect(file.describe(note, line: records[1].line).hasPrefix("line 3, column 2 (note): "))
    }

    @Test("byte order mark and CRLF line ends are tolerated")
    func bomAndCRLF() throws {
        let text = "kind;tier\r\nTRAINING;S\r\n\r\nDELIVERY;\"U\"\r\n"
        let file = try ActivityCSV.parse([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        #expect(file.columns == ["kind", "tier"])
        #expect(Self.records(file).map(\.line) == [2, 4])
        #expect(Self.records(file).map { $0.object["tier"] } == ["S", "U"])
        // A lone CR ends a line too.
        let old = try Self.parse("kind;tier\rTRAINING;S\rPILOT;I")
        #expect(Self.records(old).map(\.line) == [2, 3])
    }

    @Test("ragged rows are row errors; the other rows still come through")
    func raggedRows() throws {
        let file = try Self.parse("kind;tier;note\nTRAINING;S\nDELIVERY;U;x;y\nPILOT;I;ok\n;;\n")
        #expect(file.rows.count == 3)
        guard case .error(let short) = file.rows[0], case .error(let long) = file.rows[1] else {
            Issue.record("expected two row errors, got \(file.rows)")
            return
        }
        #expect(short.code == .wrongCellCount && short.line == 2 && short.message.contains("2 cells"))
        #expect(long.code == .wrongCellCount && long.line == 3 && long.message.contains("4 cells"))
        #expect(file.rows[2].line == 4)
    }

    @Test("unknown, repeated and empty header names are reported once, with a did-you-mean")
    func headerProblems() throws {
        let file = try Self.parse("kind;targetgroups;tier;tier;;colour\nTRAINING;PND;S;S;;blue\nPILOT;PND;I;I;;red\n")
        #expect(
            file.headerProblems.map(\.code) == [.unknownColumn, .duplicateColumn, .emptyColumnName, .unknownColumn]
        )
        #expect(file.headerProblems.map(\.column) == [2, 4, 5, 6])
        #expect(file.headerProblems[0].message.contains("did you mean target_groups?"))
        #expect(file.headerProblems.allSatisfy { $0.line == 1 })
        // Cells under unusable columns are left out of the objects.
        let object = try #require(Self.records(file).first?.object.objectValue)
        #expect(object.keys == ["kind", "tier"])
    }

    @Test("a header of many unknown columns gives a bounded list of problems")
    func manyUnknownColumns() throws {
        let header = (0..<500).map { "c\($0)" }.joined(separator: ";") + ";kind"
        let file = try Self.parse(header + "\n" + Array(repeating: "x", count: 501).joined(separator: ";") + "\n")
        #expect(file.headerProblems.count == ActivityCSV.maxHeaderProblems + 1)
        #expect(file.headerProblems.last?.message.contains("480 more column names") == true)
        #expect(Self.records(file).first?.object.objectValue?.keys == ["kind"])
    }

    @Test("counts become integers; anything else stays text so validation reports WRONG_TYPE")
    func counts() throws {
        let file = try Self.parse("participants,families,sessions,schema\n12,-1,tolv,1\n 7 ,1.5,1 000,\n")
        let records = Self.records(file)
        #expect(records[0].object["participants"] == 12)
        #expect(records[0].object["families"] == -1)
        #expect(records[0].object["sessions"] == "tolv")
        #expect(records[0].object["schema"] == 1)
        #expect(records[1].object["participants"] == 7)
        #expect(records[1].object["families"] == "1.5")
        #expect(records[1].object["sessions"] == "1 000")
        #expect(records[1].object["schema"] == nil)
        let issues = EventSamples.issues(records[0].object, defaults: EventSamples.nodeDefaults)
        let sessions = try #require(issues.first { $0.field == "sessions" })
        #expect(sessions.code == .wrongType)
        #expect(file.describe(sessions, line: 2).hasPrefix("line 2, column 3 (sessions): "))
    }

    @Test(
        "issue fields map back to columns",
        arguments: [
            ("tier", 7), ("target_groups[1]", 5), ("professions", 9), ("note", 14), ("extra.deep[0]", nil), ("id", nil),
        ] as [(String, Int?)]
    )
    func columnMapping(_ field: String, _ column: Int?) throws {
        let file = try ActivityCSV.parse(try Repository.bytes("Configs/examples/activities.csv"))
        #expect(file.column(for: field)?.number == column)
    }

    @Test("a wrong code in a spreadsheet row points at its line and column")
    func lineAndColumn() throws {
        let header =
            "date;kind;node;municipality;target_groups;programmes;tier;age_bands;professions;participants;families;sessions;funding;note"
        let text =
            header + "\n2026-01-15;DELIVERY;NO-VEST-FONNA;1106;PAR_MH;COS_P;X;M3_12;PHN;8;8;8;PERMANENT;\n"
            + "2026-01-16;DELIVERY;NO-VEST-FONNA;1106;PAR_MH|PNDD;COS_P;S;M3_12;PHN;8;8;8;PERMANENT;\n"
        let file = try Self.parse(text)
        let lines = Self.records(file).flatMap { record in
            EventSamples.issues(record.object, defaults: EventSamples.nodeDefaults).map {
                file.describe($0, line: record.line)
            }
        }
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("line 2, column 7 (tier): \"X\" is not a tier"))
        #expect(lines[1].hasPrefix("line 3, column 5 (target_groups[1]): \"PNDD\" is not a target group"))
        #expect(lines[1].contains("did you mean PND?"))
    }

    @Test(
        "whole-file problems are thrown with their line",
        arguments: [
            ("", ActivityCSVError.Code.noHeader, 1),
            ("\n\n;;\n", .noHeader, 1),
            ("kind;note\nTRAINING;\"never closed\nPILOT;x\n", .unterminatedQuote, 2),
        ]
    )
    func fileProblems(_ text: String, _ code: ActivityCSVError.Code, _ line: Int) {
        #expect(throws: ActivityCSVError.self) { try Self.parse(text) }
        do {
            _ = try Self.parse(text)
        } catch {
            #expect(error.code == code && error.line == line, "\(error)")
        }
    }

    @Test("a file that is not UTF-8 is refused, pointing at the first bad line")
    func notUTF8() {
        // "Førde" in Windows-1252.
        let bytes = Array("kind;note\nTRAINING;ok\nPILOT;F".utf8) + [0xF8] + Array("rde\n".utf8)
        do {
            _ = try ActivityCSV.parse(bytes)
            Issue.record("expected a NOT_UTF8 error")
        } catch {
            #expect(error.code == .notUTF8 && error.line == 3)
        }
    }

    @Test("text after a closing quote is a row error")
    func badQuoting() throws {
        let file = try Self.parse("kind;note\nTRAINING;\"a\"b\nPILOT;\"ok\"  \n")
        guard case .error(let error) = file.rows.first else {
            Issue.record("expected a row error")
            return
        }
        #expect(error.code == .badQuoting && error.line == 2 && error.column == 2)
        #expect(Self.records(file).first?.object["note"] == "ok")
    }
}
