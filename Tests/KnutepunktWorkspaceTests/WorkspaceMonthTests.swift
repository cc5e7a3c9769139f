import Foundation
import HummingbirdTesting
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktTesting
import Testing

/// Closing the month from the workspace, with a real node daemon and hub on loopback: the months due come from the
/// taxonomy's reporting periods and the node's returns; a coordinator makes a return through the node's RETURN (into
/// the outbox, to the hub exactly once); the regional lead signs the month off through the hub's PERIOD, once every
/// local node's return is in. Only the lead signs off.
@Suite(.serialized)
struct WorkspaceMonthTests {
    typealias F = WorkspaceFixtures

    static func months(_ client: TestClient, _ token: String, drained: Bool = false) async throws -> [JSONValue] {
        let response = try await client.get(
            "/workspace/api/months\(drained ? "?drained=1" : "")",
            headers: F.bearer(token)
        )
        #expect(response.status == .ok)
        let body = try F.json(response)
        #expect(body["available"] == true)
        return body["months"]?.arrayValue ?? []
    }

    static func row(_ months: [JSONValue], _ month: String, _ node: String = "NO-VEST-BERGEN") -> JSONValue? {
        months.first { $0["month"]?.stringValue == month && $0["node"]?.stringValue == node }
    }

    @Test(.timeLimit(.minutes(2)))
    func aCoordinatorMakesTheReturnAndTheLeadSignsTheMonthOff() async throws {
        let current = ReportingMonth(LocalDate.today())
        let last = current.adding(months: -1).text
        let before = current.adding(months: -2).text
        try await F.withWorkspace(askHubForGaps: true, reporting: true) { client, control in
            // BERGEN's two months are outstanding; no other local node of NO-VEST reports.
            let listed = try await Self.months(client, F.kari)
            #expect(Set(listed.compactMap { $0["month"]?.stringValue }) == [last, before], "\(listed)")
            #expect(listed.allSatisfy { $0["node"] == "NO-VEST-BERGEN" })
            #expect(listed.allSatisfy { ["due", "overdue"].contains($0["state"]?.stringValue ?? "") })
            #expect(Self.row(listed, before)?["state"] == "overdue")

            // Only the lead signs off; and not before the month's returns are in.
            let byCoordinator = try await client.post(
                "/workspace/api/months/\(last)/sign-off",
                headers: F.bearer(F.kari),
                body: F.body([:])
            )
            #expect(byCoordinator.status == .forbidden)
            let early = try await client.post(
                "/workspace/api/months/\(last)/sign-off",
                headers: F.bearer(F.lise),
                body: F.body([:])
            )
            #expect(early.status == .conflict)
            #expect(try F.json(early)["error"]?.stringValue?.contains("NO-VEST-BERGEN") == true)

            // kari makes last month's return, and a nil return for the month before; the same return again is the
            // one already held (exactly once); the running month is not over and is refused in words.
            let made = try await client.post(
                "/workspace/api/months/\(last)/return",
                headers: F.bearer(F.kari),
                body: F.body(["node": "NO-VEST-BERGEN", "nilReturn": false])
            )
            #expect(made.status == .ok)
            #expect(try F.json(made)["state"] == "returned" && F.json(made)["by"] == "kari")
            let again = try await client.post(
                "/workspace/api/months/\(last)/return",
                headers: F.bearer(F.kari),
                body: F.body(["node": "NO-VEST-BERGEN", "nilReturn": false])
            )
            #expect(again.status == .ok)
            let nilReturn = try await client.post(
                "/workspace/api/months/\(before)/return",
                headers: F.bearer(F.ola),
                body: F.body(["node": "NO-VEST-BERGEN", "nilReturn": true])
            )
            #expect(nilReturn.status == .ok)
            let running = try await client.post(
                "/workspace/api/months/\(current.text)/return",
                headers: F.bearer(F.kari),
                body: F.body(["node": "NO-VEST-BERGEN", "nilReturn": false])
            )
            #expect(running.status == .unprocessableContent)
            #expect(try F.json(running)["error"]?.stringValue?.contains("not over yet") == true)
            let held = try await ControlClient.withConnection(to: control) { try $0.returns() }
            #expect(held.returns.count == 2 && held.returns.allSatisfy { $0.version == 1 }, "\(held)")
            #expect(
                Set(held.returns.map { "\($0.month) \($0.status) \($0.submittedBy ?? "")" }) == [
                    "\(last) complete kari", "\(before) nil ola",
                ]
            )

            // Delivered to the hub; then the lead signs last month off at the hub, in her name.
            let delivered = try await Self.months(client, F.kari, drained: true)
            #expect(Self.row(delivered, last)?["delivery"] == "delivered", "\(delivered)")
            #expect(Self.row(delivered, before)?["nilReturn"] == true)
            let signed = try await client.post(
                "/workspace/api/months/\(last)/sign-off",
                headers: F.bearer(F.lise),
                body: F.body([:])
            )
            #expect(signed.status == .ok)
            let after = try F.json(signed)["months"]?.arrayValue ?? []
            #expect(Self.row(after, last)?["state"] == "signedOff", "\(after)")
            #expect(Self.row(after, last)?["approvedBy"] == "lise")
            #expect(Self.row(after, last)?["by"] == "kari")
            #expect(Self.row(after, before)?["state"] == "returned")
            // Signing it off twice is refused by the hub's rules, in words.
            let twice = try await client.post(
                "/workspace/api/months/\(last)/sign-off",
                headers: F.bearer(F.lise),
                body: F.body([:])
            )
            #expect(twice.status == .unprocessableContent)
            #expect(try F.json(twice)["error"]?.stringValue?.contains("already signed off by lise") == true)
            #expect(try await client.get("/workspace/api/months").status == .unauthorized)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func withoutTheHubsControlSocketTheLeadCannotSignOffAndSaysWhy() async throws {
        try await F.withWorkspace(hubReachable: false) { client, _ in
            // The shipped taxonomy expects no returns yet: nothing is due.
            #expect(try await Self.months(client, F.kari).isEmpty)
            let byCoordinator = try await client.post(
                "/workspace/api/months/2026-11/sign-off",
                headers: F.bearer(F.kari),
                body: F.body([:])
            )
            #expect(byCoordinator.status == .forbidden)
            let byLead = try await client.post(
                "/workspace/api/months/2026-11/sign-off",
                headers: F.bearer(F.lise),
                body: F.body([:])
            )
            #expect(byLead.status == .serviceUnavailable)
            #expect(try F.json(byLead)["error"]?.stringValue?.contains("workspaceHubControl") == true)
            let badMonth = try await client.post(
                "/workspace/api/months/2026-13/sign-off",
                headers: F.bearer(F.lise),
                body: F.body([:])
            )
            #expect(badMonth.status == .badRequest)
            let notJSON = try await client.post(
                "/workspace/api/months/2026-11/return",
                headers: F.bearer(F.kari),
                body: F.body(["node": "NO-VEST-BERGEN"])
            )
            #expect(notJSON.status == .badRequest)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func withTheHubAwayReturnsAreKeptAndTheSignOffSaysTheHubDidNotAnswer() async throws {
        let last = ReportingMonth(LocalDate.today()).adding(months: -1).text
        let before = ReportingMonth(LocalDate.today()).adding(months: -2).text
        try await F.withWorkspace(hubReachable: false, askHubForGaps: true, reporting: true) { client, _ in
            for month in [last, before] {
                let made = try await client.post(
                    "/workspace/api/months/\(month)/return",
                    headers: F.bearer(F.kari),
                    body: F.body(["node": "NO-VEST-BERGEN", "nilReturn": false])
                )
                #expect(made.status == .ok)
                #expect(try F.json(made)["delivery"] == "queued", "in the outbox until the hub is back")
            }
            let signOff = try await client.post(
                "/workspace/api/months/\(last)/sign-off",
                headers: F.bearer(F.lise),
                body: F.body([:])
            )
            #expect(signOff.status == .serviceUnavailable)
            #expect(try F.json(signOff)["error"]?.stringValue?.contains("national hub did not answer") == true)
        }
    }
}
