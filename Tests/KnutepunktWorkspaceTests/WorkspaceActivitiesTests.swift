import Foundation
import HTTPTypes
import HummingbirdTesting
import KnutepunktDomain
import KnutepunktTesting
import KnutepunktWorkspace
import NIOCore
import Testing

/// The region's activities: opened with every version, corrected and withdrawn in the user's name, and who may.
@Suite(.serialized)
struct WorkspaceActivitiesTests {
    typealias F = WorkspaceFixtures

    @Test(.timeLimit(.minutes(2)))
    func aCoordinatorChangesTheirOwnActivitiesAndTheLeadEveryOne() async throws {
        try await F.withWorkspace { client, _ in
            let id = UUID().uuidString.lowercased()
            let recorded = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.kari),
                body: F.body(F.activity(id: id))
            )
            #expect(recorded.status == .ok)

            // Opened: one version, recorded by kari; ola may look but not change it.
            let opened = try F.json(await client.get("/workspace/api/activities/\(id)", headers: F.bearer(F.ola)))
            #expect(opened["recordedBy"] == "kari" && opened["mayChange"] == false)
            #expect(opened["versions"]?.arrayValue?.count == 1)
            let stored = try JSONValue.parse(opened["versions"]?.arrayValue?.first?["event"]?.stringValue ?? "")
            #expect(stored["participants"] == 14 && stored["submitted_by"] == "kari")

            // ola, another coordinator, may neither correct nor withdraw it.
            let correction = F.activity(["participants": 16, "based_on": 1], id: id)
            let refused = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.ola),
                body: F.body(correction)
            )
            #expect(refused.status == .forbidden)
            #expect(try F.json(refused)["error"]?.stringValue?.contains("kari recorded this activity") == true)
            let refusedWithdrawal = try await client.post(
                "/workspace/api/activities/\(id)/withdraw",
                headers: F.bearer(F.ola),
                body: F.body(["reason": "double entry", "basedOn": 1])
            )
            #expect(refusedWithdrawal.status == .forbidden)

            // kari corrects it: version 2, what changed said.
            let corrected = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.kari),
                body: F.body(correction)
            )
            #expect(corrected.status == .ok)
            let result = try F.json(corrected)
            #expect(result["version"] == 2 && result["basedOn"] == 1)
            #expect(result["changes"]?.arrayValue?.contains { $0["field"] == "participants" } == true)

            // A correction based on an old version is refused with the version it is at now.
            let stale = try await client.post(
                "/workspace/api/activities",
                headers: F.bearer(F.kari),
                body: F.body(F.activity(["participants": 18, "based_on": 1], id: id))
            )
            #expect(stale.status == .unprocessableContent)
            #expect(try F.json(stale)["issues"]?.arrayValue?.first?["code"] == "STALE_VERSION")

            // The lead withdraws it; a withdrawal without a reason is refused first.
            let noReason = try await client.post(
                "/workspace/api/activities/\(id)/withdraw",
                headers: F.bearer(F.lise),
                body: F.body(["reason": " "])
            )
            #expect(noReason.status == .badRequest)
            let withdrawn = try await client.post(
                "/workspace/api/activities/\(id)/withdraw",
                headers: F.bearer(F.lise),
                body: F.body(["reason": "recorded twice", "basedOn": 2])
            )
            #expect(withdrawn.status == .ok)
            #expect(try F.json(withdrawn)["version"] == 3)
            let delivery = try F.json(await client.get("/workspace/api/delivery?id=\(id)", headers: F.bearer(F.lise)))
            #expect(delivery["activity"]?["state"] == "withdrawn")

            // The history: three versions, each with who did it.
            let history = try F.json(await client.get("/workspace/api/activities/\(id)", headers: F.bearer(F.kari)))
            let versions = history["versions"]?.arrayValue ?? []
            #expect(versions.map { $0["entry"]?["submittedBy"]?.stringValue } == ["kari", "kari", "lise"])
            #expect(versions.map { $0["entry"]?["version"] } == [1, 2, 3])
            #expect(versions.last?["entry"]?["withdrawalReason"] == "recorded twice")
            #expect(history["mayChange"] == true)

            let unknown = try await client.get(
                "/workspace/api/activities/\(UUID().uuidString)",
                headers: F.bearer(F.kari)
            )
            #expect(unknown.status == .badRequest)
        }
    }
}
