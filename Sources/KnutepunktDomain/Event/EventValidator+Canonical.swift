import Foundation

// The hub's fast path (docs/performance.md, "The fourth round"). Nodes send every event in canonical form
// (``ActivityEvent/canonicalJSON()``), so nearly every payload the hub receives is exactly those bytes. Such a payload
// is read here in one pass, without a JSON tree, and checked against the same rules as ``validate(_:defaults:today:)``
// with ``EventDefaults/hub``.
//
// The fast path only ever accepts. Anything it does not recognise as canonical (another member order, whitespace, an
// escape in a string, a correction's version members, a trace, upper-case hex in the id) and anything that breaks a
// rule gives nil, and the caller runs `validate`, which explains every problem to the sender. So what it accepts,
// `validate` accepts too, giving the same event, and the canonical form of that event is the payload itself: the hub
// stores the bytes it received without writing them again. `EventCanonicalReaderTests` holds it to that on random
// events and on their mutations.
extension EventValidator {
    /// The event `payload` holds, when `payload` is an event in canonical form that passes every rule at the hub;
    /// nil otherwise (then ``validate(_:defaults:today:)`` decides, and says why).
    package func readCanonical(_ payload: [UInt8], today: LocalDate) -> ActivityEvent? {
        payload.withUnsafeBufferPointer { bytes in
            var reader = CanonicalReader(bytes: bytes)
            return readCanonical(&reader, today: today)
        }
    }

    private func readCanonical(_ reader: inout CanonicalReader, today: LocalDate) -> ActivityEvent? {
        // Members in ActivityEvent.memberNames order, as canonicalJSON() writes them.
        guard reader.skip("{\"id\":"), let id = reader.lowercaseUUID(),
            reader.skip(",\"schema\":1,\"region\":"), let region = reader.code(),
            taxonomy.contains(region, in: .region),
            reader.skip(",\"node\":"), let node = reader.code(), taxonomy.node(node)?.region == region,
            reader.skip(",\"kind\":"), let kind = reader.code(), taxonomy.contains(kind, in: .kind),
            reader.skip(",\"date\":"), let date = reader.date(), date >= Self.earliestDate,
            date.daysSinceEpoch <= today.daysSinceEpoch + Self.futureToleranceDays
        else { return nil }
        var municipality: String?
        if reader.skip(",\"municipality\":") {
            guard let text = reader.code(), text.utf8.count == 4, text.utf8.allSatisfy({ $0 &- 0x30 < 10 }) else {
                return nil
            }
            municipality = text
        }
        guard reader.skip(",\"target_groups\":"), let targetGroups = readCodes(&reader, .targetGroup, date),
            !targetGroups.isEmpty,
            targetGroups.count == 1 || !targetGroups.contains(Self.universalTargetGroup),
            reader.skip(",\"programmes\":"), let programmes = readCodes(&reader, .programme, date),
            reader.skip(",\"tier\":"), let tier = reader.code(), taxonomy.contains(tier, in: .tier),
            reader.skip(",\"age_bands\":"), let ageBands = readCodes(&reader, .ageBand, date), !ageBands.isEmpty,
            reader.skip(",\"professions\":"), let professions = readCodes(&reader, .profession, date),
            !professions.isEmpty,
            reader.skip(",\"participants\":"), let participants = reader.count(),
            reader.skip(",\"families\":"), let families = reader.count(),
            reader.skip(",\"sessions\":"), let sessions = reader.count(),
            reader.skip(",\"funding\":"), let funding = reader.code(), taxonomy.contains(funding, in: .funding)
        else { return nil }
        if !taxonomy.retirements.isEmpty {
            let codes: [(String, Taxonomy.Vocabulary)] = [
                (region, .region), (node, .node), (kind, .kind), (tier, .tier), (funding, .funding),
            ]
            for (code, vocabulary) in codes where !taxonomy.accepts(code, in: vocabulary, on: date) { return nil }
        }
        var note: String?
        if reader.skip(",\"note\":") {
            guard let text = reader.text(), !Self.hasControlCharacter(text),
                text.utf8.count <= Self.maxNoteCharacters || text.count <= Self.maxNoteCharacters
            else { return nil }
            note = text
        }
        var submittedBy: String?
        if reader.skip(",\"submitted_by\":") {
            guard let text = reader.text(), !text.isEmpty, !Self.hasControlCharacter(text),
                text.utf8.count <= Self.maxSubmitterCharacters
                    || (text.utf8.count <= Self.maxSubmitterCharacters * 4
                        && text.count <= Self.maxSubmitterCharacters)
            else { return nil }
            submittedBy = text
        }
        var submittedAt: String?
        if reader.skip(",\"submitted_at\":") {
            guard let text = reader.text(), Self.isUTCTimestamp(text) else { return nil }
            submittedAt = text
        }
        let isTest = reader.skip(",\"test\":true")
        var taxonomyVersion: Int?
        if reader.skip(",\"taxonomy_version\":") {
            // Below 10^9: the privacy guard looks at larger numbers, and `validate` decides those.
            guard let number = reader.integer(), number >= 1, number < 1_000_000_000 else { return nil }
            taxonomyVersion = number
        }
        guard reader.skip("}"), reader.atEnd else { return nil }
        // The privacy guard, as `validate` runs it on every string but a well-formed id: the codes are in the
        // taxonomy, so only the free texts can hold an identity number; every member name is one of schema 1's.
        for text in [note, submittedBy, submittedAt] {
            if let text, !PersonalDataGuard.findings(in: text).isEmpty { return nil }
        }
        var event = ActivityEvent(
            id: id,
            schema: ActivityEvent.currentSchema,
            region: region,
            node: node,
            kind: kind,
            date: date,
            municipality: municipality,
            targetGroups: targetGroups,
            programmes: programmes,
            tier: tier,
            ageBands: ageBands,
            professions: professions,
            participants: participants,
            families: families,
            sessions: sessions,
            funding: funding,
            note: note,
            submittedBy: submittedBy,
            submittedAt: submittedAt
        )
        event.isTest = isTest
        event.taxonomyVersion = taxonomyVersion
        return event
    }

