/// A JSON value as RFC 8259 defines it, parsed strictly and serialised compactly.
///
/// Integers stay exact: a number written without fraction or exponent that fits in 64 bits is ``integer(_:)``;
/// every other number is ``double(_:)``. Objects keep their members in the order written (see ``JSONObject``), so
/// what a coordinator wrote can be shown back in that order.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int64` (`-0` is `integer(0)`).
    case integer(Int64)
    /// Any other number; always finite when parsed.
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The deepest nesting of arrays and objects ``parse(_:)`` accepts. Events are two levels deep; the bound keeps a
    /// hostile payload from exhausting the stack of the recursive parser.
    package static let maxDepth = 64

    /// The members of an object, or nil.
    package var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The text of a string, or nil.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements of an array, or nil.
    package var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The member `key` of an object; nil for a missing member or a value that is not an object.
    package subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// The event's `"id"` member if it is a string that is safe to show back: at most 64 characters and free of
    /// personal identity numbers (an id is echoed in SUBMIT_RESULT even when the event is refused).
    package var idText: String? {
        guard let text = self["id"]?.stringValue, text.utf8.count <= 64 * 4, text.count <= 64,
            PersonalDataGuard.findings(in: text).isEmpty
        else { return nil }
        return text
    }

    /// A short name for the JSON type, for messages ("a string", "an array").
    package var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
