import Foundation
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

/// Schema 1.1: the version members, what two versions are compared by, the 1.0 form, and the versioning rules at the
/// node and at the hub, with the sentences a coordinator reads.
@Suite("Event versions")
struct EventVersionTests {
    static let id = UUID(uuidString: "6fa459ea-ee8a-4ca4-894e-db77e160355e")!

    @Test("version members are read, checked together, and filled in")
    func versionMembers() throws {
        let correction = try EventSamples.validator.validate(
            EventSamples.complete {
                $0["based_on"] = 2
                $0["submitted_by"] = "kari"
                $0["submitted_at"] = "2026-03-12T09:30:00Z"
            },
            defaults: .hub,
            today: EventSamples.today
        ).get()
        #expect(correction.version == 3 && correction.basedOn == 2 && correction.submittedBy == "kari")
        let withdrawal = try EventSamples.validator.validate(
            EventSamples.complete {
                $0["version"] = 2
                $0["based_on"] = 1
                $0["withdrawn"] = true
                $0["withdrawal_reason"] = "entered twice"
            },
            defaults: .hub,
            today: EventSamples.today
        ).get()
        #expect(withdrawal.isWithdrawn && withdrawal.withdrawalReason == "entered twice")

        func codes(_ edit: (inout JSONObject) -> Void) -> [String] {
            EventSamples.issues(EventSamples.complete(edit), defaults: .hub, today: EventSamples.today).map {
                "\($0.field) \($0.code.rawValue)"
            }
        }
        #expect(codes { $0["version"] = 3 } == ["version INVALID_VERSION"])
        #expect(
            codes {
                $0["version"] = 4
                $0["based_on"] = 2
            } == ["version INVALID_VERSION"]
        )
        #expect(codes { $0["version"] = 0 } == ["version INVALID_VERSION"])
        #expect(codes { $0["based_on"] = "1" } == ["based_on WRONG_TYPE"])
        #expect(
            codes {
                $0["withdrawn"] = true
                $0["based_on"] = 1
            } == ["withdrawal_reason MISSING_FIELD"]
        )
        #expect(
            codes {
                $0["withdrawn"] = true
                $0["withdrawal_reason"] = "x"
            } == ["based_on INVALID_VERSION"]
        )
        #expect(codes { $0["withdrawal_reason"] = "x" } == ["withdrawal_reason INVALID_VERSION"])
        #expect(codes { $0["withdrawn"] = "yes" } == ["withdrawn WRONG_TYPE"])
        #expect(codes { $0["submitted_at"] = "12.03.2026" } == ["submitted_at BAD_DATE"])
        #expect(
            codes { $0["submitted_by"] = .string(String(repeating: "k", count: 65)) } == ["submitted_by TEXT_TOO_LONG"]
        )
        // The reason is screened like any text: an identity number is refused and never repeated.
        let personal = codes {
            $0["withdrawn"] = true
            $0["based_on"] = 1
            $0["withdrawal_reason"] = "wrong child 15108695088"
        }
        #expect(personal == ["withdrawal_reason PII_NO_FNR"])
    }

    @Test("content comparison ignores the bookkeeping members, and version 1 has a schema 1.0 form")
    func contentAndOneZeroForm() throws {
        var first = try EventSamples.validator.validate(
            .object(EventSamples.complete),
            defaults: .hub,
            today: EventSamples.today
        ).get()
        first.submittedBy = "kari"
        first.submittedAt = "2026-03-12T09:30:00Z"
        var again = first
        again.submittedBy = "ola"
        again.version = 2
        again.basedOn = 1
        #expect(
            ActivityEvent.comparableContent(ofPayload: first.canonicalJSON())
                == ActivityEvent.comparableContent(ofPayload: again.canonicalJSON())
        )
        var withdrawn = again
        withdrawn.withdrawalReason = "entered twice"
        #expect(
            ActivityEvent.comparableContent(ofPayload: first.canonicalJSON())
                != ActivityEvent.comparableContent(ofPayload: withdrawn.canonicalJSON())
        )
        var plain = first
        plain.submittedBy = nil
        plain.submittedAt = nil
        #expect(ActivityEvent.schemaOneZeroPayload(first.canonicalJSON()) == plain.canonicalJSON())
        #expect(ActivityEvent.schemaOneZeroPayload(again.canonicalJSON()) == nil)
        let changes = EventChange.between(payload: first.canonicalJSON(), withdrawn.canonicalJSON())
        #expect(changes.map(\.description) == ["withdrawn (none) → yes", "withdrawal_reason (none) → entered twice"])
    }

    // MARK: - At the node

    func node(
        basedOn: Int?,
        version: Int? = nil,
        head: EventVersioning.Head?,
        known: [Int: Bool] = [:],
        correctChanged: Bool = false
    ) -> EventVersioning.NodeDecision {
        EventVersioning.atNode(
            .init(id: Self.id, basedOn: basedOn, version: version),
            head: head,
            knownVersion: { known[$0] },
            changes: { [EventChange(field: "participants", before: "14", after: "16")] },
            correctChanged: correctChanged
        )
    }

    @Test("the node's rules")
    func nodeRules() {
        let at2 = EventVersioning.Head(version: 2, refusedByHub: false)
        #expect(node(basedOn: nil, head: nil) == .append(version: 1, basedOn: nil))
        #expect(node(basedOn: 4, head: nil) == .append(version: 5, basedOn: 4))
        #expect(node(basedOn: nil, head: at2, known: [2: true]) == .existing(version: 2))
        #expect(node(basedOn: 2, head: at2, known: [2: false]) == .append(version: 3, basedOn: 2))
        #expect(node(basedOn: 2, head: at2, known: [2: true]) == .existing(version: 2))
        #expect(node(basedOn: 1, head: at2, known: [2: true]) == .existing(version: 2), "the correction sent again")
        #expect(node(basedOn: nil, version: 1, head: at2, known: [1: true, 2: false]) == .existing(version: 1))
        #expect(
            node(basedOn: nil, head: at2, known: [1: true, 2: false]) == .existing(version: 1),
            "an older version sent again without its number"
        )
        #expect(
            node(basedOn: nil, head: at2, known: [2: false], correctChanged: true) == .append(version: 3, basedOn: 2)
        )
        #expect(
            node(basedOn: nil, head: .init(version: 2, refusedByHub: true), known: [2: false])
                == .append(version: 3, basedOn: 2),
            "a changed event after the hub refused its latest version is its fix"
        )
        guard case .refused(let conflict) = node(basedOn: nil, head: at2, known: [2: false]) else {
            Issue.record("a changed event without based_on must be refused")
            return
        }
        #expect(conflict.code == .conflictingContent && conflict.current == 2)
        #expect(
            conflict.message
                == "event 6fa459ea-ee8a-4ca4-894e-db77e160355e is already at version 2 at this node with other content; "
                + "yours differs in participants 14 → 16. Nothing was stored. To correct it, publish the whole event "
                + "with \"based_on\": 2"
        )
        guard case .refused(let stale) = node(basedOn: 1, head: at2, known: [2: false]) else {
            Issue.record("a correction of an older version must be refused")
            return
        }
        #expect(stale.code == .staleVersion && stale.current == 2)
        #expect(
            stale.message
                == "event 6fa459ea-ee8a-4ca4-894e-db77e160355e is at version 2 at this node; this correction is based on "
                + "version 1, an older one. Nothing was stored. Look at version 2, make your change to it and publish it "
                + "with \"based_on\": 2"
        )
        guard case .refused(let ahead) = node(basedOn: 5, head: at2) else {
            Issue.record("a correction of a version the node never had must be refused")
            return
        }
        #expect(ahead.code == .staleVersion && ahead.message.contains("based on version 5, which does not exist"))
    }

    // MARK: - At the hub

    func hub(
        _ version: Int,
        basedOn: Int?,
        source: String = "NO-VEST",
        sequence: UInt64 = 9,
        same: Bool = false
    )
        -> EventVersioning.HubDecision
    {
        EventVersioning.atHub(
            .init(id: Self.id, version: version, basedOn: basedOn, source: source, sequence: sequence),
            stored: [
                .init(version: 2, source: "NO-VEST", sequence: 5, withdrawn: false),
                .init(version: 1, source: "NO-VEST", sequence: 1, withdrawn: false),
            ],
            sameContent: { _ in same }
        )
    }

    @Test("the hub's rules")
    func hubRules() {
        #expect(
            EventVersioning.atHub(
                .init(id: Self.id, version: 3, basedOn: 2, source: "A", sequence: 1),
                stored: [],
                sameContent: { _ in false }
            ) == .store(superseding: nil)
        )
        #expect(hub(3, basedOn: 2) == .store(superseding: 0))
        #expect(hub(4, basedOn: 3) == .store(superseding: 0), "based on a version refused here")
        #expect(hub(2, basedOn: 1, sequence: 5) == .alreadyStored)
        #expect(hub(2, basedOn: 1, same: true) == .identical)
        guard case .refused(let conflict) = hub(1, basedOn: nil) else {
            Issue.record("version 1 with other content must be refused")
            return
        }
        #expect(conflict.code == .conflictingContent && conflict.current == 2)
        #expect(conflict.message.contains("already at version 2 at the hub (its version 1 there has other content)"))
        guard case .refused(let stale) = hub(3, basedOn: 1) else {
            Issue.record("a correction of an older version must be refused")
            return
        }
        #expect(stale.code == .staleVersion && stale.current == 2)
        guard case .refused(let foreign) = hub(3, basedOn: 2, source: "NO-NORD") else {
            Issue.record("another node's version must be refused")
            return
        }
        #expect(foreign.code == .foreignEvent && foreign.message.contains("published through node NO-VEST"))
    }
}
