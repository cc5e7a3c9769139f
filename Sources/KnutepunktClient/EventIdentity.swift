import Foundation
import KnutepunktDomain

/// How events a coordinator publishes without an id get one that survives publishing them again, and who the
/// command-line tool says submitted them.
package enum EventIdentity {
    /// Gives every event object without an `id` one, as its first member: a new one for events from a file (which
    /// the caller writes back into the file before sending), or one derived from the event's content for events
    /// from standard input (the same event sent again gets the same id). Returns the events and how many got a new
    /// id to write back.
    package static func identify(_ items: [JSONValue], node: String, fromFile: Bool) -> ([JSONValue], Int) {
        var given = 0
        var occurrences: [[UInt8]: Int] = [:]
        let identified = items.map { item -> JSONValue in
            guard case .object(let object) = item, object["id"] == nil || object["id"] == .null else { return item }
            let id: UUID
            if fromFile {
                id = UUID.timeOrdered()
                given += 1
            } else {
                let content = item.serialized()
                let occurrence = occurrences[content, default: 0]
                occurrences[content] = occurrence + 1
                id = UUID.derived(namespace: "stdin:\(node)", name: content + Array(String(occurrence).utf8))
            }
            var members: [(String, JSONValue)] = [("id", .string(id.lowercasedText))]
            members += object.members.filter { $0.key != "id" }.map { ($0.key, $0.value) }
            return .object(JSONObject(members))
        }
        return (identified, given)
    }

    /// The operating-system user running the tool: who submits, as far as the command line can say.
    package static var operatingSystemUser: String? {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            let user = String(cString: name)
            if !user.isEmpty { return user }
        }
        return ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
