// The readers of the members schema 1.1 added: the version, what it corrects or withdraws, and who submitted it.
// All are optional: a document without them is version 1 of its event, as schema 1.0 wrote it.
extension EventValidator {
    /// `version` and `based_on`: (1, nil) when both are absent; a correction names the version it is based on, and
    /// its own number is that plus one (given or not).
    func readVersion(_ check: inout EventCheck) -> (version: Int, basedOn: Int?) {
        let version = readVersionNumber("version", &check)
        let basedOn = readVersionNumber("based_on", &check)
        switch (version, basedOn) {
        case (nil, nil):
            return (1, nil)
        case (let number?, nil):
            if number != 1 {
                check.report(
                    "version",
                    .invalidVersion,
                    "version \(number) corrects an earlier version: name the version you corrected in based_on "
                        + "(\(number - 1)), or leave version out for a new event"
                )
            }
            return (number, nil)
        case (nil, let base?):
            return (min(base + 1, Self.maxVersion), base)
        case (let number?, let base?):
            if number != base + 1 {
                check.report(
                    "version",
                    .invalidVersion,
                    "a version based on version \(base) is version \(base + 1), not \(number); leave version out and "
                        + "the node numbers it"
                )
            }
            return (number, base)
        }
    }

    private func readVersionNumber(_ name: String, _ check: inout EventCheck) -> Int? {
        guard let value = check.value(name) else { return nil }
        guard case .integer(let number) = value else {
            check.report(name, .wrongType, "\(name) must be a whole number (1, 2, 3, …), not \(value.typeDescription)")
            return nil
        }
        let limit = name == "version" ? Self.maxVersion : Self.maxVersion - 1
        guard number >= 1, number <= Int64(limit) else {
            check.report(name, .invalidVersion, "\(name) must be a whole number from 1 to \(limit)")
            return nil
        }
        return Int(number)
    }

    /// `withdrawn` and `withdrawal_reason`: the reason when this version withdraws the event, else nil. A withdrawal
    /// names the version it withdraws (`based_on`) and says why.
    func readWithdrawal(_ check: inout EventCheck, basedOn: Int?) -> String? {
        var withdrawn = false
        if let value = check.value("withdrawn") {
            guard case .bool(let flag) = value else {
                check.report(
                    "withdrawn",
                    .wrongType,
                    "withdrawn must be true (or be left out), not \(value.typeDescription)"
                )
                return nil
            }
            withdrawn = flag
        }
        let reason = readReasonText(&check)
        guard withdrawn else {
            if check.value("withdrawal_reason") != nil {
                check.report(
                    "withdrawal_reason",
                    .invalidVersion,
                    "withdrawal_reason belongs to a withdrawal: add \"withdrawn\": true, or leave the reason out"
                )
            }
            return nil
        }
        if basedOn == nil {
            check.report(
                "based_on",
                .invalidVersion,
                "a withdrawal names the version it withdraws in based_on (`knutepunkt withdraw` fills it in)"
            )
        }
        if check.value("withdrawal_reason") == nil {
            check.report(
                "withdrawal_reason",
                .missingField,
                "withdrawal_reason is required with withdrawn: say why, e.g. \"entered twice\""
            )
        }
        return reason
    }

    private func readReasonText(_ check: inout EventCheck) -> String? {
        guard let value = check.value("withdrawal_reason") else { return nil }
        guard case .string(let text) = value else {
            check.report(
                "withdrawal_reason",
                .wrongType,
                "withdrawal_reason must be text, not \(value.typeDescription)"
            )
            return nil
        }
        var valid = true
        if text.allSatisfy({ $0 == " " }) {
            check.report(
                "withdrawal_reason",
                .missingField,
                "withdrawal_reason is empty: say why the event is withdrawn"
            )
            valid = false
        }
        if Self.hasControlCharacter(text) {
            check.report(
                "withdrawal_reason",
                .controlCharacter,
                "withdrawal_reason must be one line of plain text: no line breaks, tabs, other control characters or "
                    + "direction marks"
            )
            valid = false
        }
        let length = text.utf8.count > Self.maxNoteCharacters ? text.count : 0
        if length > Self.maxNoteCharacters {
            check.report(
                "withdrawal_reason",
                .noteTooLong,
                "withdrawal_reason has \(length) characters; at most \(Self.maxNoteCharacters) are allowed"
            )
            valid = false
        }
        return valid ? text : nil
    }

    /// `submitted_by`: a name or user name, one line, at most ``maxSubmitterCharacters`` characters.
    func readSubmittedBy(_ check: inout EventCheck) -> String? {
        guard let value = check.value("submitted_by") else { return nil }
        guard case .string(let text) = value, !text.isEmpty else {
            check.report("submitted_by", .wrongType, "submitted_by must be a name written as text")
            return nil
        }
        if text.utf8.count > Self.maxSubmitterCharacters * 4 || text.count > Self.maxSubmitterCharacters {
            check.report(
                "submitted_by",
                .textTooLong,
                "submitted_by is too long: at most \(Self.maxSubmitterCharacters) characters"
            )
            return nil
        }
        if Self.hasControlCharacter(text) {
            check.report("submitted_by", .controlCharacter, "submitted_by holds a control character")
            return nil
        }
        return text
    }

    /// `submitted_at`: a UTC time written `YYYY-MM-DDThh:mm:ssZ`.
    func readSubmittedAt(_ check: inout EventCheck) -> String? {
        guard let value = check.value("submitted_at") else { return nil }
        guard case .string(let text) = value, Self.isUTCTimestamp(text) else {
            check.report(
                "submitted_at",
                .badDate,
                "submitted_at must be a UTC time written YYYY-MM-DDThh:mm:ssZ, e.g. 2026-03-12T09:30:00Z"
            )
            return nil
        }
        return text
    }

    /// `YYYY-MM-DDThh:mm:ssZ` naming a day that exists and a time of day.
    package static func isUTCTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z"),
            LocalDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)) != nil
        else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else {
            return false
        }
        return hour < 24 && minute < 60 && second < 61
    }
}
