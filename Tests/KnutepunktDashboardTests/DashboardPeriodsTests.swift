import Foundation
import HTTPTypes
import HummingbirdTesting
import KnutepunktClient
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktTesting
import NIOCore
import Testing

/// Sign-off and lock on the dashboard, against a real hub on loopback: the regional lead signs a month off (as
/// `knutepunkt period sign-off` does), the dashboard shows it per region × month, and only the national analyst
/// accepts it (the hub locks it) and reopens it with a reason; every step is in the history with who, when and why.
@Suite(.serialized)
struct DashboardPeriodsTests {
    static let viewer = DashboardAccess.makeToken()
    static let analyst = DashboardAccess.makeToken()
    static let lead = DashboardAccess.makeToken()

    static func bearer(_ token: String, json: Bool = false) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(token)"]
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    static func json(_ response: TestClient.Response) throws -> JSONValue {
        try JSONValue.parse(Array(buffer: response.body ?? ByteBuffer()))
    }

    static func cell(_ periods: JSONValue, _ region: String, _ month: String) -> JSONValue? {
        periods["cells"]?.arrayValue?.first { $0["region"]?.stringValue == region && $0["month"]?.stringValue == month }
    }

    @Test(.timeLimit(.minutes(2)))
    func onlyTheAnalystAcceptsAndReopensASignedOffMonthAndEveryStepIsInTheHistory() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let month = ReportingMonth(LocalDate.today()).adding(months: -1).text
        let hub = InProcessDaemons.hubConfiguration(folder: folder)
        try await InProcessDaemons.withHub(hub) { endpoints in
            var configuration = DashboardFixtures.configuration(
                storePath: folder.file("hub.sqlite"),
                publish: endpoints.publish,
                control: endpoints.control,
                acknowledgements: folder.file("dashboard.sqlite"),
                viewer: Self.viewer,
                analyst: Self.analyst
            )
            configuration.access.entries.append(
                .init(
                    user: DashboardUser(name: "lise", role: .lead, region: "NO-VEST"),
                    digest: DashboardAccess.digest(of: Self.lead)
                )
            )
            // The regional lead signs last month off at the hub, as `knutepunkt period sign-off` does.
            let signOff = PeriodRequest(
                region: "NO-VEST",
                month: month,
                step: .signOff,
                by: "lise",
                role: "lead",
                actorRegion: "NO-VEST"
            )
            _ = try await ControlClient.withConnection(to: endpoints.control) { try $0.period(signOff) }

            try await DashboardFixtures.withDashboard(configuration) { _, port in
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    let path = "/dashboard/api/periods/NO-VEST/\(month)"
                    #expect(try await client.get("/dashboard/api/periods").status == .unauthorized)
                    let seen = try Self.json(
                        await client.get("/dashboard/api/periods", headers: Self.bearer(Self.viewer))
                    )
                    #expect(Self.cell(seen, "NO-VEST", month)?["state"] == "signedOff", "\(seen)")
                    #expect(Self.cell(seen, "NO-VEST", month)?["by"] == "lise")
                    #expect(Self.cell(seen, "NO-NORD", month)?["state"] == "open")
                    #expect(seen["mayDecide"] == false)
                    #expect(seen["months"]?.arrayValue?.first?.stringValue == month, "newest first")

                    // A viewer and a regional lead may not accept; a form cannot post; a bad step is refused.
                    for token in [Self.viewer, Self.lead] {
                        let refused = try await client.post(
                            "\(path)/accept",
                            headers: Self.bearer(token, json: true),
                            body: ByteBuffer(string: "{}")
                        )
                        #expect(refused.status == .forbidden)
                    }
                    let form = try await client.post(
                        "\(path)/accept",
                        headers: [
                            .authorization: "Bearer \(Self.analyst)", .contentType: "application/x-www-form-urlencoded",
                        ],
                        body: ByteBuffer(string: "reason=x")
                    )
                    #expect(form.status == .unsupportedMediaType)
                    let signOffHere = try await client.post(
                        "\(path)/sign-off",
                        headers: Self.bearer(Self.analyst, json: true),
                        body: ByteBuffer(string: "{}")
                    )
                    #expect(signOffHere.status == .badRequest)

                    // The analyst accepts: the hub locks the month.
                    let accepted = try await client.post(
                        "\(path)/accept",
                        headers: Self.bearer(Self.analyst, json: true),
                        body: ByteBuffer(string: "{}")
                    )
                    #expect(accepted.status == .ok)
                    #expect(try Self.json(accepted)["locked"] == true)
                    let locked = try Self.json(
                        await client.get("/dashboard/api/periods", headers: Self.bearer(Self.analyst))
                    )
                    #expect(Self.cell(locked, "NO-VEST", month)?["state"] == "locked")
                    #expect(Self.cell(locked, "NO-VEST", month)?["by"] == "kari")
                    #expect(locked["mayDecide"] == true)

                    // Reopening needs a reason; with one, the month is open again.
                    let noReason = try await client.post(
                        "\(path)/reopen",
                        headers: Self.bearer(Self.analyst, json: true),
                        body: ByteBuffer(string: #"{"reason": "  "}"#)
                    )
                    #expect(noReason.status == .badRequest)
                    let reopened = try await client.post(
                        "\(path)/reopen",
                        headers: Self.bearer(Self.analyst, json: true),
                        body: ByteBuffer(string: #"{"reason": "Helse Førde sent two trainings late"}"#)
                    )
                    #expect(reopened.status == .ok)
                    #expect(try Self.json(reopened)["state"] == "open")
                    // The hub's rules still hold: an open month cannot be accepted.
                    let acceptOpen = try await client.post(
                        "\(path)/accept",
                        headers: Self.bearer(Self.analyst, json: true),
                        body: ByteBuffer(string: "{}")
                    )
                    #expect(acceptOpen.status == .conflict)
                    #expect(try Self.json(acceptOpen)["error"]?.stringValue?.contains("signs it off first") == true)

                    let after = try Self.json(
                        await client.get("/dashboard/api/periods", headers: Self.bearer(Self.viewer))
                    )
                    #expect(Self.cell(after, "NO-VEST", month)?["state"] == "open")
                    let history = after["history"]?.arrayValue ?? []
                    #expect(
                        history.map { "\($0["kind"]?.stringValue ?? "") \($0["by"]?.stringValue ?? "")" } == [
                            "reopen kari", "accept kari", "sign-off lise",
                        ]
                    )
                    #expect(history.first?["reason"] == "Helse Førde sent two trainings late")
                    #expect(history.allSatisfy { $0["at"]?.stringValue?.hasSuffix("Z") == true })
                }
            }
        }
    }
}
