import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The dashboard in a real browser (headless Chromium, driven over the DevTools protocol by
/// Tests/Browser/dashboard_browser.py) against a hub holding the sample year: the heatmap and the gap list show
/// what the gap report and the hub compute, a new event published through a node changes the page without a reload,
/// and an analyst acknowledges a gap through the dialog and accepts (locks) a month NO-VEST's lead signed off. Saves
/// screenshots to .build/dashboard-screenshot.png and .build/dashboard-periods.png.
@Suite(.serialized)
struct DashboardBrowserTests {
    static var screenshotPath: String { "\(Repository.root)/.build/dashboard-screenshot.png" }
    static var periodsScreenshotPath: String { "\(Repository.root)/.build/dashboard-periods.png" }

    @Test(.timeLimit(.minutes(10)))
    func theDashboardShowsTheHubsNumbersAndFollowsItLive() async throws {
        try await HeadlessBrowser.ensureInstalled()
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let hub = InProcessDaemons.hubConfiguration(folder: folder, nodes: DashboardFixtures.regions.map { ($0, $0) })
        let storePath = folder.file("hub.sqlite")
        try DashboardFixtures.storeSample(at: storePath, today: today)
        let viewer = DashboardAccess.makeToken()
        let analyst = DashboardAccess.makeToken()

        try await InProcessDaemons.withHub(hub) { endpoints in
            let configuration = DashboardFixtures.configuration(
                storePath: storePath,
                publish: endpoints.publish,
                control: endpoints.control,
                acknowledgements: folder.file("dashboard.sqlite"),
                viewer: viewer,
                analyst: analyst
            )
            try await DashboardFixtures.withDashboard(configuration) { feed, port in
                // The feed has read the store and holds the hub's gaps, up to the hub's latest change.
                try await DashboardFixtures.waitUntil("the dashboard's first views and gaps", on: feed.state) {
                    let state = feed.state.snapshot
                    guard state.views != nil, state.gapEpoch != nil else { return false }
                    let hubGaps = try await DashboardFixtures.hubGaps(endpoints.control)
                    return state.gapSequence == hubGaps.sequence && state.gapEpoch == hubGaps.epoch
                }
                let hubGaps = try await DashboardFixtures.hubGaps(endpoints.control)
                #expect(hubGaps.gaps.count > 10, "the sample year carries many gaps")
                let expected = try DashboardFixtures.expectedHeatmap(storePath: storePath, today: today)

                // NO-VEST's regional lead has signed last month off (as `knutepunkt period sign-off` does).
                let month = ReportingMonth(today).adding(months: -1).text
                let signOff = PeriodRequest(
                    region: "NO-VEST",
                    month: month,
                    step: .signOff,
                    by: "lise",
                    role: "lead",
                    actorRegion: "NO-VEST"
                )
                _ = try await ControlClient.withConnection(to: endpoints.control) { try $0.period(signOff) }

                let out = folder.file("browser")
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                let browser = try BrowserRun(
                    arguments: [
                        "\(HeadlessBrowser.scripts)/dashboard_browser.py", "--chromium", HeadlessBrowser.chromium,
                        "--url", "http://127.0.0.1:\(port)/dashboard", "--token", analyst, "--out", out,
                        "--screenshot", Self.screenshotPath, "--month", month, "--periods-screenshot",
                        Self.periodsScreenshotPath,
                    ]
                )
                defer { browser.stop() }

                // What the page shows first: the script prints `initial` once it has written it.
                let said = try await browser.line()
                #expect(said == "initial")
                let initial = try PageFacts.read("\(out)/initial.json")
                #expect(initial.regionHeads == DashboardFixtures.regions)
                Self.expectHeatmap(initial, equals: expected)
                #expect(initial.gapCount == String(hubGaps.gaps.count))
                // The returns' grid says when each return was made at the node and when it arrived.
                let made = #/^(made|laget) \d{4}-\d{2}-\d{2} · (received|mottatt) \d{4}-\d{2}-\d{2}$/#
                #expect(
                    initial.returnTitles?.contains { $0.wholeMatch(of: made) != nil } == true,
                    "\(initial.returnTitles?.prefix(3) ?? [])"
                )
                #expect(Set(initial.gapKeys) == Set(hubGaps.gaps.map(\.key)))
                // Each finding's day: "or earlier" where the data only bound it (the day the hub first found it, or
                // a bound of G2 or G12), the day itself where it is the day the condition began.
                let bounded = hubGaps.gaps.filter { $0.sinceBasis == "AT_LEAST" }
                for gap in hubGaps.gaps {
                    let shown = gap.since.map { gap.sinceBasis == "AT_LEAST" ? "\($0) or earlier" : $0 }
                    #expect(initial.sinceCells?[gap.key] == (shown ?? gap.openedOn ?? ""), "\(gap.key)")
                }
                #expect(!bounded.isEmpty && bounded.count < hubGaps.gaps.count, "\(bounded.count) bounded")
                #expect(initial.norwegianTitle?.contains("nasjonalt") == true)
                #expect(initial.firstTab == "skip:true", "the first Tab reaches the visible skip link")
                // Gap markers on the heatmap: G1 (no service for families affected by imprisonment) in NO-NORD, and
                // the cell marked as a gap although the national median is 0.
                #expect(initial.cells["NO-NORD|PRISON"]?.gaps.split(separator: " ").contains("G1") == true)
                #expect(initial.cells["NO-NORD|PRISON"]?.band == "absent")
                // The report opens with the national summary, worst first, and ranks the findings in groups.
                #expect(initial.summary.count == 17 && initial.summary.first?.hasSuffix("|RED") == true)
                #expect(initial.summaryFirst.contains("no service in 3 of 4 regions"), "\(initial.summaryFirst)")
                #expect(initial.norwegianSummaryFirst?.contains("ingen tjeneste i 3 av 4 regioner") == true)
                #expect(initial.groupRows > 0)
                #expect(!initial.firstFinding.isEmpty && initial.norwegianFirstFinding != initial.firstFinding)
                // Trends as charts drawn by the page: one per target group, withheld quarters shown as withheld.
                #expect(initial.charts == 17 && initial.chartPaths > 0)
                #expect((initial.nordChartWithheld ?? 0) > 0)

                // A coordinator in NO-VEST publishes one more activity for perinatal depression through the node.
                try await Self.publishThroughNode(hub: endpoints.listen, folder: folder, day: today.adding(days: -1))
                try browser.tell("published")
                try await browser.waitForExit()
                guard browser.status == 0 else { throw BrowserRun.Failed(errors: browser.errors) }

                let final = try PageFacts.read("\(out)/final.json")
                let after = try DashboardFixtures.expectedHeatmap(storePath: storePath, today: today)
                #expect(final.reloaded == false, "the page changed live, without a reload")
                Self.expectHeatmap(final, equals: after)
                let before = Int(initial.cells["NO-VEST|PND"]?.events ?? "") ?? 0
                #expect(Int(final.cells["NO-VEST|PND"]?.events ?? "") == before + 1)
                #expect(final.updates > initial.updates)
                // The cell's events, listed: as many as the cell counts.
                #expect(final.eventRows == Int(final.cells["NO-VEST|PND"]?.events ?? ""))
                // Its history, one click away: the sample events have one version each.
                #expect(final.historyItems == 1)

                // The acknowledgement is stored, audited, and about the gap the page showed.
                let acknowledgements = feed.state.snapshot.acknowledgements
                #expect(acknowledgements.first?.gapKey == final.acknowledgedKey)
                #expect(acknowledgements.first?.user == "kari" && acknowledgements.first?.role == "analyst")
                #expect(acknowledgements.first?.note == "Regional plan under way")
                #expect(FileManager.default.fileExists(atPath: Self.screenshotPath))
                // Sign-off and lock: the analyst accepted NO-VEST's signed-off month with the button; it is locked.
                #expect(final.periodSignedOff?.contains("lise") == true, "\(final.periodSignedOff ?? "")")
                #expect(final.periodLocked?.contains("kari") == true, "\(final.periodLocked ?? "")")
                #expect(final.periodHistory == ["accept", "sign-off"])
                let ledger = try await ControlClient.withConnection(to: endpoints.control) {
                    try $0.period(PeriodRequest(region: "NO-VEST", month: month))
                }
                #expect(ledger.locked && ledger.history.last?.by == "kari" && ledger.history.last?.role == .analyst)
                #expect(FileManager.default.fileExists(atPath: Self.periodsScreenshotPath))
                if let load = initial.load {
                    print(
                        "dashboard: screenshot \(Self.screenshotPath); load against the sample year: "
                            + "\(load.wallMillis) ms to rendered (navigation to data on screen), "
                            + "page mark \(load.renderedMillis) ms, DOMContentLoaded \(load.domContentLoadedMillis) ms, "
                            + "load event \(load.loadEventMillis) ms"
                    )
                }
            }
        }
    }

    static func expectHeatmap(_ page: PageFacts, equals expected: [String: (events: String, rate: Double?)]) {
        #expect(Set(page.cells.keys) == Set(expected.keys))
        for (key, cell) in expected {
            let shown = page.cells[key]
            #expect(shown?.events == cell.events, "events in \(key)")
            if let rate = cell.rate, !cell.events.isEmpty, cell.events != "<5" {
                #expect(abs((Double(shown?.rate ?? "") ?? -1) - rate) < 0.006, "rate in \(key)")
            } else {
                #expect(shown?.rate == "", "no rate shown in \(key)")
            }
        }
    }

    /// Runs a NO-VEST node daemon against the hub, submits one event and waits until the hub has it.
    static func publishThroughNode(hub: String, folder: TemporaryDirectory, day: LocalDate) async throws {
        let node = NodeConfiguration(
            id: "NO-VEST",
            region: "NO-VEST",
            hubEndpoint: hub,
            controlEndpoint: "tcp://127.0.0.1:*",
            outboxPath: folder.file("node/outbox.sqlite"),
            taxonomyPath: Repository.taxonomyPath,
            defaultNode: "NO-VEST-BERGEN"
        )
        let event = EventFixtures.event(source: "DASHBOARD", index: 0, region: "NO-VEST", node: "NO-VEST-BERGEN")
            .replacingOccurrences(
                of: #""date":"[0-9-]+""#,
                with: "\"date\":\"\(day.iso)\"",
                options: .regularExpression
            )
        try await InProcessDaemons.withNode(node) { endpoints in
            try await ControlClient.withConnection(to: endpoints.control, timeout: .seconds(60)) { client in
                let results = try client.submit([Array(event.utf8)])
                guard results.first?.status == .queued else {
                    throw BrowserRun.Failed(errors: "not queued: \(results)")
                }
                _ = try client.status(StatusRequest(waitForDrained: true, timeoutMillis: 30_000))
            }
        }
    }
}

