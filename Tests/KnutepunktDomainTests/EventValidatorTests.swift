import Foundation
import KnutepunktProtocol
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

@Suite("Event validator")
struct EventValidatorTests {
    @Test("a complete event passes and reads every member")
    func completeEventPasses() throws {
        let result = EventSamples.validator.validate(
            .object(EventSamples.complete),
            defaults: .hub,
            today: EventSamples.today
        )
        let event = try result.get()
        #expect(event.id == UUID(uuidString: "6fa459ea-ee8a-4ca4-894e-db77e160355e"))
        #expect(event.schema == 1 && event.region == "NO-VEST" && event.node == "NO-VEST-FONNA")
        #expect(event.kind == "TRAINING" && event.date.iso == "2026-03-12" && event.municipality == "1106")
        #expect(event.targetGroups == ["PND", "PAR_MH"] && event.programmes == ["COS_P"] && event.tier == "S")
        #expect(event.ageBands == ["M3_12"] && event.professions == ["PHN", "PSYCH", "GP"])
        #expect(event.participants == 14 && event.families == 0 && event.sessions == 2)
        #expect(event.funding == "PERMANENT" && event.note?.hasPrefix("COS-P") == true)
    }

    @Test("optional members may be absent or null")
    func optionalMembers() throws {
        let value = EventSamples.complete {
            $0["schema"] = nil
            $0["municipality"] = .null
            $0["programmes"] = nil
            $0["note"] = .null
        }
        let event = try EventSamples.validator.validate(value, defaults: .hub, today: EventSamples.today).get()
        #expect(event.schema == 1 && event.municipality == nil && event.programmes.isEmpty && event.note == nil)
        let empty = EventSamples.complete { $0["programmes"] = [] }
        #expect(EventSamples.issues(empty).isEmpty)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var value: JSONValue
        var defaults: EventDefaults
        var field: String
        var code: ValidationIssue.Code
        /// Words the message must contain (what is allowed, the hint).
        var mentions: [String]
        var testDescription: String { name }

        init(
            _ name: String,
            _ field: String,
            _ code: ValidationIssue.Code,
            mentions: [String] = [],
            defaults: EventDefaults = .hub,
            _ edit: @escaping (inout JSONObject) -> Void
        ) {
            self.name = name
            self.value = EventSamples.complete(edit)
            self.defaults = defaults
            self.field = field
            self.code = code
            self.mentions = mentions
        }
    }

