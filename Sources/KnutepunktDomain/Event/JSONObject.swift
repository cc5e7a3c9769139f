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
    /// Position of each key in `members`, kept only for objects with more than ``indexThreshold`` members: an
    /// event has under twenty, and comparing that many short names beats hashing each one (the parser and the
    /// validator look up every member of every event). Derived from `members`, so equality ignores it.
    private var positions: [String: Int]?
    private static let indexThreshold = 32

    package init() {}

    /// An object with these members; a repeated key is a programmer error.
    package init(_ members: [(String, JSONValue)]) {
        self.members.reserveCapacity(members.count)
        for (key, value) in members {
            let inserted = insertNew(key: key, value: value)
            precondition(inserted, "duplicate JSON member name")
        }
    }

    package var count: Int { members.count }
    package var isEmpty: Bool { members.isEmpty }
    package var keys: [String] { members.map(\.key) }

    private func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        // Comparing lengths first (stored in the string, no scan) skips nearly every other member cheaply: the
        // validator looks up every schema member and the parser checks each new name against those before it.
        let length = key.utf8.count
        return members.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    private mutating func append(_ member: Member) {
        members.append(member)
        if positions != nil {
            positions?[member.key] = members.count - 1
        } else if members.count > Self.indexThreshold {
            reindex()
        }
    }

    private mutating func reindex() {
        guard members.count > Self.indexThreshold else {
            positions = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { index[member.key] = position }
        positions = index
    }

    /// The value of member `key`. Setting nil removes the member; setting a new key appends it.
    package subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    reindex()
                }
            } else if let newValue {
                append(Member(key: key, value: newValue))
            }
        }
    }

    /// Appends a member unless the key is already present; returns whether it was appended.
    @discardableResult
    package mutating func insertNew(key: String, value: JSONValue) -> Bool {
        guard position(of: key) == nil else { return false }
        append(Member(key: key, value: value))
        return true
    }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool { lhs.members == rhs.members }

    package func hash(into hasher: inout Hasher) { hasher.combine(members) }
}
