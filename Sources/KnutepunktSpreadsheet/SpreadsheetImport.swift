import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain

/// `knutepunkt import`: checks every row of a spreadsheet export first, then (only when asked) submits the good
/// rows to the node in chunks.
///
/// Every row has an identity that survives importing the file again, so nothing is ever stored twice: its `id`
/// cell; else an id derived from its `key` cell (the coordinator's own reference for the row); else an id the import
/// gives it, derived from its content, and writes into the file (``fileWithIDs()``) before anything is sent. A row
/// whose identity the node already holds with other content is a correction of that activity (the spreadsheet is
/// the coordinator's record); an unchanged row is recognised and not stored again.
package struct SpreadsheetImport: Sendable {
    /// A row that passed the check, ready to submit.
    package struct GoodRow: Sendable, Hashable {
        package var line: Int
        package var id: UUID
        /// The event object (with its id) as JSON.
        package var json: [UInt8]
    }

    /// One problem with one row (or the header), already phrased for a person: `line 4, column 7 (tier): …`, with a
    /// hint when a spreadsheet habit explains it (``SpreadsheetHints``).
    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        package var line: Int
        package var text: String
        /// The column (from 1) the problem is in, when it is in one.
        package var column: Int?
        /// The issue's code (`UNKNOWN_CODE`…), or the file problem's.
        package var code: String?
        package var hint: SpreadsheetHints.Hint?

        package init(
            line: Int,
            text: String,
            column: Int? = nil,
            code: String? = nil,
            hint: SpreadsheetHints.Hint? = nil
        ) {
            self.line = line
            self.text = text
            self.column = column
            self.code = code
            self.hint = hint
        }

        package var description: String { text + (hint.map { "\n    hint: \($0.message)" } ?? "") }
    }

    package var csv: ActivityCSV
    package var good: [GoodRow]
    /// Header problems first, then row problems in line order.
    package var problems: [Problem]
    /// Ids this import gave rows that had none (by row index): written into the file before anything is sent.
    package var givenIDs: [Int: UUID]
    /// True when the header itself is broken: nothing should be imported until it is fixed.
    package var headerBroken: Bool { !csv.headerProblems.isEmpty }
    /// Data rows in the file.
    package var rowCount: Int { csv.rows.count }
    /// Rows with at least one problem.
    package var badRowCount: Int { Set(problems.filter { $0.line > headerLine }.map(\.line)).count }
    private var headerLine: Int

    /// Reads and checks `bytes` (a CSV file) against the node's taxonomy and defaults, without talking to the node.
    package init(
        bytes: [UInt8],
        node: NodeConfiguration,
        taxonomy: Taxonomy,
        today: LocalDate = .today()
    )
        throws(ActivityCSVError)
    {
        try self.init(
            bytes: bytes,
            nodeID: node.id,
            region: node.region,
            defaultNode: node.defaultNode,
            taxonomy: taxonomy,
            today: today
        )
    }

    /// Reads and checks `bytes` (a CSV file) for the node daemon `nodeID` of `region`, without talking to it.
    package init(
        bytes: [UInt8],
        nodeID: String,
        region: String,
        defaultNode: String?,
        taxonomy: Taxonomy,
        today: LocalDate = .today()
    )
        throws(ActivityCSVError)
    {
        csv = try ActivityCSV.parse(bytes)
        headerLine = csv.headerProblems.map(\.line).min() ?? 0
        problems = csv.headerProblems.map {
            Problem(line: $0.line, text: $0.description, column: $0.column, code: $0.code.rawValue)
        }
        let hints = SpreadsheetHints(taxonomy: taxonomy)
        good = []
        givenIDs = [:]
        let validator = EventValidator(taxonomy: taxonomy)
        var occurrences: [[UInt8]: Int] = [:]
        var keys: [String: Int] = [:]
        for (index, row) in csv.rows.enumerated() {
            switch row {
            case .error(let error):
                problems.append(
                    Problem(line: error.line, text: error.description, column: error.column, code: error.code.rawValue)
                )
            case .record(let record):
                let content = record.object.serialized()
                let occurrence = occurrences[content, default: 0]
                occurrences[content] = occurrence + 1
                var derived = Self.derivedID(node: nodeID, content: content, occurrence: occurrence)
                if csv.hasKeyColumn, record.object.idText == nil {
                    guard let key = record.key else {
                        problems.append(
                            Problem(
                                line: record.line,
                                text: "line \(record.line) (key): the key is empty; give every row a key of its own "
                                    + "(e.g. a running number), or an id"
                            )
                        )
                        continue
                    }
                    if let first = keys[key] {
                        problems.append(
                            Problem(
                                line: record.line,
                                text: "line \(record.line) (key): this key is already the key of line \(first); "
                                    + "every row needs a key of its own"
                            )
                        )
                        continue
                    }
                    keys[key] = record.line
                    derived = Self.keyedID(node: nodeID, key: key)
                } else if record.object.idText == nil, record.object["id"] == nil {
                    givenIDs[index] = derived
                }
                let identity = derived
                let defaults = EventDefaults(region: region, node: defaultNode, makeID: { identity })
                switch validator.validate(record.object, defaults: defaults, today: today) {
                case .success(let event):
                    var object = record.object
                    if object.idText == nil, case .object(var members) = object {
                        members["id"] = .string(event.id.lowercasedText)
                        object = .object(members)
                    }
                    good.append(GoodRow(line: record.line, id: event.id, json: object.serialized()))
                case .failure(let failure):
                    // One hint per cell, on its first problem.
                    var hinted: Set<Int> = []
                    for issue in failure.issues {
                        let column = csv.column(for: issue.field)
                        var hint: SpreadsheetHints.Hint?
                        if let column, hinted.insert(column.number).inserted,
                            column.number <= csv.cells[index].count
                        {
                            let cell = csv.cells[index][column.number - 1]
                            hint = hints.hint(column: column.name, cell: cell, code: issue.code)
                        }
                        problems.append(
                            Problem(
                                line: record.line,
                                text: csv.describe(issue, line: record.line),
                                column: column?.number,
                                code: issue.code.rawValue,
                                hint: hint
                            )
                        )
                    }
                }
            }
        }
    }

    /// The file with the ids this import gave rows written into its `id` column, or nil when every row already had
    /// an identity (an id, or a key). Write it before submitting: then importing the file again, after editing a
    /// row, corrects that row's activity instead of adding a second one.
    package func fileWithIDs() -> [UInt8]? {
        givenIDs.isEmpty ? nil : csv.written(ids: givenIDs)
    }

    /// What the node answered for the submitted rows.
    package struct Outcome: Sendable, Hashable {
        package var queued = 0
        /// Rows that changed since they were imported: queued as corrections, with what changed.
        package var corrected: [Problem] = []
        package var alreadyThere = 0
        package var refused: [Problem] = []
    }

    /// Submits the good rows in chunks of `chunk`, calling `progress(done, total)` after each. A row the node
    /// holds with other content is submitted as a correction of it.
    package func submit(
        to endpoint: String,
        timeout: Duration,
        submittedBy: String? = nil,
        chunk: Int = 200,
        progress: @Sendable (Int, Int) -> Void
    ) async throws -> Outcome {
        var outcome = Outcome()
        var done = 0
        progress(0, good.count)
        for start in stride(from: 0, to: good.count, by: max(1, chunk)) {
            let rows = Array(good[start..<min(start + max(1, chunk), good.count)])
            let payloads = rows.map(\.json)
            let results = try await ControlClient.withConnection(to: endpoint, timeout: timeout) {
                try $0.submit(payloads, submittedBy: submittedBy, correctChanged: true)
            }
            for (row, result) in zip(rows, results) {
                switch result.status {
                case .queued, .delivered:
                    if result.existing {
                        outcome.alreadyThere += 1
                    } else if let base = result.basedOn {
                        let changes = EventChange.summary(result.changes ?? [])
                        outcome.corrected.append(
                            Problem(
                                line: row.line,
                                text: "line \(row.line): corrected (version \(result.version ?? base + 1) of "
                                    + "\(row.id.lowercasedText)): \(changes)"
                            )
                        )
                    } else {
                        outcome.queued += 1
                    }
                case .rejected:
                    outcome.refused.append(
                        Problem(line: row.line, text: "line \(row.line): rejected by the hub: \(result.reason ?? "")")
                    )
                case .invalid:
                    for issue in result.issues ?? [] {
                        outcome.refused.append(Problem(line: row.line, text: csv.describe(issue, line: row.line)))
                    }
                }
            }
            done += rows.count
            progress(done, good.count)
        }
        return outcome
    }

    /// A UUID (version 8, "custom") from the node id, the row's content and how many identical rows came before it.
    static func derivedID(node: String, content: [UInt8], occurrence: Int) -> UUID {
        UUID.derived(namespace: node, name: content + Array(String(occurrence).utf8))
    }

    /// A UUID from the node id and the row's key: the same key always names the same activity.
    static func keyedID(node: String, key: String) -> UUID {
        UUID.derived(namespace: "key:\(node)", name: Array(key.utf8))
    }
}