    static let cases: [Case] = [
        .init("unknown kind", "kind", .unknownCode, mentions: ["\"VISITT\"", "INFANT_DAY", "TRAINING"]) {
            $0["kind"] = "VISITT"
        },
        .init("near miss kind", "kind", .unknownCode, mentions: ["did you mean TRAINING?"]) { $0["kind"] = "TRAINNIG" },
        .init("lower-case tier", "tier", .unknownCode, mentions: ["did you mean S?", "U, S, I, T, NA"]) {
            $0["tier"] = "s"
        },
        .init("missing kind", "kind", .missingField, mentions: ["INFANT_DAY"]) { $0["kind"] = nil },
        .init("null kind", "kind", .missingField) { $0["kind"] = .null },
        .init("kind as number", "kind", .wrongType, mentions: ["a number"]) { $0["kind"] = 5 },
        .init("kind too long", "kind", .textTooLong, mentions: ["64"]) {
            $0["kind"] = .string(String(repeating: "K", count: 65))
        },
        .init("kind with control character", "kind", .controlCharacter) { $0["kind"] = "TRAINING\n" },
        .init("month 13", "date", .badDate, mentions: ["does not exist"]) { $0["date"] = "2026-13-01" },
        .init("29 February 2025", "date", .badDate, mentions: ["does not exist"]) { $0["date"] = "2025-02-29" },
        .init("Norwegian date format", "date", .badDate, mentions: ["YYYY-MM-DD"]) { $0["date"] = "12.03.2026" },
        .init("date as number", "date", .wrongType) { $0["date"] = 20_260_312 },
        .init("date two days ahead", "date", .dateOutOfRange, mentions: ["future", "2026-06-16"]) {
            $0["date"] = "2026-06-17"
        },
        .init("date before 2000", "date", .dateOutOfRange, mentions: ["2000-01-01"]) { $0["date"] = "1999-12-31" },
        .init("negative count", "participants", .negativeCount, mentions: ["0 to 1,000,000"]) {
            $0["participants"] = -1
        },
        .init("count too large", "families", .countOutOfRange, mentions: ["1,000,000"]) { $0["families"] = 1_000_001 },
        .init("fractional count", "sessions", .wrongType, mentions: ["whole number"]) { $0["sessions"] = 2.5 },
        .init("integral double count", "sessions", .wrongType) { $0["sessions"] = 2.0 },
        .init("count as text", "participants", .wrongType, mentions: ["not text"]) { $0["participants"] = "12" },
        .init("missing count", "sessions", .missingField) { $0["sessions"] = nil },
        .init("note too long", "note", .noteTooLong, mentions: ["281", "280"]) {
            $0["note"] = .string(String(repeating: "ø", count: 281))
        },
        .init("note with line break", "note", .controlCharacter) { $0["note"] = "first line\nsecond line" },
        .init("note with bidi override", "note", .controlCharacter) { $0["note"] = "abc\u{202E}def" },
        .init("note as list", "note", .wrongType) { $0["note"] = ["a"] },
        .init("unknown field", "target_group", .unknownField, mentions: ["did you mean \"target_groups\"?"]) {
            $0["target_group"] = ["PND"]
        },
        .init("camel-case field", "ageBands", .unknownField, mentions: ["did you mean \"age_bands\"?", "participants"])
        {
            $0["ageBands"] = ["M0_3"]
        },
        .init("id not a UUID", "id", .invalidID, mentions: ["8-4-4-4-12"]) { $0["id"] = "event-1" },
        .init("id with braces", "id", .invalidID) { $0["id"] = "{6fa459ea-ee8a-4ca4-894e-db77e160355e}" },
        .init("nil UUID", "id", .invalidID) { $0["id"] = "00000000-0000-0000-0000-000000000000" },
        .init("id as number", "id", .wrongType) { $0["id"] = 42 },
        .init("duplicate target group", "target_groups[1]", .duplicateCode, mentions: ["once"]) {
            $0["target_groups"] = ["PND", "PND"]
        },
        .init("ALL with others", "target_groups", .exclusiveCode, mentions: ["ALL"]) {
            $0["target_groups"] = ["PND", "ALL"]
        },
        .init("empty target groups", "target_groups", .emptyList, mentions: ["PND", "HICONF"]) {
            $0["target_groups"] = []
        },
        .init("empty age bands", "age_bands", .emptyList) { $0["age_bands"] = [] },
        .init("empty professions", "professions", .emptyList) { $0["professions"] = [] },
        .init("missing professions", "professions", .missingField) { $0["professions"] = nil },
        .init("list as string", "programmes", .wrongType, mentions: ["[\"COS_P\"]"]) { $0["programmes"] = "COS_P" },
        .init("number in list", "age_bands[1]", .wrongType) { $0["age_bands"] = ["M3_12", 3] },
        .init("unknown programme", "programmes[1]", .unknownCode, mentions: ["COS_P", "did you mean MARTE_MEO?"]) {
            $0["programmes"] = ["COS_P", "MARTEMEO"]
        },
        .init("profession group", "professions[0]", .unknownCode, mentions: ["GP, PAED, OBGYN, PSYCHIATRIST"]) {
            $0["professions"] = ["PHYSICIAN_ANY"]
        },
        .init("too many items", "programmes", .tooManyItems) {
            $0["programmes"] = .array(Array(repeating: "COS_P", count: 65))
        },
        .init("node of another region", "node", .nodeNotInRegion, mentions: ["NO-NORD", "NO-VEST-BERGEN"]) {
            $0["node"] = "NO-NORD-BODO"
        },
        .init("unknown node", "node", .unknownCode, mentions: ["NO-VEST-FONNA", "did you mean NO-VEST-FONNA?"]) {
            $0["node"] = "NO-VEST-FONA"
        },
        .init("unknown region", "region", .unknownCode, mentions: ["NO-SOROST, NO-VEST, NO-MIDT, NO-NORD"]) {
            $0["region"] = "VEST"
        },
        .init(
            "region of another node daemon",
            "region",
            .regionMismatch,
            mentions: ["NO-VEST"],
            defaults: EventSamples.nodeDefaults
        ) {
            $0["region"] = "NO-NORD"
            $0["node"] = "NO-NORD-BODO"
        },
        .init("schema 2", "schema", .unsupportedSchema, mentions: ["schema 2"]) {
            $0["schema"] = 2
            $0["new_member"] = "x"
            $0["kind"] = "SOMETHING_NEW"
        },
        .init("schema as text", "schema", .wrongType) { $0["schema"] = "1" },
        .init("three-digit municipality", "municipality", .invalidMunicipality, mentions: ["4-digit"]) {
            $0["municipality"] = "301"
        },
        .init("municipality with letters", "municipality", .invalidMunicipality) { $0["municipality"] = "Oslo" },
        .init("municipality as number", "municipality", .wrongType, mentions: ["0301"]) { $0["municipality"] = 1106 },
        .init("fødselsnummer in note", "note", .piiNorwegianIdentityNumber) { $0["note"] = "mor 15108695088" },
        .init("personnummer in unknown field", "extra", .piiSwedishPersonalIdentityNumber) {
            $0["extra"] = "880320-0016"
        },
    ]

