extension JSONValue {
    /// Compact JSON text (no whitespace), members in their stored order; always re-parsable by ``parse(_:)``.
    ///
    /// Deterministic: the same value always gives the same bytes, which the canonical event form relies on.
    /// Strings escape only `"`, `\` and control characters (as `\n`, `\t`… or `\u00XX`); everything else is written
    /// as UTF-8. A non-finite double (which the parser never produces) is written as `null`.
    package func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(to: &output)
        return output
    }

    /// ``serialized()`` as a string.
    package var serializedText: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    package func write(to output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value):
            Self.writeInteger(value, to: &output)
        case .double(let value):
            // Swift prints the shortest text that reads back as the same double, in a form JSON accepts
            // ("1.0", "1e-05", "1e+16").
            output.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
        case .string(let text):
            Self.writeString(text, to: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// Writes `text` as a JSON string. Runs of bytes that need no escape (nearly all of an event) are appended in
    /// one copy each rather than byte by byte.
    package static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                }
                runStart = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                default:
                    output.append(contentsOf: "u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            if runStart < bytes.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Writes a whole number in decimal; one digit (most counts of an event) without formatting a string.
    package static func writeInteger(_ value: Int64, to output: inout [UInt8]) {
        if value >= 0, value < 10 {
            output.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            output.append(contentsOf: String(value).utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension JSONValue {
    /// JSON text for people: objects one member per line, indented by two spaces per level; arrays of plain values
    /// on one line. Parses back to the same value.
    package func prettyText(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .array(let items) where items.contains(where: { $0.objectValue != nil || $0.arrayValue != nil }):
            let inner = items.map { "\(pad)  " + $0.prettyText(indent: indent + 1) }
            return "[\n" + inner.joined(separator: ",\n") + "\n\(pad)]"
        case .array(let items):
            return "[" + items.map(\.serializedText).joined(separator: ", ") + "]"
        case .object(let object) where !object.isEmpty:
            let inner = object.members.map {
                "\(pad)  " + JSONValue.string($0.key).serializedText + ": " + $0.value.prettyText(indent: indent + 1)
            }
            return "{\n" + inner.joined(separator: ",\n") + "\n\(pad)}"
        default:
            return serializedText
        }
    }
}
