import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktTesting
import Testing

/// The routes without a hub: who gets in, what each role may do, and what the CSV exports withhold. The feed runs
/// (the application's service) against an empty store and an unreachable hub; gaps are put into its state by hand.
@Suite struct DashboardRoutesTests {
    static let viewer = DashboardAccess.makeToken()
    static let analyst = DashboardAccess.makeToken()

    /// A gap whose count of 3 events must not leave the hub.
    static let gap = GapRecord(
        GapFinding(
            rule: .g2RateShortfall,
            severity: .amber,
            region: "NO-VEST",
            targetGroup: "PND",
            message: "PND in NO-VEST: fewer than 5 activities",
            inputs: ["observed": 3, "rate": 0.35, "median": 2.1],
            thresholds: ["amber": 0.75]
        ),
        openedOn: LocalDate(year: 2026, month: 11, day: 2)
    )

    func withApplication(_ body: @Sendable (any TestClientProtocol, DashboardFeed) async throws -> Void) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var configuration = DashboardFixtures.configuration(
            storePath: folder.file("hub.sqlite"),
            publish: "tcp://127.0.0.1:9",
            control: "tcp://127.0.0.1:9",
            acknowledgements: folder.file("dashboard.sqlite"),
            viewer: Self.viewer,
            analyst: Self.analyst
        )
        configuration.controlTimeout = .milliseconds(100)
        let feed = DashboardFeed(configuration: configuration, logger: InProcessDaemons.logger)
        feed.state.update(nil) { $0.gaps = [Self.gap.key: Self.gap] }
        let app = DashboardServer.makeApplication(
            feed: feed,
            host: "127.0.0.1",
            port: 0,
            logger: InProcessDaemons.logger
        )
        try await app.test(.router) { client in try await body(client, feed) }
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test func nothingButHealthAndSignInWithoutAToken() async throws {
        try await withApplication { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/dashboard/login", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/dashboard", method: .get) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/dashboard/login")
            }
            for path in ["api/gaps", "api/heatmap", "api/gaps.csv", "api/events", "api/stream", "api/nodes", "app.js"] {
                try await client.execute(uri: "/dashboard/\(path)", method: .get) { response in
                    #expect(response.status == .unauthorized, "\(path)")
                }
            }
            try await client.execute(uri: "/dashboard/api/gaps", method: .get, headers: Self.bearer("nope")) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/dashboard/api/me", method: .get, headers: Self.bearer(Self.viewer)) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body) == #"{"name":"screen","role":"viewer"}"#)
            }
        }
    }

    @Test func theMonthlyReturnsGridNeedsATokenAndAnswersJSON() async throws {
        try await withApplication { client, _ in
            try await client.execute(uri: "/dashboard/api/completeness", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/dashboard/api/completeness",
                method: .get,
                headers: Self.bearer(Self.viewer)
            ) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                // The shipped taxonomy expects a return from each of its 19 local nodes for every month from January
                // 2026 that has ended; the fixture's hub holds none.
                let today = LocalDate.today()
                let ended = (today.year - 2026) * 12 + today.month - 1
                let months = body?["months"] as? [String] ?? []
                #expect(months.count == ended && months.first == "2026-01" && body?["timelyDays"] as? Int == 15)
                let national = body?["national"] as? [String: Any]
                #expect(national?["expected"] as? Int == 19 * ended && national?["received"] as? Int == 0)
            }
        }
    }

    @Test func theSignInFormSetsAStrictHttpOnlyCookie() async throws {
        try await withApplication { client, _ in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            try await client.execute(
                uri: "/dashboard/login",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "token=wrong")
            ) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/dashboard/login?failed=1")
                #expect(response.headers[.setCookie] == nil)
            }
            let cookie = try await client.execute(
                uri: "/dashboard/login",
                method: .post,
                headers: form,
                body: ByteBuffer(string: "token=\(Self.viewer)")
            ) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/dashboard")
                return response.headers[.setCookie] ?? ""
            }
            #expect(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/dashboard")
            )
            let value = String(cookie.split(separator: ";")[0])
            try await client.execute(uri: "/dashboard", method: .get, headers: [.cookie: value]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("id=\"heatmap\""))
                #expect(
                    response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true
                )
            }
        }
    }

    @Test func onlyAnAnalystAcknowledgesAndEveryAcknowledgementIsAudited() async throws {
        try await withApplication { client, feed in
            let json: HTTPFields = [.contentType: "application/json"]
            let body = ByteBuffer(string: #"{"key":"\#(Self.gap.key)","note":"Talked to RKBU Vest"}"#)
            try await client.execute(
                uri: "/dashboard/api/acknowledgements",
                method: .post,
                headers: Self.bearer(Self.viewer).merging(json),
                body: body
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/dashboard/api/acknowledgements",
                method: .post,
                headers: Self.bearer(Self.analyst),
                body: body
            ) { #expect($0.status == .unsupportedMediaType, "a form cannot acknowledge (no cross-site posts)") }
            try await client.execute(
                uri: "/dashboard/api/acknowledgements",
                method: .post,
                headers: Self.bearer(Self.analyst).merging(json),
                body: ByteBuffer(string: #"{"key":"G1|NOWHERE","note":"x"}"#)
            ) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: "/dashboard/api/acknowledgements",
                method: .post,
                headers: Self.bearer(Self.analyst).merging(json),
                body: body
            ) { #expect($0.status == .created) }
            let audit = feed.state.snapshot.acknowledgements
            #expect(audit.count == 1)
            #expect(audit.first?.user == "kari" && audit.first?.note == "Talked to RKBU Vest")
            #expect(audit.first?.gapOpenedOn == "2026-11-02" && audit.first?.severity == "AMBER")
            try await client.execute(uri: "/dashboard/api/gaps", method: .get, headers: Self.bearer(Self.viewer)) {
                let text = String(buffer: $0.body)
                #expect(text.contains("\"acknowledgement\":{") && text.contains("Talked to RKBU Vest"))
            }
        }
    }

    @Test func theGapExportWithholdsCountsUnderFive() async throws {
        try await withApplication { client, _ in
            try await client.execute(uri: "/dashboard/api/gaps.csv", method: .get, headers: Self.bearer(Self.viewer)) {
                response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = String(buffer: response.body).split(separator: "\n").map(String.init)
                #expect(lines.first == ReportTable(columns: GapRecord.tableColumns).csv().dropLast().description)
                #expect(lines.count == 2)
                #expect(lines[1].hasPrefix("1,1,NO-VEST,G2,RATE_SHORTFALL,AMBER,PND,"))
                #expect(lines[1].contains("observed=<5") && !lines[1].contains("observed=3"))
                #expect(lines[1].contains("rate=<5") && !lines[1].contains("0.35"), "the count's own rate goes too")
            }
            // The same rows for Norwegian Excel: semicolons, a byte order mark, CRLF.
            try await client.execute(
                uri: "/dashboard/api/gaps.csv?dialect=excel",
                method: .get,
                headers: Self.bearer(Self.viewer)
            ) { response in
                let text = String(buffer: response.body)
                #expect(text.hasPrefix("\u{FEFF}rank;group;region;rule;") && text.contains("\r\n1;1;NO-VEST;G2;"))
            }
            try await client.execute(
                uri: "/dashboard/api/events?from=2026-13-01",
                method: .get,
                headers: Self.bearer(Self.viewer)
            ) { #expect($0.status == .badRequest) }
        }
    }
}

/// The dashboard of a hub configuration whose store does not exist yet.
@Suite struct DashboardMissingStoreTests {
    @Test func aMissingStoreIsReportedAndNeverCreated() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let storePath = folder.file("hub/hub.sqlite")
        let hub = InProcessDaemons.hubConfiguration(folder: folder)
        var configuration = DashboardConfiguration(
            hub: HubConfiguration(
                id: hub.id,
                listenEndpoint: "tcp://127.0.0.1:9",
                publishEndpoint: "tcp://127.0.0.1:9",
                controlEndpoint: "tcp://127.0.0.1:9",
                storage: .sqlite(path: storePath),
                taxonomyPath: hub.taxonomyPath,
                nodes: []
            ),
            taxonomy: InProcessDaemons.taxonomy,
            thresholds: .standard,
            access: DashboardAccess(entries: [
                .init(user: DashboardUser(name: "screen", role: .viewer), digest: DashboardAccess.digest(of: "t0ken"))
            ])
        )
        configuration.controlTimeout = .milliseconds(100)
        #expect(configuration.acknowledgementsPath == folder.file("hub/dashboard.sqlite"))
        let feed = DashboardFeed(configuration: configuration, logger: InProcessDaemons.logger)
        let app = DashboardServer.makeApplication(
            feed: feed,
            host: "127.0.0.1",
            port: 0,
            logger: InProcessDaemons.logger
        )
        try await app.test(.router) { client in
            try await DashboardFixtures.waitUntil("the store problem", on: feed.state, seconds: 30) {
                feed.state.snapshot.storeProblem != nil
            }
            try await client.execute(
                uri: "/dashboard/api/overview",
                method: .get,
                headers: [.authorization: "Bearer t0ken"]
            ) {
                #expect(String(buffer: $0.body).contains("does not exist yet"))
            }
            try await client.execute(
                uri: "/dashboard/api/heatmap",
                method: .get,
                headers: [.authorization: "Bearer t0ken"]
            ) {
                #expect($0.status == .serviceUnavailable)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: storePath))
    }
}

extension HTTPFields {
    fileprivate func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        merged.append(contentsOf: other)
        return merged
    }
}
