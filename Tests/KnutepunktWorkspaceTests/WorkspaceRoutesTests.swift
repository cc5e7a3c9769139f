import Foundation
import HTTPTypes
import HummingbirdTesting
import KnutepunktAccess
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktTesting
import KnutepunktWorkspace
import NIOCore
import Testing

/// The workspace served by a real node daemon (its HTTP server, its control socket, its outbox) in front of a real
/// hub, over loopback: who gets in, and an activity from the form to the hub.
@Suite(.serialized)
struct WorkspaceRoutesTests {
    typealias F = WorkspaceFixtures

    @Test(.timeLimit(.minutes(2)))
    func onlyTokenHoldersGetInAndTheCookieHoldsASessionNotTheToken() async throws {
        try await F.withWorkspace { client, _ in
            let page = try await client.get("/workspace")
            #expect(page.status == .seeOther && page.headers[.location] == "/workspace/login")
            #expect(try await client.get("/workspace/login").status == .ok)
            #expect(try await client.get("/workspace/app.js").status == .unauthorized)
            for path in ["me", "form", "activities", "status", "delivery?id=x"] {
                #expect(try await client.get("/workspace/api/\(path)").status == .unauthorized, "\(path)")
                let wrong = try await client.get("/workspace/api/\(path)", headers: F.bearer("nope"))
                #expect(wrong.status == .unauthorized, "\(path)")
            }
            // A dashboard-style token of the right length but not in the file.
            let stranger = try await client.get("/workspace/api/me", headers: F.bearer(WorkspaceAccess.makeToken()))
            #expect(stranger.status == .unauthorized)
            let me = try await client.get("/workspace/api/me", headers: F.bearer(F.kari))
            #expect(me.status == .ok)
            #expect(try F.json(me)["role"] == "coordinator" && F.json(me)["name"] == "kari")
            #expect(try F.json(await client.get("/workspace/api/me", headers: F.bearer(F.lise)))["role"] == "lead")

            // The sign-in form: a refused token goes back with a notice, a good one opens a session.
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let refused = try await client.post("/workspace/login", headers: form, body: ByteBuffer(string: "token=x"))
            #expect(refused.headers[.location] == "/workspace/login?failed=1")
            let signIn = try await client.post(
                "/workspace/login",
                headers: form,
                body: ByteBuffer(string: "token=\(F.kari)")
            )
            #expect(signIn.status == .seeOther && signIn.headers[.location] == "/workspace")
            let cookie = try #require(signIn.headers[.setCookie])
            #expect(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/workspace")
            )
            #expect(!cookie.contains(F.kari), "the browser never holds the token")
            let session = try #require(cookie.split(separator: ";").first.map(String.init))
            let withSession: HTTPFields = [.cookie: session]
            #expect(try await client.get("/workspace", headers: withSession).status == .ok)
            #expect(try await client.get("/workspace/app.js", headers: withSession).status == .ok)
            #expect(try F.json(await client.get("/workspace/api/me", headers: withSession))["name"] == "kari")

            // A state-changing request that is not JSON is refused (a cross-site form cannot send JSON).
            var plain = withSession
            plain[.contentType] = "application/x-www-form-urlencoded"
            let forged = try await client.post(
                "/workspace/api/activities",
                headers: plain,
                body: ByteBuffer(string: "a=b")
            )
            #expect(forged.status == .unsupportedMediaType)

            // Signing out ends the session on the server, not only in the browser.
            let out = try await client.post("/workspace/logout", headers: withSession, body: ByteBuffer())
            #expect(out.headers[.location] == "/workspace/login")
            #expect(try await client.get("/workspace/api/me", headers: withSession).status == .unauthorized)
            #expect(try await client.get("/workspace", headers: withSession).status == .seeOther)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func everyMistakeIsNamedAtOnceThenTheFixedActivityIsDeliveredInTheUsersName() async throws {
        try await F.withWorkspace { client, control in
            // Three mistakes: a municipality whose leading zero is lost, a negative count, an identity number in
            // the note; and a fourth, no target group.
            let wrong = F.activity([
                "municipality": "301", "participants": -4, "note": "Follow-up for 15108695088",
                "target_groups": [],
            ])
            let refused = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.kari),
                body: F.body(wrong)
            )
            #expect(refused.status == .unprocessableContent)
            let issues = try F.json(refused)["issues"]?.arrayValue ?? []
            let named = Set(
                issues.compactMap { issue in
                    issue["field"]?.stringValue.flatMap { field in issue["code"]?.stringValue.map { "\(field) \($0)" } }
                }
            )
            #expect(
                named == [
                    "municipality INVALID_MUNICIPALITY", "participants NEGATIVE_COUNT", "note PII_NO_FNR",
                    "target_groups EMPTY_LIST",
                ]
            )
            #expect(!String(buffer: refused.body ?? ByteBuffer()).contains("15108695088"), "never echoed")
            // Nothing reached the node.
            let none = try await ControlClient.withConnection(to: control) { try $0.events(EventsRequest()) }
            #expect(none.events.isEmpty)

            // The check alone says the same, for the note on its own before anything is sent.
            let noteCheck = try await client.post(
                "/workspace/api/check",
                headers: F.bearer(F.kari),
                body: F.body(["note": "Follow-up for 15108695088"])
            )
            let noteIssues = try F.json(noteCheck)["issues"]?.arrayValue ?? []
            #expect(noteIssues.contains { $0["field"] == "note" && $0["code"] == "PII_NO_FNR" })

            // Fixed: queued at the node in kari's name, then delivered.
            let id = UUID().uuidString.lowercased()
            let accepted = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.kari),
                body: F.body(F.activity(id: id))
            )
            #expect(accepted.status == .ok)
            let result = try F.json(accepted)
            #expect(result["status"] == "queued" || result["status"] == "delivered")
            #expect(result["id"]?.stringValue == id && result["version"] == 1)
            let delivery = try await client.get("/workspace/api/delivery?id=\(id)", headers: F.bearer(F.kari))
            #expect(delivery.status == .ok)
            let delivered = try F.json(delivery)
            #expect(delivered["activity"]?["state"] == "delivered")
            #expect(delivered["activity"]?["submittedBy"] == "kari")
            #expect(delivered["hub"]?["reachable"] == true)

            // A submitter written into the page's JSON is not believed: the session says who.
            let other = UUID().uuidString.lowercased()
            let spoofed = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.ola),
                body: F.body(F.activity(["submitted_by": "kari"], id: other))
            )
            #expect(spoofed.status == .ok)
            let list = try F.json(await client.get("/workspace/api/activities", headers: F.bearer(F.ola)))
            let entry = list["events"]?.arrayValue?.first { $0["id"]?.stringValue == other }
            #expect(entry?["submittedBy"] == "ola")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func withTheHubUnreachableTheOutboxHoldsTheActivityAndThePageIsTold() async throws {
        try await F.withWorkspace(hubReachable: false) { client, _ in
            let accepted = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.kari),
                body: F.body(F.activity(id: UUID().uuidString.lowercased()))
            )
            #expect(accepted.status == .ok)
            #expect(try F.json(accepted)["status"] == "queued")
            let status = try F.json(await client.get("/workspace/api/status", headers: F.bearer(F.kari)))
            #expect(status["node"] == true)
            #expect(status["hub"]?["reachable"] == false)
            #expect(status["backlog"] == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func jsonThatIsNotJSONIsPlacedByLineAndColumn() async throws {
        try await F.withWorkspace(hubReachable: false) { client, _ in
            let broken = "{\n  \"kind\": \"TRAINING\",\n  \"date\": 2026-01-02\n}"
            let response = try await client.post(
                "/workspace/api/check",
                headers: F.bearer(F.kari),
                body: ByteBuffer(string: broken)
            )
            #expect(response.status == .badRequest)
            let error = try F.json(response)["error"]?.stringValue ?? ""
            #expect(error.contains("line 3, column 15"), "\(error)")
        }
    }
}

