import Foundation
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

/// The hub's one-pass reader of canonical events (`EventValidator.readCanonical`) only ever accepts what the general
/// validator accepts, with the same event, whose canonical form is the payload itself; and it does accept what
/// nodes send.
@Suite("Canonical events read in one pass")
struct EventCanonicalReaderTests {
    static let validator = EventSamples.validator
    static let today = EventSamples.today

    /// What the general path makes of `payload` at the hub.
    static func general(_ payload: [UInt8]) -> ActivityEvent? {
        guard let value = try? JSONValue.parse(payload),
            case .success(let event) = validator.validate(value, defaults: .hub, today: today)
        else { return nil }
        return event
    }

    /// The property every payload must keep: accepted by the fast path ⇒ accepted by the general path as the same
    /// event, written canonically as exactly these bytes.
    static func agrees(_ payload: [UInt8], validator: EventValidator = validator) -> Bool {
        guard let fast = validator.readCanonical(payload, today: today) else { return true }
        guard let value = try? JSONValue.parse(payload),
            case .success(let event) = validator.validate(value, defaults: .hub, today: today)
        else { return false }
        return fast == event && event.canonicalJSON() == payload
    }

    /// A random valid event as a node sends it, with every optional member in turn.
    static func nodeEvent(using random: inout SplitMix64, index: Int) -> ActivityEvent {
        var event = EventSamples.random(using: &random)
        let notes = [nil, "", "Gruppe for fedre, Bodø", "Æøå 👶🏽 e\u{301}", "COS-P — 12 deltakere", "ok 日本語"]
        event.note = notes[index % notes.count]
        if index % 3 == 0 {
            event.submittedBy = ["kari", "Åse Ødegård", "ola.nordmann"][index % 3 == 0 ? (index / 3) % 3 : 0]
            event.submittedAt = "2026-03-12T10:0\(index % 10):00Z"
        }
        if index % 4 == 0 { event.isTest = true }
        if index % 2 == 0 { event.taxonomyVersion = 1 + index % 7 }
        return event
    }

    @Test("what nodes send is read by the fast path, as the general path reads it, and stored as received")
    func nodeEventsTakeTheFastPath() {
        var random = SplitMix64(seed: 0x4641_5354)
        var read = 0
        for index in 0..<3_000 {
            let event = Self.nodeEvent(using: &random, index: index)
            let payload = event.canonicalJSON()
            let fast = Self.validator.readCanonical(payload, today: Self.today)
            #expect(fast == event, "\(String(decoding: payload, as: UTF8.self))")
            #expect(Self.general(payload) == event)
            if fast != nil { read += 1 }
        }
        #expect(read == 3_000)
    }

