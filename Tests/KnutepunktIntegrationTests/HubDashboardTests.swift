import Foundation
import HTTPTypes
import HummingbirdTesting
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// The national centre's dashboard served by the hub itself (`hub.dashboardAccess` beside `hub.http`): on the same
/// HTTP server as /metrics, to token holders only, with what the hub stored.
@Suite(.serialized)
struct HubDashboardTests {
    @Test(.timeLimit(.minutes(6)))
    func theHubServesItsDashboardToTokenHoldersOnly() async throws {
        let net = try LoopbackNetwork(nodes: [("NO-VEST", "NO-VEST", "NO-VEST-BERGEN")])
        defer { net.folder.remove() }
        let access = net.folder.file("dashboard-access")
        let made = try await CommandRun.knutepunkt([
            "dashboard", "token", "--name", "kari", "--role", "analyst", "--append", access,
        ])
        #expect(made.status == 0, "\(made.errors)")
        let token = try #require(
            made.output.split(separator: "\n").first { $0.hasPrefix("token: ") }.map { String($0.dropFirst(7)) }
        )
        try net.writeHubConfig(extra: "  http: 127.0.0.1:0\n  dashboardAccess: \(access)")
        let hub = try DaemonProcess(
            name: "hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        let hubEndpoints = try await hub.ready()
        let port = try #require(hubEndpoints["http"].flatMap { Int($0.split(separator: ":").last ?? "") })
        try net.writeNodeConfig("NO-VEST", hub: try #require(hubEndpoints["listen"]))
        let node = try DaemonProcess(
            name: "node",
            executable: Repository.executable,
            arguments: ["node", "--config", net.nodeConfigPath("NO-VEST")],
            logFile: net.folder.file("node.log")
        )
        let control = try #require(try await node.ready()["control"])
        // Activities of this week, inside the dashboard's rolling 12-month window.
        let events = (0..<7).map { index in
            Array(
                EventFixtures.event(source: "DASH", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN")
                    .replacing(/"date":"[0-9-]+"/, with: "\"date\":\"\(LocalDate.today().adding(days: -index).iso)\"")
                    .utf8
            )
        }
        _ = try await ControlClient.withConnection(to: control, timeout: .seconds(60)) { try $0.submit(events) }
        _ = try await NodeToHubTests.drained(control)

        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            // Without a token: nothing but the health endpoints.
            #expect(try await client.get("/dashboard/api/overview").status == .unauthorized)
            #expect(try await client.get("/healthz").status == .ok)
            #expect(try await client.get("/metrics").status == .ok)
            let signedIn: HTTPFields = [.authorization: "Bearer \(token)"]
            let me = try await client.get("/dashboard/api/me", headers: signedIn)
            #expect(me.status == .ok)
            #expect(me.body.map { String(buffer: $0) }?.contains("\"kari\"") == true)
            // The dashboard reads what the hub stored (it re-reads the store shortly after events are published and
            // announces it on its live stream): follow the stream, opened before the first look, until it says so.
            func overviewEvents() async throws -> Int? {
                let overview = try await client.get("/dashboard/api/overview", headers: signedIn)
                let object = try overview.body.flatMap {
                    try JSONSerialization.jsonObject(with: Data(String(buffer: $0).utf8)) as? [String: Any]
                }
                return object?["events"] as? Int
            }
            let stream = try EventStreamReader(
                port: port,
                path: "/dashboard/api/stream",
                headers: ["Authorization": "Bearer \(token)"]
            )
            defer { stream.close() }
            var counted = try await overviewEvents()
            if counted != events.count {
                counted = try await onSocketThread { () -> Int? in
                    // Bounded: at most 1,000 notices, each within 60 s (a status notice comes every 5 s).
                    for _ in 0..<1_000 {
                        guard let notice = try stream.next(timeout: .seconds(60)) else { return nil }
                        if notice.name == "views", notice.data.contains("\"events\":\(events.count)") {
                            return events.count
                        }
                    }
                    return nil
                }
                #expect(try await overviewEvents() == counted)
            }
            #expect(counted == events.count)
            let page = try await client.get("/dashboard", headers: signedIn)
            #expect(page.status == .ok)
        }
        #expect(await node.stop() == 0)
        #expect(await hub.stop() == 0)
    }
}