/// The region's picture: the hub's open gaps for the region, asked over the hub's control socket when the node is
/// set up for it, and said plainly when it is not.
@Suite(.serialized)
struct WorkspacePictureTests {
    typealias F = WorkspaceFixtures

    @Test(.timeLimit(.minutes(2)))
    func thePictureComesFromTheHubOrSaysWhyNot() async throws {
        try await F.withWorkspace(askHubForGaps: true) { client, _ in
            let picture = try F.json(await client.get("/workspace/api/picture", headers: F.bearer(F.kari)))
            #expect(picture["available"] == true, "\(picture)")
            #expect(picture["gaps"]?.arrayValue != nil && picture["coverage"]?.arrayValue != nil)
            #expect(try await client.get("/workspace/api/picture").status == .unauthorized)
        }
        try await F.withWorkspace { client, _ in
            let picture = try F.json(await client.get("/workspace/api/picture", headers: F.bearer(F.kari)))
            #expect(picture["available"] == false)
            #expect(picture["problem"]?.stringValue?.contains("workspaceHubControl") == true)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func coveragePerTargetGroupComesFromTheHubWithSmallCountsWithheld() async throws {
        try await F.withWorkspace(askHubForGaps: true) { client, control in
            // Six activities for perinatal depression, three for parental mental illness: the three are withheld.
            for (index, group) in (Array(repeating: "PND", count: 6) + Array(repeating: "PAR_MH", count: 3))
                .enumerated()
            {
                let sent = try await client.post(
                    "/workspace/api/activities",
                    headers: F.bearer(F.kari),
                    body: F.body(
                        F.activity(["target_groups": [.string(group)], "participants": .integer(10 + Int64(index))])
                    )
                )
                #expect(sent.status == .ok)
            }
            _ = try await ControlClient.withConnection(to: control) {
                try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 20_000))
            }
            let picture = try F.json(await client.get("/workspace/api/picture", headers: F.bearer(F.kari)))
            #expect(picture["available"] == true, "\(picture)")
            #expect(picture["coverageAsOf"]?.stringValue != nil)
            let rows = picture["coverage"]?.arrayValue ?? []
            let groups = Set(rows.compactMap { $0["targetGroup"]?.stringValue })
            #expect(groups == Set(InProcessDaemons.taxonomy.targetGroups.map(\.code)), "every target group has a row")
            let pnd = try #require(rows.first { $0["targetGroup"] == "PND" })
            #expect(pnd["events"] == 6 && pnd["withheld"] == false, "\(pnd)")
            if case .double(let rate)? = pnd["rate"] { #expect(rate > 0) } else { Issue.record("no rate: \(pnd)") }
            let parents = try #require(rows.first { $0["targetGroup"] == "PAR_MH" })
            #expect(parents["withheld"] == true && parents["band"] != "absent", "\(parents)")
            #expect(parents["events"] == nil && parents["rate"] == nil && parents["families"] == nil)
            // A group without activity shows none, as it is.
            #expect(rows.first { $0["targetGroup"] == "PRISON" }?["events"] == 0)
        }
    }
}

