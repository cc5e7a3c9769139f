/// The members of a JSON object, in the order written, with unique names.
///
/// Order is kept so that what a coordinator wrote reads back the same way; names are unique because RFC 8259 leaves
/// duplicates undefined and two readers could disagree on which one counts (the parser refuses them).
package struct JSONObject: Sendable, Hashable {
    /// One `"name": value` pair.
    package struct Member: Sendable, Hashable {
        package var key: String
        package var value: JSONValue

        package init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in order.
    package private(set) var members: [Member] = []
    // Position of each key in `members`; derived from `members`, so it never makes equal objects unequal.
    private var positions: [String: Int] = [:]

    package init() {}

    /// An object with these members; a repeated key is a programmer error.
    package init(_ members: [(String, JSONValue)]) {
        for (key, value) in members {
            let inserted = insertNew(key: key, value: value)
            precondition(inserted, "duplicate JSON member name")
        }
    }

    package var count: Int { members.count }
    package var isEmpty: Bool { members.isEmpty }
    package var keys: [String] { members.map(\.key) }

    /// The value of member `key`. Setting nil removes the member; setting a new key appends it.
    package subscript(key: String) -> JSONValue? {
        get { positions[key].map { members[$0].value } }
        set {
            if let position = positions[key] {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    positions = [:]
                    for (index, member) in members.enumerated() { positions[member.key] = index }
                }
            } else if let newValue {
                positions[key] = members.count
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Appends a member unless the key is already present; returns whether it was appended.
    @discardableResult
    package mutating func insertNew(key: String, value: JSONValue) -> Bool {
        guard positions[key] == nil else { return false }
        positions[key] = members.count
        members.append(Member(key: key, value: value))
        return true
    }
}
