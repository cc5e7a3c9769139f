import Foundation
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

@Suite("Canonical event JSON")
struct EventCanonicalJSONTests {
    static let event = ActivityEvent(
        id: UUID(uuidString: "6FA459EA-EE8A-4CA4-894E-DB77E160355E")!,
        region: "NO-VEST",
        node: "NO-VEST-FONNA",
        kind: "TRAINING",
        date: LocalDate(iso: "2026-03-12")!,
        municipality: "1106",
        targetGroups: ["PND", "PAR_MH"],
        programmes: ["COS_P"],
        tier: "S",
        ageBands: ["M3_12"],
        professions: ["PHN", "PSYCH", "GP"],
        participants: 14,
        families: 0,
        sessions: 2,
        funding: "PERMANENT",
        note: "COS-P \"gruppe\" – Haugesund"
    )

    @Test("golden bytes")
    func golden() {
        let expected = """
            {"id":"6fa459ea-ee8a-4ca4-894e-db77e160355e","schema":1,"region":"NO-VEST","node":"NO-VEST-FONNA",\
            "kind":"TRAINING","date":"2026-03-12","municipality":"1106","target_groups":["PND","PAR_MH"],\
            "programmes":["COS_P"],"tier":"S","age_bands":["M3_12"],"professions":["PHN","PSYCH","GP"],\
            "participants":14,"families":0,"sessions":2,"funding":"PERMANENT","note":"COS-P \\"gruppe\\" – Haugesund"}
            """
        #expect(String(decoding: Self.event.canonicalJSON(), as: UTF8.self) == expected)
    }

    @Test("absent optionals are left out; empty lists are kept")
    func optionalsOmitted() {
        var event = Self.event
        event.municipality = nil
        event.note = nil
        event.programmes = []
        let text = String(decoding: event.canonicalJSON(), as: UTF8.self)
        #expect(!text.contains("municipality") && !text.contains("note"))
        #expect(text.contains(#""programmes":[],"tier""#))
        #expect(text.hasSuffix(#""funding":"PERMANENT"}"#))
    }

    @Test("validating the canonical form gives the event back")
    func roundTrip() throws {
        let value = try JSONValue.parse(Self.event.canonicalJSON())
        let result = EventSamples.validator.validate(value, defaults: .hub, today: EventSamples.today)
        #expect(try result.get() == Self.event)
        // Version 1 without a submitter is the schema 1.0 form, member for member.
        #expect(value.objectValue?.keys == ActivityEvent.schemaOneZeroMemberNames)

        // With every optional member: a withdrawal, sent as a test event checked against taxonomy version 3.
        var withdrawal = Self.event
        withdrawal.version = 3
        withdrawal.basedOn = 2
        withdrawal.withdrawalReason = "entered twice"
        withdrawal.submittedBy = "kari"
        withdrawal.submittedAt = "2026-03-12T09:30:00Z"
        withdrawal.isTest = true
        withdrawal.taxonomyVersion = 3
        withdrawal.trace = ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
        let full = try JSONValue.parse(withdrawal.canonicalJSON())
        #expect(
            try EventSamples.validator.validate(full, defaults: .hub, today: EventSamples.today).get() == withdrawal
        )
        #expect(full.objectValue?.keys == ActivityEvent.memberNames)
        #expect(
            String(decoding: withdrawal.canonicalJSON(), as: UTF8.self).hasSuffix(
                #","test":true,"taxonomy_version":3,"trace":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}"#
            )
        )
    }

    @Test("member order, id case and defaults do not change the canonical form")
    func canonicalIsCanonical() throws {
        var reordered = JSONObject()
        for member in EventSamples.complete.members.reversed() { reordered[member.key] = member.value }
        reordered["id"] = "6FA459EA-EE8A-4CA4-894E-DB77E160355E"
        reordered["schema"] = nil
        let fromReordered = try EventSamples.validator.validate(
            .object(reordered),
            defaults: .hub,
            today: EventSamples.today
        ).get()
        let fromComplete = try EventSamples.validator.validate(
            .object(EventSamples.complete),
            defaults: .hub,
            today: EventSamples.today
        ).get()
        #expect(fromReordered.canonicalJSON() == fromComplete.canonicalJSON())
        // A node filling in region, node and id gives the same bytes as an event that carried them.
        var bare = EventSamples.complete
        bare["region"] = nil
        bare["node"] = nil
        let defaults = EventDefaults(
            region: "NO-VEST",
            node: "NO-VEST-FONNA",
            makeID: { UUID(uuidString: "6fa459ea-ee8a-4ca4-894e-db77e160355e")! }
        )
        bare["id"] = nil
        let filled = try EventSamples.validator.validate(.object(bare), defaults: defaults, today: EventSamples.today)
            .get()
        #expect(filled.canonicalJSON() == fromComplete.canonicalJSON())
    }
}

/// `test` and `taxonomy_version`: how an event travels, read and written by the same validator at node and hub.
@Suite("Test events and taxonomy versions in the event")
struct EventOperationalMemberTests {
    static func object(_ extra: [String: JSONValue]) -> JSONValue {
        var object = JSONObject()
        let text = EventFixtures.event(source: "O", index: 1, region: "NO-VEST", node: "NO-VEST-FONNA")
        if case .object(let parsed)? = try? JSONValue.parse(Array(text.utf8)) { object = parsed }
        for (name, value) in extra { object[name] = value }
        return .object(object)
    }

    static func validate(_ extra: [String: JSONValue]) -> Result<ActivityEvent, ValidationFailure> {
        EventSamples.validator.validate(object(extra), defaults: .hub, today: EventSamples.today)
    }

    @Test func testTrueMarksADryRunAndFalseIsTheSameAsLeavingItOut() throws {
        #expect(try Self.validate(["test": .bool(true)]).get().isTest)
        let plain = try Self.validate(["test": .bool(false)]).get()
        #expect(!plain.isTest)
        #expect(plain.canonicalJSON() == (try Self.validate([:]).get().canonicalJSON()), "false is not written")
    }

    @Test func aTestFlagThatIsNotABooleanIsRefused() {
        guard case .failure(let failure) = Self.validate(["test": .string("yes")]) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.issues.map(\.field) == ["test"])
        #expect(failure.issues.first?.code == .wrongType)
    }

    @Test func theTaxonomyVersionIsAWholeNumberFromOne() throws {
        #expect(try Self.validate(["taxonomy_version": .integer(7)]).get().taxonomyVersion == 7)
        for bad: JSONValue in [.integer(0), .string("7"), .integer(-1)] {
            guard case .failure(let failure) = Self.validate(["taxonomy_version": bad]) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(failure.issues.map(\.field) == ["taxonomy_version"])
        }
    }
}

extension EventOperationalMemberTests {
    @Test func aTraceIsAnObjectOfAFewPrintableTextFields() throws {
        let fields: JSONValue = ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]
        #expect(try Self.validate(["trace": fields]).get().trace.keys.sorted() == ["traceparent"])
        for bad: JSONValue in ["00-4bf9", ["traceparent": 7], ["a": "1", "b": "2", "c": "3", "d": "4", "e": "5"]] {
            guard case .failure(let failure) = Self.validate(["trace": bad]) else {
                Issue.record("accepted \(bad)")
                continue
            }
            #expect(failure.issues.map(\.field) == ["trace"])
        }
    }
}