    /// A list of codes of `vocabulary`, each in the taxonomy and usable on `date`, none twice, at most
    /// ``maxListItems``.
    private func readCodes(
        _ reader: inout CanonicalReader,
        _ vocabulary: Taxonomy.Vocabulary,
        _ date: LocalDate
    ) -> [String]? {
        guard reader.skip("[") else { return nil }
        var codes: [String] = []
        if reader.skip("]") { return codes }
        repeat {
            guard codes.count < Self.maxListItems, let code = reader.code(), taxonomy.contains(code, in: vocabulary),
                !codes.contains(code), taxonomy.retirements.isEmpty || taxonomy.accepts(code, in: vocabulary, on: date)
            else { return nil }
            codes.append(code)
        } while reader.skip(",")
        return reader.skip("]") ? codes : nil
    }
}

/// A cursor over the bytes of a payload, reading only the shapes ``ActivityEvent/canonicalJSON()`` writes.
private struct CanonicalReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    var atEnd: Bool { at == bytes.count }

    /// Moves past `literal` when the bytes go on with it.
    mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - at >= count, let base = bytes.baseAddress,
            memcmp(base + at, literal.utf8Start, count) == 0
        else { return false }
        at += count
        return true
    }

    /// The bytes of a string that holds no escape and no control byte (canonical form escapes exactly `"`, `\` and
    /// bytes below 0x20, so such a string is written back byte for byte).
    mutating func stringBytes() -> UnsafeBufferPointer<UInt8>? {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        var index = at + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                defer { at = index + 1 }
                return UnsafeBufferPointer(rebasing: bytes[(at + 1)..<index])
            case UInt8(ascii: "\\"), 0x00..<0x20:
                return nil
            default:
                index += 1
            }
        }
        return nil
    }

    /// A code: printable ASCII (no DEL), at most ``EventValidator/maxCodeCharacters`` characters, and fewer than ten
    /// digits (so the privacy guard could not find an identity number in it).
    mutating func code() -> String? {
        guard let text = stringBytes(), text.count <= EventValidator.maxCodeCharacters else { return nil }
        var digits = 0
        for byte in text {
            guard byte >= 0x20, byte < 0x7F else { return nil }
            if byte &- 0x30 < 10 { digits += 1 }
        }
        guard digits < 10 else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// Free text: any valid UTF-8 without escapes.
    mutating func text() -> String? {
        guard let text = stringBytes() else { return nil }
        return String(validating: text, as: UTF8.self)
    }

    /// A UUID in lower-case hexadecimal, as ``UUID/lowercasedText`` writes it; not the nil UUID.
    mutating func lowercaseUUID() -> UUID? {
        guard let text = stringBytes(), text.count == 36 else { return nil }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var any: UInt8 = 0
        let parsed = withUnsafeMutableBytes(of: &value) { raw -> Bool in
            func nibble(_ byte: UInt8) -> UInt8? {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
                default: nil
                }
            }
            var index = 0
            for position in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard text[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return false }
                raw[position] = high << 4 | low
                any |= raw[position]
                index += 2
            }
            return true
        }
        guard parsed, any != 0 else { return nil }
        return UUID(uuid: value)
    }

    /// A date written `YYYY-MM-DD` that exists.
    mutating func date() -> LocalDate? {
        guard let text = stringBytes(), text.count == 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return LocalDate(year: year, month: month, day: day)
    }

    /// A whole number as canonical form writes one: no sign, no leading zero, at most ten digits.
    mutating func integer() -> Int? {
        var value = 0
        var digits = 0
        while at < bytes.count, digits <= 10 {
            let digit = bytes[at] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            if digits == 1, value == 0 { return nil }
            value = value * 10 + Int(digit)
            digits += 1
            at += 1
        }
        return digits == 0 || digits > 10 ? nil : value
    }

    /// A count of an event: 0 to 1,000,000.
    mutating func count() -> Int? {
        guard let value = integer(), EventValidator.countRange.contains(Int64(value)) else { return nil }
        return value
    }
}
