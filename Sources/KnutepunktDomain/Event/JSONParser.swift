/// A strict RFC 8259 parser, written by hand so that it is total: every input either parses or throws a
/// ``JSONError``, none traps (payloads come from the network and are fuzzed).
///
/// Why not Foundation's `JSONSerialization` (or `JSONDecoder`, built on it): measured by `KnutepunktBench parsers`
/// (release build, 50,000 sample events of ~385 bytes, Benchmarks/results/2026-12-07T060556Z.json), this parser
/// reads 367,006 events/s and JSONSerialization 105,997 (3.5 times slower, on the path every event takes at the node
/// and again at the hub); and JSONSerialization accepts `{"families": 1, "families": 12}` (a duplicate member, which
/// would let two readers of one event see different counts) and a trailing comma, both of which the event schema
/// refuses with a code and a position.
///
/// Strict means: UTF-8 only (a leading byte order mark is skipped, as RFC 8259 §8.1 allows), no comments, no
/// trailing commas, no leading zeros, no lone surrogates, no raw control characters in strings, no duplicate member
/// names, one value per text, nesting at most ``JSONValue/maxDepth`` deep.
struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        guard position < bytes.count else {
            throw JSONError(code: .emptyInput, offset: position, message: "there is no JSON value")
        }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else {
            throw JSONError(
                code: .trailingData,
                offset: position,
                message: "\(describe(bytes[position])) follows the JSON value; a JSON text holds exactly one value"
            )
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard position < bytes.count else {
            throw JSONError(code: .unexpectedEnd, offset: position, message: "the text ends where a value should be")
        }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw JSONError(
                code: .unexpectedByte,
                offset: position,
                message: "\(describe(bytes[position])) cannot start a value (expected an object, array, string, "
                    + "number, true, false or null)"
            )
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: position, message: "the text ends inside an object")
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw JSONError(
                    code: .unexpectedByte,
                    offset: position,
                    message: "\(describe(bytes[position])) where a member name (a string in double quotes) should be"
                )
            }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: position, message: "the text ends inside an object")
            }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw JSONError(
                    code: .unexpectedByte,
                    offset: position,
                    message: "\(describe(bytes[position])) where ':' should follow a member name"
                )
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard object.insertNew(key: key, value: value) else {
                throw JSONError(
                    code: .duplicateKey,
                    offset: keyOffset,
                    message: "the object names member \(Self.quotedIfSafe(key)) twice; each name may appear once"
                )
            }
            skipWhitespace()
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: position, message: "the text ends inside an object")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(object)
            default:
                throw JSONError(
                    code: .unexpectedByte,
                    offset: position,
                    message: "\(describe(bytes[position])) where ',' or '}' should follow a member"
                )
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        try checkDepth(depth)
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: position, message: "the text ends inside an array")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(items)
            default:
                throw JSONError(
                    code: .unexpectedByte,
                    offset: position,
                    message: "\(describe(bytes[position])) where ',' or ']' should follow an array element"
                )
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONError) {
        guard depth <= JSONValue.maxDepth else {
            throw JSONError(
                code: .tooDeep,
                offset: position,
                message: "arrays and objects nest more than \(JSONValue.maxDepth) levels deep"
            )
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONError) {
        let start = position
        let expected = Array(literal.utf8)
        for index in expected.indices {
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: position, message: "the text ends inside '\(literal)'")
            }
            guard bytes[position] == expected[index] else {
                throw JSONError(
                    code: .unexpectedByte,
                    offset: start,
                    message: "a value starting with \(describe(bytes[start])) must be '\(literal)'"
                )
            }
            position += 1
        }
    }

    // MARK: - Strings

    /// Parses a string starting at its opening quote, validating UTF-8 and escapes.
    private mutating func parseString() throws(JSONError) -> String {
        let quote = position
        position += 1
        var start = position
        // Used only once an escape makes the text differ from the input bytes; appended to in place, so a string
        // of many escapes costs linear time.
        var buffer: [UInt8] = []
        var escaped = false
        while true {
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: quote, message: "the string starting here is not closed")
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let text: String
                if escaped {
                    buffer.append(contentsOf: bytes[start..<position])
                    text = String(decoding: buffer, as: UTF8.self)
                } else {
                    text = String(decoding: bytes[start..<position], as: UTF8.self)
                }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                buffer.append(contentsOf: bytes[start..<position])
                try parseEscape(into: &buffer)
                escaped = true
                start = position
            case 0x00..<0x20:
                throw JSONError(
                    code: .controlCharacter,
                    offset: position,
                    message: "control character \(describe(byte)) inside a string; write it as an escape such as \\n"
                )
            case 0x20..<0x80:
                position += 1
            default:
                try skipUTF8Sequence()
            }
        }
    }

    /// Decodes the escape at `position` (a backslash) and appends its UTF-8 bytes.
    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONError) {
        let escape = position
        position += 1
        guard position < bytes.count else {
            throw JSONError(code: .unexpectedEnd, offset: escape, message: "the text ends inside an escape")
        }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let first = try parseHex4(escape: escape)
            var scalarValue = UInt32(first)
            switch first {
            case 0xD800...0xDBFF:
                // A high surrogate counts only as the first half of a \uD8xx\uDCxx pair.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw JSONError(
                        code: .loneSurrogate,
                        offset: escape,
                        message: "\\u escape of a high surrogate that no low-surrogate escape follows"
                    )
                }
                let second = position
                position += 2
                let low = try parseHex4(escape: second)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONError(
                        code: .loneSurrogate,
                        offset: escape,
                        message: "\\u escape of a high surrogate followed by an escape that is not a low surrogate"
                    )
                }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONError(
                    code: .loneSurrogate,
                    offset: escape,
                    message: "\\u escape of a low surrogate without a high surrogate before it"
                )
            default:
                break
            }
            guard let scalar = Unicode.Scalar(scalarValue) else {
                throw JSONError(code: .invalidEscape, offset: escape, message: "\\u escape of no Unicode scalar")
            }
            appendUTF8(scalar, to: &buffer)
        default:
            throw JSONError(
                code: .invalidEscape,
                offset: escape,
                message:
                    "\\\(describeBare(byte)) is not a JSON escape (allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"
            )
        }
    }

    private mutating func parseHex4(escape: Int) throws(JSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else {
                throw JSONError(code: .unexpectedEnd, offset: escape, message: "the text ends inside a \\u escape")
            }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONError(
                    code: .invalidEscape,
                    offset: escape,
                    message: "\\u must be followed by four hexadecimal digits"
                )
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// Steps over one multi-byte UTF-8 sequence at `position`, refusing ill-formed ones (Unicode table 3-7).
    private mutating func skipUTF8Sequence() throws(JSONError) {
        let lead = bytes[position]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default:
            throw JSONError(
                code: .invalidUTF8,
                offset: position,
                message: "byte \(hex(lead)) cannot start a UTF-8 character"
            )
        }
        guard position + length <= bytes.count else {
            throw JSONError(code: .invalidUTF8, offset: position, message: "the text ends inside a UTF-8 character")
        }
        guard secondRange.contains(bytes[position + 1]) else {
            throw JSONError(code: .invalidUTF8, offset: position, message: "ill-formed UTF-8 character")
        }
        for index in 2..<max(2, length) where !(0x80...0xBF).contains(bytes[position + index]) {
            throw JSONError(code: .invalidUTF8, offset: position, message: "ill-formed UTF-8 character")
        }
        position += length
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to buffer: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            buffer.append(UInt8(value))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | value >> 6))
            buffer.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | value >> 12))
            buffer.append(UInt8(0x80 | value >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | value & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | value >> 18))
            buffer.append(UInt8(0x80 | value >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | value >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | value & 0x3F))
        }
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw JSONError(code: .invalidNumber, offset: start, message: "a '-' must be followed by digits")
        }
        // Accumulated negatively so that Int64.min fits; nil once the value leaves Int64.
        var magnitude: Int64? = 0
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw JSONError(code: .invalidNumber, offset: start, message: "numbers must not have leading zeros")
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                if let current = magnitude {
                    let (times10, overflow1) = current.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = times10.subtractingReportingOverflow(Int64(bytes[position] - 48))
                    magnitude = overflow1 || overflow2 ? nil : next
                }
                position += 1
            }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw JSONError(
                    code: .invalidNumber,
                    offset: start,
                    message: "a '.' in a number must be followed by digits"
                )
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw JSONError(code: .invalidNumber, offset: start, message: "an exponent must have digits")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if isInteger, let magnitude {
            if negative { return .integer(magnitude) }
            if magnitude != Int64.min { return .integer(-magnitude) }
        }
        // The lexeme is checked against the JSON grammar above, so Double's parser sees only what JSON allows.
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONError(
                code: .numberOutOfRange,
                offset: start,
                message: "the number is too large for a 64-bit float"
            )
        }
        return .double(value)
    }

    // MARK: - Helpers

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }

    /// One byte for a message: printable ASCII is shown in quotes, anything else as hex. A single byte cannot leak
    /// anything the payload holds.
    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte \(hex(byte))"
    }

    private func describeBare(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "\(Character(Unicode.Scalar(byte)))" : "(\(hex(byte)))"
    }

    /// A member name for a message, only when it cannot carry an identity number: letters and `_` only.
    static func quotedIfSafe(_ key: String) -> String {
        let safe =
            !key.isEmpty && key.utf8.count <= 40
            && key.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
        return safe ? "\"\(key)\"" : "(a name of \(key.count) characters)"
    }
}
