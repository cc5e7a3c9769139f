/// Why a byte string is not a JSON text (RFC 8259), and where.
///
/// Messages never quote the input beyond a single character: payloads may hold personal data, and these errors end
/// up in NACK details and logs (docs/protocol.md, "Security considerations").
package struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of defect was found. Extensible: new codes may appear, so don't switch over it exhaustively.
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// There is nothing but (possibly) whitespace.
        package static let emptyInput = Code(rawValue: "EMPTY_INPUT")
        /// The text stops in the middle of a value.
        package static let unexpectedEnd = Code(rawValue: "UNEXPECTED_END")
        /// A byte that cannot start or continue the value here.
        package static let unexpectedByte = Code(rawValue: "UNEXPECTED_BYTE")
        /// The bytes are not well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
        package static let invalidUTF8 = Code(rawValue: "INVALID_UTF8")
        /// A backslash escape that JSON does not define, or a `\u` without four hex digits.
        package static let invalidEscape = Code(rawValue: "INVALID_ESCAPE")
        /// A `\uD800`–`\uDFFF` escape that is not half of a surrogate pair.
        package static let loneSurrogate = Code(rawValue: "LONE_SURROGATE")
        /// A control character (U+0000–U+001F) written raw inside a string; it must be escaped.
        package static let controlCharacter = Code(rawValue: "CONTROL_CHARACTER")
        /// A number that breaks the grammar (leading zero, missing digits, `+1`, `.5`, `1.`).
        package static let invalidNumber = Code(rawValue: "INVALID_NUMBER")
        /// A number too large for a 64-bit float (e.g. `1e400`).
        package static let numberOutOfRange = Code(rawValue: "NUMBER_OUT_OF_RANGE")
        /// An object names the same member twice (compared after unescaping).
        package static let duplicateKey = Code(rawValue: "DUPLICATE_KEY")
        /// Arrays and objects nest deeper than ``JSONValue/maxDepth``.
        package static let tooDeep = Code(rawValue: "TOO_DEEP")
        /// Something other than whitespace follows the value.
        package static let trailingData = Code(rawValue: "TRAILING_DATA")

        package var description: String { rawValue }
    }

    package var code: Code
    /// Byte offset (from 0) in the input where the problem was found.
    package var offset: Int
    /// What was wrong and what was expected, without quoting the input.
    package var message: String

    package init(code: Code, offset: Int, message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }

    package var description: String { "\(message) at byte \(offset) [\(code)]" }
}
