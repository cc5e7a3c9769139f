import Foundation
import KnutepunktDomain
import KnutepunktSpreadsheet
import SwiftCSV

// Why the JSON parser and the CSV reader are written by hand: each is measured here against the library that would
// replace it (Foundation's JSONSerialization; SwiftCSV), for speed on the project's own inputs and for the strictness
// the project requires. The figures are quoted at the top of JSONParser.swift and CSVReader.swift.

/// Parses the sample events with our parser and with JSONSerialization, and tries the inputs a strict parser must
/// refuse.
func jsonParsers() {
    let events = sampleEvents(size("BENCH_PARSER_EVENTS", 50_000))
    var parsed = 0
    let ours = seconds {
        for event in events where (try? JSONValue.parse(event)) != nil { parsed += 1 }
    }
    precondition(parsed == events.count, "our parser refused a sample event")
    let datas = events.map { Data($0) }
    parsed = 0
    let foundation = seconds {
        for data in datas where (try? JSONSerialization.jsonObject(with: data)) != nil { parsed += 1 }
    }
    precondition(parsed == events.count, "JSONSerialization refused a sample event")
    // What each one accepts that RFC 8259 or the event schema forbids (true: accepted, which is wrong).
    let forbidden: [(String, String)] = [
        ("duplicate_member", #"{"families": 1, "families": 12}"#),
        ("lone_surrogate", #"{"note": "\ud800"}"#),
        ("leading_zero", #"{"families": 012}"#),
        ("trailing_comma", #"{"families": 1,}"#),
        ("nan_literal", #"{"families": NaN}"#),
    ]
    var acceptedByOurs: [String: Bool] = [:]
    var acceptedByFoundation: [String: Bool] = [:]
    for (name, text) in forbidden {
        acceptedByOurs[name] = (try? JSONValue.parse(Array(text.utf8))) != nil
        acceptedByFoundation[name] = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil
    }
    Figure(
        benchmark: "parsers.json",
        value: Double(events.count) / ours,
        unit: "events/s (our parser)",
        details: [
            "events": events.count, "foundation_events_per_s": Double(events.count) / foundation,
            "accepted_by_ours": acceptedByOurs, "accepted_by_foundation": acceptedByFoundation,
        ]
    ).print()
}

/// Reads a spreadsheet export with our reader and with SwiftCSV, and tries the inputs a coordinator must be told
/// about rather than have read silently.
func csvReaders() throws {
    let rows = size("BENCH_PARSER_ROWS", 20_000)
    var text = "id;kind;node;date;municipality;target_groups;families;note\n"
    for row in 0..<rows {
        text += "\(row);infant_day;NO-VEST-FONNA;2026-10-15;4601;parents|infants;\(row % 40);"
        text += row % 10 == 0 ? "\"a note; with \"\"quotes\"\"\nand a line break\"\n" : "plain note\n"
    }
    let bytes = Array(text.utf8)
    var ours = 0
    let oursSeconds = try seconds {
        var reader = CSVReader(bytes: bytes, delimiter: UInt8(ascii: ";"))
        ours = try reader.records().count
    }
    var library = 0
    let librarySeconds = try seconds {
        library = try CSV<Enumerated>(string: text, delimiter: .character(";")).rows.count
    }
    guard ours == rows + 1, library == rows else {
        throw BenchFailure("CSV readers disagree: ours \(ours) records, SwiftCSV \(library) rows for \(rows)")
    }
    // An unclosed quote swallows the rest of the file into one cell: ours refuses it, naming the line.
    let unclosed = "id;note\n1;\"never closed\n2;lost\n3;lost too\n"
    var oursRefusesUnclosed = false
    do {
        var reader = CSVReader(bytes: Array(unclosed.utf8), delimiter: UInt8(ascii: ";"))
        _ = try reader.records()
    } catch {
        oursRefusesUnclosed = true
    }
    let libraryRows = (try? CSV<Enumerated>(string: unclosed, delimiter: .character(";")).rows.count)
    Figure(
        benchmark: "parsers.csv",
        value: Double(rows) / oursSeconds,
        unit: "rows/s (our reader)",
        details: [
            "rows": rows, "swiftcsv_rows_per_s": Double(rows) / librarySeconds,
            "unclosed_quote_refused_by_ours": oursRefusesUnclosed,
            "unclosed_quote_swiftcsv_rows": libraryRows.map { "\($0) of 3, no error" } ?? "error",
            "record_line_numbers": "ours: the physical line each record starts on; SwiftCSV: none",
        ]
    ).print()
}
