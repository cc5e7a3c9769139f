import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain

/// `knutepunkt import`: checks every row of a spreadsheet export first, then (only when asked) submits the good
/// rows to the node in chunks.
///
/// Rows without an `id` get one derived from the node and the row's content, so importing the same file again —
/// after fixing its bad rows, say — stores nothing twice: the node answers "already queued/delivered" for the rows
/// it has.
package struct SpreadsheetImport: Sendable {
    /// A row that passed the check, ready to submit.
    package struct GoodRow: Sendable, Hashable {
        package var line: Int
        package var id: UUID
        /// The event object (with its id) as JSON.
        package var json: [UInt8]
    }

    /// One problem with one row (or the header), already phrased for a person: `line 4, column 7 (tier): …`.
    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        package var line: Int
        package var text: String
        package var description: String { text }
    }

    package var csv: ActivityCSV
    package var good: [GoodRow]
    /// Header problems first, then row problems in line order.
    package var problems: [Problem]
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
        csv = try ActivityCSV.parse(bytes)
        headerLine = csv.headerProblems.map(\.line).min() ?? 0
        problems = csv.headerProblems.map { Problem(line: $0.line, text: $0.description) }
        good = []
        let validator = EventValidator(taxonomy: taxonomy)
        var occurrences: [[UInt8]: Int] = [:]
        for row in csv.rows {
            switch row {
            case .error(let error):
                problems.append(Problem(line: error.line, text: error.description))
            case .record(let record):
                let content = record.object.serialized()
                let occurrence = occurrences[content, default: 0]
                occurrences[content] = occurrence + 1
                let derived = Self.derivedID(node: node.id, content: content, occurrence: occurrence)
                let defaults = EventDefaults(region: node.region, node: node.defaultNode, makeID: { derived })
                switch validator.validate(record.object, defaults: defaults, today: today) {
                case .success(let event):
                    var object = record.object
                    if object.idText == nil, case .object(var members) = object {
                        members["id"] = .string(event.id.lowercasedText)
                        object = .object(members)
                    }
                    good.append(GoodRow(line: record.line, id: event.id, json: object.serialized()))
                case .failure(let failure):
                    for issue in failure.issues {
                        problems.append(Problem(line: record.line, text: csv.describe(issue, line: record.line)))
                    }
                }
            }
        }
    }

    /// What the node answered for the submitted rows.
    package struct Outcome: Sendable, Hashable {
        package var queued = 0
        package var alreadyThere = 0
        package var refused: [Problem] = []
    }

    /// Submits the good rows in chunks of `chunk`, calling `progress(done, total)` after each.
    package func submit(
        to endpoint: String,
        timeout: Duration,
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
                try $0.submit(payloads)
            }
            for (row, result) in zip(rows, results) {
                switch result.status {
                case .queued, .delivered:
                    if result.existing { outcome.alreadyThere += 1 } else { outcome.queued += 1 }
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
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in Array(node.utf8) + [0] + content + Array(String(occurrence).utf8) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            return hash
        }
        let high = fnv(0xcbf2_9ce4_8422_2325)
        let low = fnv(0x84222325_cbf29ce4)
        var bytes =
            (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}
