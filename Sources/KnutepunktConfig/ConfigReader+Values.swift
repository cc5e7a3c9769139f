import Yams

// Readers for the value shapes the taxonomy file uses beyond the daemon files': required text and numbers, yes/no,
// lists of mappings and lists of codes. Like the rest of `ConfigReader`, each records a located error and returns
// nil instead of stopping, so one pass finds every mistake.
extension ConfigReader {
    /// Text that must be present and not empty (unless `required` is false, when absence gives nil silently).
    mutating func text(_ mapping: Node.Mapping?, _ name: String, at key: String, required: Bool = true) -> String? {
        guard let value = string(mapping, name, at: key, required: required) else { return nil }
        if mapping?[name]?.null != nil || value.allSatisfy(\.isWhitespace) {
            if required {
                fail(.missingKey, path(key, name), "has no value", fix: "Write a value after \(name):")
            }
            return nil
        }
        return value
    }

    /// A required whole number in `range`; `_` may group digits (`51_980`).
    mutating func wholeNumber(_ mapping: Node.Mapping?, _ name: String, at key: String, range: ClosedRange<Int>) -> Int?
    {
        guard let text = text(mapping, name, at: key) else { return nil }
        guard let value = Int(text.filter { $0 != "_" }), range.contains(value) else {
            fail(
                .invalidValue,
                path(key, name),
                "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"",
                fix: "Write digits only, e.g. \(name): \(range.lowerBound)"
            )
            return nil
        }
        return value
    }

    /// `true`/`false` (also `yes`/`no`); nil when absent and not required.
    mutating func flag(_ mapping: Node.Mapping?, _ name: String, at key: String, required: Bool = false) -> Bool? {
        guard let text = text(mapping, name, at: key, required: required) else { return nil }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default:
            fail(
                .wrongType,
                path(key, name),
                "expected true or false, found \"\(text)\"",
                fix: "Write \(name): true or \(name): false"
            )
            return nil
        }
    }

    /// The items of a list; an empty value counts as an empty list. Nil when absent (reported if `required`) or when
    /// the value is not a list.
    mutating func list(_ mapping: Node.Mapping?, _ name: String, at key: String, required: Bool = true) -> [Node]? {
        guard let mapping else { return nil }
        guard let value = mapping[name] else {
            if required {
                fail(.missingKey, path(key, name), "missing", fix: "Add \(name): to \(key.isEmpty ? "the file" : key)")
            }
            return nil
        }
        if let sequence = value.sequence { return Array(sequence) }
        if value.null != nil { return [] }
        fail(
            .wrongType,
            path(key, name),
            "expected a list",
            fix: "Write the items as a YAML list: one \"- item\" per line, or [A, B] on one line"
        )
        return nil
    }

    /// A list of codes or other short texts, e.g. `tiers: [U, S]`. Items that are not single values are reported.
    mutating func texts(_ mapping: Node.Mapping?, _ name: String, at key: String, required: Bool = true) -> [String]? {
        guard let items = list(mapping, name, at: key, required: required) else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard let scalar = item.scalar, item.null == nil else {
                fail(
                    .wrongType,
                    "\(path(key, name))[\(index)]",
                    "expected a single code",
                    fix: "Write the items as plain codes, e.g. \(name): [A, B]"
                )
                continue
            }
            result.append(scalar.string)
        }
        return result
    }
}
