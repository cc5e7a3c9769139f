/// Writing CSV (RFC 4180): fields with a comma, a quote or a line break are quoted, quotes doubled.
package enum CSVText {
    package static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        var quoted = "\""
        for character in text {
            if character == "\"" { quoted.append("\"") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// A number as data: whole numbers without a fraction, others in full (Swift's shortest exact form).
    package static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }

    package static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }
}