/// A gap's `since` in the region's picture carries its basis, so that the page writes a bound as one ("since
/// 2026-04-01 or earlier", "siden 2026-04-01 eller tidligere"), as the report and the dashboard do.
struct WorkspacePictureSinceTests {
    /// Two G2 gaps of NO-VEST as the hub's snapshot holds them, one with a `since` that is only a bound, one with an
    /// exact day; and a gap of NO-NORD.
    static func snapshot() throws -> GapSnapshot {
        func gap(_ region: String, _ group: String, _ since: String, _ basis: String?) -> String {
            let basis = basis.map { #","sinceBasis":"\#($0)""# } ?? ""
            return #"{"key":"G2|\#(region)|\#(group)","rule":"G2","name":"RATE_SHORTFALL","severity":"RED","#
                + #""region":"\#(region)","targetGroup":"\#(group)","message":"m","messageNb":"m","#
                + #""since":"\#(since)"\#(basis),"inputs":{},"thresholds":{}}"#
        }
        let gaps = [
            gap("NO-VEST", "PND", "2026-04-01", "AT_LEAST"), gap("NO-VEST", "PRISON", "2026-07-01", nil),
            gap("NO-NORD", "PND", "2025-01-01", nil),
        ]
        let json = #"{"sequence":1,"epoch":"e","gaps":["# + gaps.joined(separator: ",") + "]}"
        return try JSONDecoder().decode(GapSnapshot.self, from: Data(json.utf8))
    }

    @Test func theBasisOfASinceReachesThePage() throws {
        let picture = RegionPicture(snapshot: try Self.snapshot(), coverage: nil, region: "NO-VEST")
        let json = try JSONValue.parse(Array(try JSONEncoder().encode(picture)))
        let gaps = try #require(json["gaps"]?.arrayValue)
        #expect(gaps.count == 2)
        let bound = try #require(gaps.first { $0["targetGroup"] == "PND" })
        #expect(bound["since"] == "2026-04-01" && bound["sinceBasis"] == "AT_LEAST", "\(bound)")
        let exact = try #require(gaps.first { $0["targetGroup"] == "PRISON" })
        #expect(exact["since"] == "2026-07-01" && exact["sinceBasis"] == nil, "\(exact)")
    }

    /// The page's script writes the bound in both languages, from the same field.
    @Test func thePageWritesABoundAsOne() throws {
        let script = try String(
            contentsOfFile: "\(Repository.root)/Sources/KnutepunktWorkspace/Assets/app.js",
            encoding: .utf8
        )
        #expect(script.contains("orEarlier: 'eller tidligere'") && script.contains("orEarlier: 'or earlier'"))
        #expect(script.contains("gap.sinceBasis === 'AT_LEAST' ? `${gap.since} ${t('orEarlier')}`"))
        #expect(script.contains("(${t('since')} ${sinceText(gap)})"))
    }
}
