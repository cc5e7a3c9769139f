// The privacy guard's pass over a whole submitted object (DOMAIN.md §5): every string value, every member name and
// every large integer, in known members and unknown ones alike, at any depth.
extension EventValidator {
    /// One issue per (field, kind of identity number) found in the object.
    func privacyIssues(in object: JSONObject) -> [ValidationIssue] {
        var scan = PrivacyScan()
        scan.members(of: object, prefix: nil)
        return scan.issues
    }

    /// The same for a value that is not an object (reported under `path`).
    func privacyIssues(in value: JSONValue, path: String) -> [ValidationIssue] {
        var scan = PrivacyScan()
        scan.value(value, path: path)
        return scan.issues
    }
}

/// Walks a JSON value collecting identity-number findings, at most one per field and kind, and at most
/// ``maxPerKind`` of each kind (one is enough to refuse; a few tell the coordinator where to look).
private struct PrivacyScan {
    static let maxPerKind = 20

    var issues: [ValidationIssue] = []
    private var seen: Set<String> = []
    private var counts: [PersonalDataKind: Int] = [:]

    mutating func members(of object: JSONObject, prefix: String?) {
        for (index, member) in object.members.enumerated() {
            // The path is spelled out only for a finding: nearly every value has none.
            func path() -> String {
                let name = EventValidator.fieldName(member.key, position: index + 1)
                return prefix.map { "\($0).\(name)" } ?? name
            }
            for kind in PersonalDataGuard.findings(in: member.key) {
                add(path(), kind, "a member name holds \(kind.explanation)")
            }
            // The event id, when it is a well-formed UUID, is a machine identifier whose hex groups are random or
            // hashed: scanning them refused about 1 in 7,000 random ids (e.g. a last group of 12 decimal digits that
            // happens to pass Luhn). Anything else in `id` is scanned like all text (and refused as no UUID).
            if prefix == nil, member.key == "id", case .string(let text) = member.value, Self.isUUID(text) { continue }
            value(member.value, path: path())
        }
    }

    mutating func value(_ value: JSONValue, path: @autoclosure () -> String) {
        switch value {
        case .string(let text):
            for kind in PersonalDataGuard.findings(in: text) {
                let path = path()
                add(path, kind, "\(path) holds \(kind.explanation)")
            }
        case .integer(let number):
            // Identity numbers have 10 to 12 digits; smaller integers cannot be one.
            if number.magnitude >= 1_000_000_000 { scanNumber(number.magnitude, path: path()) }
        case .double(let number):
            if number.isFinite, number.rounded() == number, abs(number) >= 1e9, abs(number) < 1e13 {
                scanNumber(UInt64(abs(number)), path: path())
            }
        case .array(let items):
            for (index, item) in items.enumerated() { self.value(item, path: "\(path())[\(index)]") }
        case .object(let object):
            members(of: object, prefix: path())
        case .null, .bool:
            break
        }
    }

    /// `8-4-4-4-12` hexadecimal digits.
    static func isUUID(_ text: String) -> Bool {
        var length = 0
        for byte in text.utf8 {
            switch (length, byte) {
            case (8, 0x2D), (13, 0x2D), (18, 0x2D), (23, 0x2D): break
            case (8, _), (13, _), (18, _), (23, _): return false
            case (_, 0x30...0x39), (_, 0x41...0x46), (_, 0x61...0x66): break
            default: return false
            }
            length += 1
            if length > 36 { return false }
        }
        return length == 36
    }

    private mutating func scanNumber(_ number: UInt64, path: String) {
        for kind in PersonalDataGuard.findings(in: String(number)) {
            add(path, kind, "\(path) holds a number that is \(kind.explanation)")
        }
    }

    private mutating func add(_ path: String, _ kind: PersonalDataKind, _ what: String) {
        guard counts[kind, default: 0] < Self.maxPerKind, seen.insert("\(kind.rawValue) \(path)").inserted else {
            return
        }
        counts[kind, default: 0] += 1
        issues.append(
            ValidationIssue(
                field: path,
                code: kind.issueCode,
                message: "\(what); events describe activities, never persons, so they must not carry identity "
                    + "numbers. Remove it (it is not repeated here) and submit again"
            )
        )
    }
}
