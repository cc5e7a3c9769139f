import KnutepunktSpreadsheet
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

/// Bounded, seeded fuzz runs: the parser, the validator and the CSV reader must be total (no trap, no hang) on any
/// input. A failing seed reproduces exactly.
@Suite("Event model fuzzing")
struct EventFuzzTests {
    static let seed: UInt64 = 0x4B4E_5554_4550_554E

    /// Bytes that matter to JSON, plus some that never should appear.
    static let alphabet: [UInt8] =
        Array("{}[]:,\"\\/ \n\r\t0123456789-+.eEtrufalsn bu".utf8) + [
            0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xA6, 0xED, 0xF0, 0xF4, 0xFF,
        ]

    static func mutate(_ input: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &random)!
            case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes = Array(bytes.prefix(position))
            case 4 where !bytes.isEmpty:
                let end = Int.random(in: position...bytes.count, using: &random)
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
            default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
            }
        }
        return bytes
    }

    /// Parses, and for what parses: serialises back, validates with node and hub defaults, and round-trips any valid
    /// event through its canonical form.
    static func exercise(_ bytes: [UInt8]) -> Bool {
        guard let value = try? JSONValue.parse(bytes) else { return false }
        #expect((try? JSONValue.parse(value.serialized())) == value)
        var items = [value]
        if case .array(let elements) = value { items += elements }
        for item in items {
            _ = item.idText
            for defaults in [EventSamples.nodeDefaults, .hub] {
                if case .success(let event) = EventSamples.validator.validate(
                    item,
                    defaults: defaults,
                    today: EventSamples.today
                ) {
                    let again = try? JSONValue.parse(event.canonicalJSON())
                    let revalidated = again.map {
                        EventSamples.validator.validate($0, defaults: .hub, today: EventSamples.today)
                    }
                    #expect(revalidated == .success(event))
                }
            }
        }
        return true
    }

    /// 50,000 in every test run; `make fuzz` sets KNUTEPUNKT_FUZZ_ITERATIONS for a long run.
    static let iterations = FuzzSettings.iterations(default: 50_000)

    @Test("random and mutated inputs through the parser and the validator (50,000; more with make fuzz)")
    func parserAndValidator() {
        var random = SplitMix64(seed: FuzzSettings.seed(default: Self.seed))
        let seeds: [[UInt8]] = [
            JSONValue.object(EventSamples.complete).serialized(),
            Array(#"[{"kind":"DELIVERY","date":"2026-01-15","target_groups":["ALL"],"tier":"U"},1,"x",null]"#.utf8),
            Array(#"{"a":[1.5e3,-0,"\u00e6\ud83d\udc76",{"b":{}}],"c":true}"#.utf8),
        ]
        var parsed = 0
        for round in 0..<Self.iterations {
            let bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 0...48, using: &random)).map { _ in
                    Self.alphabet.randomElement(using: &random)!
                }
            case 1:
                bytes = Self.mutate(seeds.randomElement(using: &random)!, using: &random)
            default:
                bytes = Self.mutate(EventSamples.random(using: &random).canonicalJSON(), using: &random)
            }
            if Self.exercise(bytes) { parsed += 1 }
        }
        // The mutations keep a good share parseable, so the validator really gets exercised.
        #expect(parsed > 3_000)
    }

    @Test("random valid events survive the canonical round trip")
    func canonicalRoundTrip() throws {
        var random = SplitMix64(seed: Self.seed ^ 1)
        for _ in 0..<2_000 {
            let event = EventSamples.random(using: &random)
            let value = try JSONValue.parse(event.canonicalJSON())
            let result = EventSamples.validator.validate(value, defaults: .hub, today: EventSamples.today)
            #expect(result == .success(event))
        }
    }

    @Test("the canonical bytes, written directly, are those of the event's JSON value serialised")
    func canonicalBytesMatchTheValue() {
        var random = SplitMix64(seed: Self.seed ^ 2)
        var mismatches = 0
        for index in 0..<2_000 {
            var event = EventSamples.random(using: &random)
            // Every optional member and escapes in the text, in turn.
            if index % 3 == 0 {
                event.version = 2 + index % 5
                event.basedOn = 1
                event.withdrawalReason = "dobbeltført \"feil\"\n\u{1}\\"
                event.submittedBy = "kari"
                event.submittedAt = "2026-03-12T10:00:00Z"
            }
            if index % 4 == 0 {
                event.isTest = true
                event.taxonomyVersion = index
                event.trace = ["traceparent": "00-abc-01", "tracestate": "k=v"]
            }
            if index % 5 == 0 { event.participants = -index * 1_000_003 }
            if event.canonicalJSON() != event.jsonValue.serialized() { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("random text through the privacy guard")
    func privacyGuard() {
        var random = SplitMix64(seed: Self.seed ^ 2)
        let pieces = ["0", "1", "2", "4", "5", "8", "9", " ", ".", "-", "+", "a", "é", "٣", "\u{A0}", "\n"]
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...40, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            let kinds = PersonalDataGuard.findings(in: text)
            #expect(Set(kinds).count == kinds.count)
        }
    }

    @Test("random bytes through the CSV reader")
    func csvReader() {
        var random = SplitMix64(seed: Self.seed ^ 3)
        let alphabet = Array("date;kind,node|\"\"\r\n\t PND 12 -".utf8) + [0xEF, 0xBB, 0xBF, 0xFF, 0xC3, 0xA6]
        let example = Array("date;kind;tier\n2026-01-01;TRAINING;S\r\n\"a;b\";\"x\"\"y\";\n".utf8)
        for round in 0..<10_000 {
            let bytes =
                round % 2 == 0
                ? (0..<Int.random(in: 0...60, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
                : Self.mutate(example, using: &random)
            guard let file = try? ActivityCSV.parse(bytes) else { continue }
            for row in file.rows {
                if case .record(let record) = row {
                    _ = EventSamples.issues(record.object, defaults: EventSamples.nodeDefaults)
                    _ = file.column(for: "target_groups[0]")
                }
            }
        }
    }
}
