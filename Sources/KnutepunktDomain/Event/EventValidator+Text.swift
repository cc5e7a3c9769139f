// How submitted text is shown in messages, and which characters plain text may not hold.
extension EventValidator {
    /// Whether a submitted value may be repeated in a message: it looks like a code or a word (letters, digits,
    /// `_`, `-`, `.`, space; at most 40 characters) and has fewer than six digits, so it cannot be an identity
    /// number or a date of birth.
    static func isShowable(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 160 else { return false }
        // Member names and codes are ASCII: decided byte by byte, without Unicode property lookups (the validator
        // asks this for every member of every event).
        var asciiDigits = 0
        var ascii = true
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39: asciiDigits += 1
            case 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2D, 0x2E, 0x20: continue
            case 0x80...: ascii = false
            default: return false
            }
        }
        if ascii { return text.utf8.count <= 40 && asciiDigits < 6 }
        guard text.count <= 40 else { return false }
        var digits = 0
        for scalar in text.unicodeScalars {
            if scalar.properties.numericType != nil {
                digits += 1
            } else if !(scalar.properties.isAlphabetic || "_-. ".unicodeScalars.contains(scalar)) {
                return false
            }
        }
        return digits < 6
    }

    /// `"VALUE"` when the value is showable, else a neutral description that does not repeat it.
    package static func quoted(_ text: String) -> String {
        isShowable(text) ? "\"\(text)\"" : "the value given (not repeated here)"
    }

    /// How a member is named in an issue: its name when showable, else its position (`(member 3)`), so a member
    /// name holding personal data is never repeated.
    static func fieldName(_ key: String, position: Int) -> String {
        isShowable(key) ? key : "(member \(position))"
    }

    /// Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional embedding, override
    /// and isolate marks that can make a text display differently from what it holds.
    ///
    /// Read as UTF-8 bytes (every text field of every event passes here): C0 and DEL are single bytes, C1
    /// (U+0080–U+009F) is 0xC2 0x80–0x9F, and the separators and bidirectional controls (U+2028–U+202E,
    /// U+2066–U+2069) are 0xE2 0x80 0xA8–0xAE and 0xE2 0x81 0xA6–0xA9.
    static func hasControlCharacter(_ text: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            switch byte {
            case 0x00...0x1F, 0x7F:
                return true
            case 0xC2:
                if let next = bytes.next(), (0x80...0x9F).contains(next) { return true }
            case 0xE2:
                guard let second = bytes.next(), let third = bytes.next() else { return false }
                if second == 0x80, (0xA8...0xAE).contains(third) { return true }
                if second == 0x81, (0xA6...0xA9).contains(third) { return true }
            default:
                continue
            }
        }
        return false
    }
}
