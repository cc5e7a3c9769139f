import KnutepunktSpreadsheet
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

/// Holds docs/events.md to what the code does: its examples validate, its tables list the codes the code defines.
@Suite("docs/events.md")
struct EventDocumentTests {
    static func text() throws -> String {
        String(decoding: try Repository.bytes("docs/events.md"), as: UTF8.self)
    }

    /// The fenced block that follows the marker comment `<!-- example: … -->` containing `marker`.
    static func example(after marker: String) throws -> String {
        let text = try text()
        let start = try #require(text.range(of: "<!-- example: \(marker) -->"))
        let fenceOpen = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let bodyStart = try #require(text.range(of: "\n", range: fenceOpen.upperBound..<text.endIndex))
        let fenceClose = try #require(text.range(of: "\n```", range: bodyStart.upperBound..<text.endIndex))
        return String(text[bodyStart.upperBound..<fenceClose.lowerBound])
    }

    static let nodeVest = EventDefaults(region: "NO-VEST", node: "NO-VEST-FONNA", makeID: { EventSamples.fixedID })

    @Test("the hub example is valid there, and its canonical form is the one printed")
    func hubExample() throws {
        let value = try JSONValue.parse(try Self.example(after: "valid at the hub"))
        let event = try EventSamples.validator.validate(value, defaults: .hub, today: LocalDate.today()).get()
        let text = try Self.text()
        let canonical = String(decoding: event.canonicalJSON(), as: UTF8.self)
        #expect(text.contains("```text\n\(canonical)\n```"))
    }

    @Test("the node example is valid at a node of NO-VEST")
    func nodeExample() throws {
        let value = try JSONValue.parse(
            try Self.example(after: "valid at a node of NO-VEST with default node NO-VEST-FONNA")
        )
        let result = EventSamples.validator.validate(value, defaults: Self.nodeVest, today: LocalDate.today())
        #expect(throws: Never.self) { try result.get() }
        #expect(
            EventSamples.issues(value, defaults: .hub, today: LocalDate.today()).map(\.field) == [
                "id", "region", "node",
            ]
        )
    }

    @Test("the CSV example is valid at a node of NO-VEST")
    func csvExample() throws {
        let csv = try Self.example(after: "valid CSV at a node of NO-VEST with default node NO-VEST-FONNA")
        let file = try ActivityCSV.parse(Array(csv.utf8))
        #expect(file.headerProblems.isEmpty)
        #expect(file.rows.count == 2)
        for row in file.rows {
            guard case .record(let record) = row else {
                Issue.record("row error: \(row)")
                continue
            }
            #expect(EventSamples.issues(record.object, defaults: Self.nodeVest, today: LocalDate.today()).isEmpty)
        }
    }

    @Test("the issue code table lists exactly the codes the validator defines")
    func issueCodeTable() throws {
        let text = try Self.text()
        let section = try #require(text.range(of: "## Issue codes"))
        let rows = text[section.upperBound...].split(separator: "\n").filter { $0.hasPrefix("| `") }
        let documented = rows.compactMap { $0.split(separator: "`").dropFirst().first.map(String.init) }
        #expect(documented == ValidationIssue.Code.allKnown.map(\.rawValue))
    }

    @Test("the member table covers every member and every code of the test taxonomy")
    func memberTable() throws {
        let text = try Self.text()
        for name in ActivityEvent.memberNames {
            #expect(text.contains("| `\(name)` |"), "member \(name)")
        }
        let taxonomy = EventTestTaxonomy.taxonomy
        for vocabulary in Taxonomy.Vocabulary.allCases where vocabulary != .node {
            for code in taxonomy.codes(of: vocabulary) {
                #expect(text.contains("`\(code)`"), "\(vocabulary) \(code)")
            }
        }
    }
}
