import Foundation
import HTTPTypes
import HummingbirdTesting
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktTesting
import NIOCore
import Testing

/// A spreadsheet through the workspace: checked row by row with the CLI's hints and shown before anything is
/// imported; then only the good rows go, in the user's name, and importing the file again stores nothing twice.
@Suite(.serialized)
struct WorkspaceSpreadsheetTests {
    typealias F = WorkspaceFixtures

    static let sheet = """
        key;date;kind;target_groups;tier;age_bands;professions;participants;families;sessions;funding;municipality
        A-1;2026-01-05;TRAINING;PND;U;M0_3;PHN;12;0;1;PERMANENT;4601
        A-2;15.10.2025;Spedbarnsdag;PND,PAR_MH;U;M0_3;PHN;1 200;0;1;PERMANENT;301
        A-3;2026-01-06;SCREENING;PND;U;M0_3;PHN;31;31;1;PERMANENT;0301

        """

    @Test(.timeLimit(.minutes(2)))
    func badRowsAreShownWithHintsAndOnlyGoodRowsAreImported() async throws {
        try await F.withWorkspace { client, control in
            var headers = F.bearer(F.kari)
            headers[.contentType] = "text/csv"
            let checked = try await client.post(
                "/workspace/api/spreadsheet/check",
                headers: headers,
                body: ByteBuffer(string: Self.sheet)
            )
            #expect(checked.status == .ok)
            let table = try F.json(checked)
            #expect(table["good"] == 2 && table["bad"] == 1)
            let rows = table["rows"]?.arrayValue ?? []
            #expect(rows.map { $0["good"] } == [true, false, true])
            let problems = rows[1]["problems"]?.arrayValue ?? []
            let suggestions = Set(problems.compactMap { $0["suggestion"]?.stringValue })
            #expect(suggestions == ["2025-10-15", "INFANT_DAY", "PND|PAR_MH", "1200", "0301"])
            // Nothing was sent by the check.
            let none = try await ControlClient.withConnection(to: control) { try $0.events(EventsRequest()) }
            #expect(none.events.isEmpty)

            let imported = try F.json(
                await client.post(
                    "/workspace/api/spreadsheet/import",
                    headers: headers,
                    body: ByteBuffer(string: Self.sheet)
                )
            )
            #expect(imported["queued"] == 2 && imported["skipped"] == 1)
            let again = try F.json(
                await client.post(
                    "/workspace/api/spreadsheet/import",
                    headers: headers,
                    body: ByteBuffer(string: Self.sheet)
                )
            )
            #expect(again["queued"] == 0 && again["alreadyThere"] == 2)
            let listed = try await ControlClient.withConnection(to: control) { try $0.events(EventsRequest()) }
            #expect(listed.events.count == 2 && listed.events.allSatisfy { $0.submittedBy == "kari" })

            // The template and the codes download.
            let template = try await client.get("/workspace/api/template.csv", headers: F.bearer(F.kari))
            #expect(template.headers[.contentDisposition]?.contains("attachment") == true)
            let text = String(buffer: template.body ?? ByteBuffer())
            #expect(text.contains("key;date;kind;node;municipality;target_groups"))
            let codes = String(
                buffer: try await client.get("/workspace/api/codes.csv", headers: F.bearer(F.kari)).body ?? ByteBuffer()
            )
            #expect(codes.contains("kind;INFANT_DAY;") && codes.contains("Spedbarnsdagene"))
            #expect(codes.contains("professions;PHN;Public health nurse (helsesykepleier);Helsesykepleier"))
        }
    }

    /// An Excel workbook goes up as it is and is checked like a CSV file: the example workbook's four rows are
    /// good, and a damaged one gets the reason in words.
    @Test(.timeLimit(.minutes(2)))
    func anExcelWorkbookIsCheckedLikeACSVFile() async throws {
        try await F.withWorkspace { client, _ in
            var headers = F.bearer(F.kari)
            headers[.contentType] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            let workbook = try Repository.bytes("Configs/examples/activities.xlsx")
            let checked = try await client.post(
                "/workspace/api/spreadsheet/check",
                headers: headers,
                body: ByteBuffer(bytes: workbook)
            )
            #expect(checked.status == .ok)
            let table = try F.json(checked)
            #expect(table["good"] == 4 && table["bad"] == 0, "\(table)")
            #expect(table["rows"]?.arrayValue?.map { $0["line"] } == [2, 3, 4, 5])
            let damaged = try await client.post(
                "/workspace/api/spreadsheet/check",
                headers: headers,
                body: ByteBuffer(bytes: Array(workbook.prefix(200)))
            )
            #expect(damaged.status == .badRequest)
            #expect(String(buffer: damaged.body ?? ByteBuffer()).contains("the workbook cannot be read"))
        }
    }
}
