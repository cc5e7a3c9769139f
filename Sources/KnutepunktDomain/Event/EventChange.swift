/// One member that differs between two versions of an event: what a correction changed, as a coordinator reads it.
package struct EventChange: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The member name (`participants`, `target_groups`, `withdrawn`).
    package var field: String
    /// The value before, as text (lists joined with `|`); nil when the member was absent.
    package var before: String?
    /// The value after, as text; nil when the member is absent now.
    package var after: String?

    package init(field: String, before: String?, after: String?) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// `participants 14 → 16`, `note (none) → "…"`.
    package var description: String {
        "\(field) \(before ?? "(none)") → \(after ?? "(none)")"
    }

    /// The members that differ between two event documents, in canonical member order, bookkeeping members
    /// (``ActivityEvent/bookkeepingMemberNames``) left out. Works on the documents as written, so any two stored
    /// versions compare, whatever taxonomy was in force when each was stored.
    package static func between(_ before: JSONValue, _ after: JSONValue) -> [EventChange] {
        let old = before.objectValue ?? JSONObject()
        let new = after.objectValue ?? JSONObject()
        var names = ActivityEvent.memberNames.filter { !ActivityEvent.bookkeepingMemberNames.contains($0) }
        for name in old.keys + new.keys
        where !names.contains(name) && !ActivityEvent.bookkeepingMemberNames.contains(name) {
            names.append(name)
        }
        var changes: [EventChange] = []
        for name in names where old[name] != new[name] {
            changes.append(EventChange(field: name, before: old[name].map(text), after: new[name].map(text)))
        }
        return changes
    }

    /// The members that differ between two event payloads; empty when either is not a JSON object.
    package static func between(payload before: [UInt8], _ after: [UInt8]) -> [EventChange] {
        guard let old = try? JSONValue.parse(before), let new = try? JSONValue.parse(after) else { return [] }
        return between(old, new)
    }

    /// A short list for a sentence: `participants 14 → 16, note`; at most `limit` changes named in full.
    package static func summary(_ changes: [EventChange], limit: Int = 4) -> String {
        guard !changes.isEmpty else { return "nothing" }
        var parts = changes.prefix(limit).map(\.description)
        if changes.count > limit { parts.append("and \(changes.count - limit) more") }
        return parts.joined(separator: ", ")
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "yes" : "no"
        case .integer(let number): String(number)
        case .double(let number): String(number)
        case .string(let text): text
        case .array(let items): items.map(text).joined(separator: "|")
        case .object: value.serializedText
        }
    }
}