/// What the browser script read off the page.
struct PageFacts: Decodable {
    struct Cell: Decodable {
        var events: String
        var rate: String
        var band: String
        var gaps: String
        var text: String
    }

    struct Load: Decodable {
        var wallMillis: Int
        var renderedMillis: Int
        var domContentLoadedMillis: Int
        var loadEventMillis: Int
    }

    var cells: [String: Cell]
    var gapCount: String
    /// The tooltips of the monthly returns' grid: when each return was made and received, or when it is due.
    var returnTitles: [String]?
    var summary: [String]
    var summaryFirst: String
    var groupRows: Int
    var firstFinding: String
    var charts: Int
    var chartPaths: Int
    var chartWithheld: Int
    var norwegianSummaryFirst: String?
    var norwegianFirstFinding: String?
    var nordChartWithheld: Int?
    var gapKeys: [String]
    /// The text of each finding's "since" cell, by gap key.
    var sinceCells: [String: String]?
    var regionHeads: [String]
    var periodSignedOff: String?
    var periodLocked: String?
    var periodHistory: [String]?
    var updates: Int
    var title: String
    var lang: String
    var load: Load?
    var norwegianTitle: String?
    var firstTab: String?
    var eventRows: Int?
    var historyItems: Int?
    var reloaded: Bool?
    var acknowledgedKey: String?

    static func read(_ path: String) throws -> PageFacts {
        try JSONDecoder().decode(PageFacts.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