    @Test("each problem gives exactly its issue", arguments: cases)
    func singleProblem(_ example: Case) {
        var issues = EventSamples.issues(example.value, defaults: example.defaults)
        // A PII finding in an unknown member comes with the unknown-member issue itself.
        if example.field == "extra" { issues.removeAll { $0.code == .unknownField } }
        #expect(issues.count == 1, "\(issues)")
        guard let issue = issues.first else { return }
        #expect(issue.field == example.field)
        #expect(issue.code == example.code)
        for word in example.mentions {
            #expect(issue.message.contains(word), "\(issue.message) should mention \(word)")
        }
    }

    @Test("every problem of one event is reported at once")
    func manyProblems() {
        let value = EventSamples.complete {
            $0["kind"] = "VISITT"
            $0["date"] = "2026-02-30"
            $0["target_groups"] = ["ALL", "PND", "PND"]
            $0["tier"] = nil
            $0["participants"] = -3
            $0["families"] = "many"
            $0["note"] = .string(String(repeating: "x", count: 300))
            $0["colour"] = "blue"
            $0["node"] = "NO-MIDT-STOLAV"
        }
        let found = Set(EventSamples.issues(value).map { "\($0.field) \($0.code.rawValue)" })
        #expect(
            found == [
                "kind UNKNOWN_CODE", "date BAD_DATE", "target_groups[2] DUPLICATE_CODE", "target_groups EXCLUSIVE_CODE",
                "tier MISSING_FIELD", "participants NEGATIVE_COUNT", "families WRONG_TYPE", "note NOTE_TOO_LONG",
                "colour UNKNOWN_FIELD", "node NODE_NOT_IN_REGION",
            ]
        )
    }

    @Test("not an object", arguments: [JSONValue.array([]), "event", 12, nil, true])
    func notAnObject(_ value: JSONValue) {
        let issues = EventSamples.issues(value)
        #expect(issues.map(\.code) == [.notAnObject])
        #expect(issues.first?.field == ValidationIssue.wholeEvent)
    }

    @Test("an identity number in a non-object event is still found")
    func piiInNonObject() {
        let issues = EventSamples.issues(["15108695088"])
        #expect(Set(issues.map(\.code)) == [.notAnObject, .piiNorwegianIdentityNumber])
    }

    @Test("a node fills in region, node and id")
    func nodeDefaultsFillIn() throws {
        let value = EventSamples.complete {
            $0["id"] = nil
            $0["region"] = nil
            $0["node"] = nil
        }
        let event = try EventSamples.validator.validate(
            value,
            defaults: EventSamples.nodeDefaults,
            today: EventSamples.today
        ).get()
        #expect(event.id == EventSamples.fixedID)
        #expect(event.region == "NO-VEST" && event.node == "NO-VEST-FONNA")
        // The event's own node wins over the default; the default region must still hold.
        let bergen = EventSamples.complete {
            $0["region"] = nil
            $0["node"] = "NO-VEST-BERGEN"
        }
        #expect(
            try EventSamples.validator.validate(bergen, defaults: EventSamples.nodeDefaults, today: EventSamples.today)
                .get().node == "NO-VEST-BERGEN"
        )
        let bodo = EventSamples.complete {
            $0["region"] = nil
            $0["node"] = "NO-NORD-BODO"
        }
        #expect(EventSamples.issues(bodo, defaults: EventSamples.nodeDefaults).map(\.code) == [.nodeNotInRegion])
        // The same region as the node's is fine.
        #expect(EventSamples.issues(.object(EventSamples.complete), defaults: EventSamples.nodeDefaults).isEmpty)
    }

    @Test("a node without a default local node needs the event to name one")
    func nodeWithoutDefaultNode() {
        let defaults = EventDefaults(region: "NO-VEST", node: nil, makeID: { EventSamples.fixedID })
        let issues = EventSamples.issues(EventSamples.complete { $0["node"] = nil }, defaults: defaults)
        #expect(issues.map(\.code) == [.missingField])
        #expect(
            issues.first?.message.contains("NO-VEST-STAVANGER, NO-VEST-FONNA, NO-VEST-BERGEN, NO-VEST-FORDE") == true
        )
    }

    @Test("the hub has no defaults: id, region and node are required")
    func hubRequiresEverything() {
        let value = EventSamples.complete {
            $0["id"] = nil
            $0["region"] = nil
            $0["node"] = nil
        }
        let issues = EventSamples.issues(value, defaults: .hub)
        #expect(issues.map(\.field) == ["id", "region", "node"])
        #expect(Set(issues.map(\.code)) == [.missingField])
    }

    @Test("the example event of Configs/examples/event.json is valid at a node of NO-VEST")
    func exampleEventFile() throws {
        let bytes = try Repository.bytes("Configs/examples/event.json")
        let value = try JSONValue.parse(bytes)
        let result = EventSamples.validator.validate(
            value,
            defaults: EventSamples.nodeDefaults,
            today: LocalDate.today()
        )
        #expect(throws: Never.self) { try result.get() }
    }

    @Test("events shaped like KnutepunktTesting's EventFixtures are valid at the hub")
    func fixtureShape() throws {
        let text = """
            {"id":"cbf29ce4-8422-2325-0000-000000000007","region":"NO-VEST","node":"NO-VEST-FONNA","kind":"TRAINING",\
            "date":"2025-01-08","target_groups":["PND"],"programmes":["COS_P"],"tier":"S","age_bands":["M3_12"],\
            "professions":["PHN","PSYCH"],"participants":12,"families":6,"sessions":2,"funding":"PERMANENT"}
            """
        #expect(EventSamples.issues(try JSONValue.parse(text)).isEmpty)
    }

    @Test("issue codes encode as bare strings and decode back")
    func issueCodable() throws {
        let issue = ValidationIssue(field: "tier", code: .unknownCode, message: "no")
        let bytes = JSONBody.encode(issue)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"code":"UNKNOWN_CODE","field":"tier","message":"no"}"#)
        #expect(try JSONBody.decode(ValidationIssue.self, from: bytes) == issue)
        #expect(ValidationIssue.Code.piiNorwegianIdentityNumber.rawValue == "PII_NO_FNR")
        #expect(ValidationIssue.Code.piiSwedishPersonalIdentityNumber.rawValue == "PII_SE_PNR")
        #expect(Set(ValidationIssue.Code.allKnown).count == ValidationIssue.Code.allKnown.count)
    }

    @Test("issues beyond the cap are summarised, identity-number findings kept")
    func issueCap() {
        var object = EventSamples.complete
        for index in 0..<150 { object["extra_\(index)"] = "x" }
        object["zz_late"] = "15108695088"
        let issues = EventSamples.issues(.object(object))
        #expect(issues.count <= EventValidator.maxIssues + 1)
        #expect(issues.contains { $0.code == .piiNorwegianIdentityNumber })
        #expect(issues.last?.code == .tooManyIssues)
    }

    @Test("messages never repeat values that could be personal data")
    func messagesDoNotEcho() {
        let value = EventSamples.complete {
            $0["kind"] = "born 150386"
            $0["tier"] = "Kari Nordmann, 12.03.1986"
            $0["municipality"] = "1234567"
            $0["id"] = "15108695088"
        }
        for issue in EventSamples.issues(value) {
            for secret in ["150386", "12.03.1986", "1234567", "15108695088", "Kari"] {
                #expect(!issue.message.contains(secret) && !issue.field.contains(secret), "\(issue)")
            }
        }
    }
}
