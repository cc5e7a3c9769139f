/// One problem with a submitted event: which member, a stable code, and a sentence saying what is allowed.
///
/// Messages never repeat a submitted value that could hold personal data: values are quoted only when they look
/// like codes (short, letters, digits, `_` and `-`, fewer than six digits).
package struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The JSON member the problem is in, with a path into lists and nested values: `note`, `target_groups[1]`,
    /// `extra.name`. `(event)` for the event as a whole.
    package var field: String
    package var code: Code
    /// What is wrong and what is allowed.
    package var message: String

    package init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    package var description: String { "\(field): \(message) [\(code.rawValue)]" }

    /// The field name used for problems with the event as a whole (e.g. not an object).
    package static let wholeEvent = "(event)"
}

extension ValidationIssue {
    /// A stable, upper-case issue code. Extensible: new codes may appear, so don't switch over it exhaustively.
    /// Encoded in JSON as the bare string.
    package struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        package init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        package var description: String { rawValue }

        /// The event is not a JSON object.
        package static let notAnObject = Code(rawValue: "NOT_AN_OBJECT")
        /// A required member is absent (or null).
        package static let missingField = Code(rawValue: "MISSING_FIELD")
        /// A member has the wrong JSON type (a number where a string belongs, a fraction for a count…).
        package static let wrongType = Code(rawValue: "WRONG_TYPE")
        /// A code that is not in its vocabulary in the taxonomy.
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        package static let unknownCode = Code(rawValue: "UNKNOWN_CODE")
        /// A member name the schema does not define.
        package static let unknownField = Code(rawValue: "UNKNOWN_FIELD")
        /// A date that is not `YYYY-MM-DD` or does not exist.
        package static let badDate = Code(rawValue: "BAD_DATE")
        /// A date in the future (beyond tomorrow) or before 2000-01-01.
        package static let dateOutOfRange = Code(rawValue: "DATE_OUT_OF_RANGE")
        /// A count below zero.
        package static let negativeCount = Code(rawValue: "NEGATIVE_COUNT")
        /// A count above the limit.
        package static let countOutOfRange = Code(rawValue: "COUNT_OUT_OF_RANGE")
        /// `note` is longer than 280 characters.
        package static let noteTooLong = Code(rawValue: "NOTE_TOO_LONG")
        /// A text other than the note is longer than its limit.
        package static let textTooLong = Code(rawValue: "TEXT_TOO_LONG")
        /// A list has more items than its limit.
        package static let tooManyItems = Code(rawValue: "TOO_MANY_ITEMS")
        /// `id` is not a UUID.
        package static let invalidID = Code(rawValue: "INVALID_ID")
        /// A code appears twice in one list.
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        package static let duplicateCode = Code(rawValue: "DUPLICATE_CODE")
        /// A code that must stand alone (target group `ALL`) is combined with others.
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        package static let exclusiveCode = Code(rawValue: "EXCLUSIVE_CODE")
        /// A list that needs at least one item is empty.
        package static let emptyList = Code(rawValue: "EMPTY_LIST")
        /// `municipality` is not a 4-digit municipality number.
        package static let invalidMunicipality = Code(rawValue: "INVALID_MUNICIPALITY")
        /// A text holds a control character (line break, tab, NUL…) or an invisible direction mark.
        package static let controlCharacter = Code(rawValue: "CONTROL_CHARACTER")
        /// The local node does not belong to the event's region.
        package static let nodeNotInRegion = Code(rawValue: "NODE_NOT_IN_REGION")
        /// The event names a region other than the one the receiving node reports for.
        package static let regionMismatch = Code(rawValue: "REGION_MISMATCH")
        /// `schema` names a version this build does not implement.
        package static let unsupportedSchema = Code(rawValue: "UNSUPPORTED_SCHEMA")
        /// A text holds a Norwegian fødselsnummer, D-number or H-number.
        package static let piiNorwegianIdentityNumber = Code(rawValue: "PII_NO_FNR")
        /// A text holds a Swedish personnummer or samordningsnummer.
        package static let piiSwedishPersonalIdentityNumber = Code(rawValue: "PII_SE_PNR")
        /// A code the taxonomy retired, for an activity dated after its grace period (docs/events.md).
        // swift-format-ignore: DontRepeatTypeInStaticProperties
        package static let retiredCode = Code(rawValue: "RETIRED_CODE")
        /// More problems than are listed; the last issue says how many were left out.
        package static let tooManyIssues = Code(rawValue: "TOO_MANY_ISSUES")
        /// `version`, `based_on`, `withdrawn` or `withdrawal_reason` do not fit together.
        package static let invalidVersion = Code(rawValue: "INVALID_VERSION")
        /// The event's id is held with other content, and the submission names no version it corrects.
        package static let conflictingContent = Code(rawValue: "CONFLICTING_CONTENT")
        /// The correction or withdrawal is based on a version that is not the event's current one.
        package static let staleVersion = Code(rawValue: "STALE_VERSION")
        /// The month the activity (or return) is dated in is locked for its region: accepted by the national centre.
        package static let periodLocked = Code(rawValue: "PERIOD_LOCKED")

        /// Every code this version defines, in the order of docs/events.md.
        package static let allKnown: [Code] = [
            .notAnObject, .missingField, .wrongType, .unknownCode, .unknownField, .badDate, .dateOutOfRange,
            .negativeCount, .countOutOfRange, .noteTooLong, .textTooLong, .tooManyItems, .invalidID, .duplicateCode,
            .exclusiveCode, .emptyList, .invalidMunicipality, .controlCharacter, .nodeNotInRegion, .regionMismatch,
            .unsupportedSchema, .piiNorwegianIdentityNumber, .piiSwedishPersonalIdentityNumber, .retiredCode,
            .tooManyIssues,
            .invalidVersion, .conflictingContent, .staleVersion, .periodLocked,
        ]

        /// True for the codes of the privacy guard.
        package var isPersonalData: Bool {
            self == .piiNorwegianIdentityNumber || self == .piiSwedishPersonalIdentityNumber
        }
    }
}