    @Test("mutated canonical events: whatever the fast path accepts, the general path accepts as the same event")
    func mutationsNeverWidenWhatIsAccepted() {
        var random = SplitMix64(seed: 0x4D55_5441)
        // Bytes that matter to JSON and to the rules: quotes, escapes, digits, case, separators, UTF-8 lead bytes.
        let alphabet = Array("\"\\{}[],: 0123456789-ABCDEFabcdefT_\u{7F}".utf8) + [0x00, 0x1F, 0xC2, 0xE2, 0x80, 0xFF]
        let codes = ["ALL", "PND", "NO-VEST", "NO-VEST-FONNA", "NO-NORD", "U", "S", "COS_P", "X", "PERMANENT", "M3_12"]
        var accepted = 0
        var disagreements: [String] = []
        for index in 0..<20_000 {
            var payload = Self.nodeEvent(using: &random, index: index).canonicalJSON()
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0..<payload.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: payload[position] = alphabet.randomElement(using: &random)!
                case 1: payload.insert(alphabet.randomElement(using: &random)!, at: position)
                case 2: payload.remove(at: position)
                case 3:
                    // A code swapped for another (or an unknown one) where a code stood.
                    let text = String(decoding: payload, as: UTF8.self)
                    let from = codes.randomElement(using: &random)!
                    let to = codes.randomElement(using: &random)!
                    if let range = text.range(of: "\"\(from)\"") {
                        payload = Array(text.replacingCharacters(in: range, with: "\"\(to)\"").utf8)
                    }
                default:
                    // A digit changed: counts, dates, versions, the id.
                    let digits = payload.indices.filter { payload[$0] &- 0x30 < 10 }
                    if let at = digits.randomElement(using: &random) {
                        payload[at] = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &random)
                    }
                }
            }
            if Self.validator.readCanonical(payload, today: Self.today) != nil { accepted += 1 }
            if !Self.agrees(payload), disagreements.count < 5 {
                disagreements.append(String(decoding: payload, as: UTF8.self))
            }
        }
        #expect(disagreements.isEmpty)
        // Many mutations keep a valid canonical event (a digit or a code changed), so the property is exercised.
        #expect(accepted > 2_000)
    }

    /// Valid events the fast path leaves to the general path: another spelling of the same event, or members it does
    /// not read. Each is still accepted, by the general path, and stored in canonical form.
    @Test(arguments: [
        ("whitespace", [(",\"node\"", ", \"node\"")]),
        ("upper-case id", [("6fa459ea", "6FA459EA")]),
        ("members in another order", [("\"schema\":1,", ""), ("}", ",\"schema\":1}")]),
        ("an escape in the note", [("Haugesund", "Hauge\\u0073und")]),
        ("test given as false", [("}", ",\"test\":false}")]),
        ("a trace", [("}", ",\"trace\":{\"traceparent\":\"00-a-01\"}}")]),
    ])
    func otherSpellingsTakeTheGeneralPath(_ name: String, _ edits: [(String, String)]) throws {
        let canonical = JSONValue.object(EventSamples.complete).serialized()
        #expect(Self.validator.readCanonical(canonical, today: Self.today) != nil, "the unedited event")
        var text = String(decoding: canonical, as: UTF8.self)
        for (from, to) in edits { text = text.replacingOccurrences(of: from, with: to) }
        let payload = Array(text.utf8)
        #expect(payload != canonical, "the edit changed nothing")
        #expect(Self.validator.readCanonical(payload, today: Self.today) == nil)
        #expect(Self.general(payload) != nil)
    }

    /// Events the general path refuses: the fast path gives nil, and the refusal (with its message) comes from there.
    @Test(arguments: [
        ("an unknown target group", "\"PAR_MH\"", "\"PAR_MHX\""),
        ("ALL with another group", "\"PND\",\"PAR_MH\"", "\"ALL\",\"PND\""),
        ("a repeated profession", "\"PHN\",\"PSYCH\"", "\"PHN\",\"PHN\""),
        ("a node of another region", "\"NO-VEST-FONNA\"", "\"NO-NORD-BODO\""),
        ("a date in the future", "2026-03-12", "2026-06-17"),
        ("a date that does not exist", "2026-03-12", "2026-02-29"),
        ("a count over the limit", "\"participants\":14", "\"participants\":1000001"),
        ("a count with a leading zero", "\"participants\":14", "\"participants\":014"),
        ("the nil id", "6fa459ea-ee8a-4ca4-894e-db77e160355e", "00000000-0000-0000-0000-000000000000"),
        ("a control character in the note", "Haugesund", "Hauge\u{7F}sund"),
        ("a direction mark in the note", "Haugesund", "Hauge\u{202E}sund"),
        (
            "a note of 281 characters", "COS-P group leader training for public health nurses, Haugesund",
            String(repeating: "æ", count: 281)
        ),
    ])
    func refusalsTakeTheGeneralPath(_ name: String, _ from: String, _ to: String) throws {
        let canonical = String(decoding: JSONValue.object(EventSamples.complete).serialized(), as: UTF8.self)
        let payload = Array(canonical.replacingOccurrences(of: from, with: to).utf8)
        #expect(payload != Array(canonical.utf8), "the edit changed nothing")
        #expect(Self.validator.readCanonical(payload, today: Self.today) == nil)
        #expect(Self.general(payload) == nil)
    }

    @Test("identity numbers in free text, also behind format characters, are left to the general path")
    func identityNumbers() {
        var random = SplitMix64(seed: 0x464E_5200)
        let hidden = ["", "\u{200B}", "\u{00AD}", "\u{200D}", "\u{2060}"]
        for index in 0..<200 {
            var number = EventIdentityNumbers.randomNorwegian(.birthNumber, using: &random)
            let cut = number.index(number.startIndex, offsetBy: 1 + index % 9)
            number.insert(contentsOf: hidden[index % hidden.count], at: cut)
            var event = EventSamples.random(using: &random)
            event.note = index % 2 == 0 ? "Kontakt \(number)" : nil
            event.submittedBy = index % 2 == 1 ? "Kari \(number)" : nil
            let payload = event.canonicalJSON()
            #expect(Self.validator.readCanonical(payload, today: Self.today) == nil)
            #expect(Self.general(payload) == nil)
        }
    }

    @Test("a code retired long enough before the activity is left to the general path, which refuses it")
    func retiredCodes() throws {
        var taxonomy = EventTestTaxonomy.taxonomy
        taxonomy.retirements[.programme] = ["COS_P": try #require(LocalDate(iso: "2025-06-01"))]
        let validator = EventValidator(taxonomy: taxonomy)
        // COS_P on 2026-03-12, refused from 2025-08-30.
        let canonical = JSONValue.object(EventSamples.complete).serialized()
        #expect(Self.validator.readCanonical(canonical, today: Self.today) != nil)
        #expect(validator.readCanonical(canonical, today: Self.today) == nil)
        let value = try JSONValue.parse(canonical)
        guard case .failure(let failure) = validator.validate(value, defaults: .hub, today: Self.today) else {
            Issue.record("the general path accepted a retired code")
            return
        }
        #expect(failure.issues.map(\.code) == [.retiredCode])
    }

    @Test("no member name of schema 1 holds anything the privacy guard looks for")
    func memberNamesAreClean() {
        for name in ActivityEvent.memberNames { #expect(PersonalDataGuard.findings(in: name).isEmpty) }
    }
}
