import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktTesting
import Testing

/// The workspace in a real browser (headless Chromium, driven over the DevTools protocol by
/// Tests/Browser/workspace_browser.py) against a node daemon and a hub on loopback: a coordinator signs in, records
/// an activity with three mistakes and fixes them, sees it delivered, corrects it, withdraws it, uploads a
/// spreadsheet with bad rows, and closes a month (makes last month's return and sees it delivered; the regional lead
/// signs the month off). Screenshots of each step go to .build/workspace-screenshots/.
@Suite(.serialized)
struct WorkspaceBrowserTests {
    typealias F = WorkspaceFixtures

    static var shots: String { "\(Repository.root)/.build/workspace-screenshots" }

    static let spreadsheet = """
        key;date;kind;target_groups;tier;age_bands;professions;participants;families;sessions;funding;municipality
        B-1;2026-01-05;TRAINING;PND;U;M0_3;PHN;12;0;1;PERMANENT;4601
        B-2;15.10.2025;Spedbarnsdag;PND,PAR_MH;U;M0_3;PHN;1 200;0;1;PERMANENT;301
        B-3;2026-01-06;SCREENING;PND;U;M0_3;Helsesøster;31;31;1;PERMANENT;0301
        B-4;2026-01-07;SCREENING;PND;X;M0_3;PHN;-3;31;1;PERMANENT;0301

        """

    @Test(.timeLimit(.minutes(5)))
    func aCoordinatorRecordsFixesCorrectsWithdrawsAndUploadsInABrowser() async throws {
        try await HeadlessBrowser.ensureInstalled()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let csv = folder.file("activities.csv")
        try Self.spreadsheet.write(toFile: csv, atomically: true, encoding: .utf8)
        let out = folder.file("browser")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)

        let month = ReportingMonth(LocalDate.today()).adding(months: -1).text
        try await F.withWorkspaceServer(askHubForGaps: true, reporting: true) { port, control in
            let started = ContinuousClock.now
            let browser = try BrowserRun(
                arguments: [
                    "\(HeadlessBrowser.scripts)/workspace_browser.py", "--chromium", HeadlessBrowser.chromium,
                    "--url", "http://127.0.0.1:\(port)/workspace", "--token", F.kari, "--lead-token", F.lise,
                    "--month", month, "--csv", csv, "--out", out,
                    "--shots", Self.shots,
                ]
            )
            defer { browser.stop() }
            try await browser.waitForExit()
            let elapsed = ContinuousClock.now - started
            let result = try JSONValue.parse(
                Array(try Data(contentsOf: URL(fileURLWithPath: "\(out)/result.json")))
            )

            // Signed in, in Norwegian, with the hub reachable; the first Tab reaches the skip link.
            #expect(result["signedIn"]?.stringValue?.hasPrefix("kari") == true)
            #expect(result["link"]?.stringValue?.contains("up") == true)
            #expect(result["norwegianLabel"]?.stringValue?.hasPrefix("Type aktivitet") == true)
            #expect(result["firstTab"] == "skip")
            // The three mistakes, each next to its field and in the summary; the note checked before sending.
            #expect(result["noteCheckedBeforeSending"] == "PII_NO_FNR")
            let summary = Set(result["mistakes"]?["summary"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(
                summary == ["municipality INVALID_MUNICIPALITY", "participants NEGATIVE_COUNT", "note PII_NO_FNR"]
            )
            let fields = Set(result["mistakes"]?["fields"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(fields == summary)
            #expect(result["mistakes"]?["focused"] == "problems", "the summary takes the focus")
            #expect(result["summaryLink"] == "in-municipality:false", "a summary link leads to its field")
            #expect(result["englishMarked"] == true, "the validator's English sentence is marked lang=en")
            #expect(result["mistakesPageText"]?.stringValue?.contains("15108695088") == false)
            #expect(result["delivered"]?.stringValue?.contains("Levert") == true)
            #expect(result["corrected"]?.stringValue?.contains("versjon 2") == true, "\(result["corrected"] ?? nil)")
            #expect(result["history"]?.arrayValue?.count == 3)
            // The spreadsheet: rows 3, 4 and 5 bad, with the CLI's hints; the good row imported.
            #expect(result["sheet"]?["bad"] == [3, 4, 5])
            let hints = Set(result["sheet"]?["hints"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(hints.isSuperset(of: ["2025-10-15", "INFANT_DAY", "PND|PAR_MH", "1200", "0301", "PHN"]))
            #expect(result["imported"]?.stringValue?.contains("1 nye") == true, "\(result["imported"] ?? nil)")
            // The region's picture from the hub (its gaps for NO-VEST, if its rules have run yet: a "no report"
            // finding, say).
            let picture = result["picture"]?.stringValue ?? ""
            #expect(picture.contains("Slik det nasjonale knutepunktet ser regionen"), "\(picture)")
            #expect(picture.contains("ingen åpne mangler") || picture.contains("NO-VEST"), "\(picture)")
            // The month closed: kari's return delivered (a coordinator gets no sign-off button), then lise's sign-off.
            #expect(["due", "overdue"].contains(result["monthDue"]?.stringValue ?? ""))
            #expect(result["returned"]?.stringValue?.contains("levert") == true, "\(result["returned"] ?? nil)")
            #expect(result["returnMessage"]?.stringValue?.contains("er levert") == true)
            #expect(result["coordinatorSignOffButtons"] == 0)
            #expect(result["lead"]?.stringValue?.hasPrefix("lise") == true)
            #expect(result["signedOff"]?.stringValue?.contains("godkjent") == true, "\(result["signedOff"] ?? nil)")
            #expect(result["signedOff"]?.stringValue?.contains("lise") == true)
            #expect(result["signOffMessage"]?.stringValue?.contains("\(month) er godkjent") == true)
            let held = try await ControlClient.withConnection(to: control) { try $0.returns() }
            #expect(
                held.returns.map { "\($0.month) \($0.status) \($0.state) \($0.submittedBy ?? "")" } == [
                    "\(month) complete delivered kari"
                ]
            )
            // Nothing wider than the screen, on a 1366×768 laptop or a phone.
            #expect(result["laptopOverflow"] == 0)
            #expect(result["phoneOverflow"] == 0)

            // What the node holds: the activity withdrawn at version 3 in kari's name, and the good row.
            let id = try #require(result["id"]?.stringValue)
            let history = try await ControlClient.withConnection(to: control) { try $0.history(of: id) }
            #expect(history.versions.map(\.entry.state).last == "withdrawn")
            #expect(history.versions.allSatisfy { $0.entry.submittedBy == "kari" })
            let listed = try await ControlClient.withConnection(to: control) { try $0.events(EventsRequest()) }
            #expect(listed.events.count == 2)

            var report = "workspace in a browser: \(elapsed) in all;"
            for step in result["steps"]?.arrayValue ?? [] {
                let millis: String
                if case .integer(let value)? = step["millis"] { millis = "\(value)" } else { millis = "?" }
                report += " \(step["step"]?.stringValue ?? "") \(millis) ms"
                report += " (\(step["screenshot"]?.stringValue ?? ""));"
            }
            print(report)
            try report.write(toFile: "\(Self.shots)/steps.txt", atomically: true, encoding: .utf8)
        }
    }
}
