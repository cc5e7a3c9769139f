import Foundation

/// A local node's monthly return ("månedsrapport", DOMAIN.md §6): a coordinator says that the activities the hub
/// holds for the node and month are all of them (`complete`), or that there were none (`nil`), or takes such a
/// statement back (`reopened`, with a reason). docs/events.md, "Monthly returns", describes the JSON form.
///
/// A return travels like an event — numbered in the node's outbox, sent in EVENT messages, stored exactly once and
/// acknowledged after the hub's commit — but it is never an activity: the hub keeps it in a table of its own and no
/// counter, rule or export counts it as one. Its id is derived from the node and the month, so every version of
/// the return for one node and month is a version of the same record: making it again, reopening it and making it
/// once more are versions 1, 2, 3, each based on the one before.
package struct MonthlyReturn: Sendable, Hashable {
    /// What a version of a return says.
    package enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        /// The activities the hub holds for the month are all of them.
        case complete
        /// No activities this month (a nil return is a report).
        case `nil`
        /// The return is taken back: the month is open again and no return counts for it until a later version.
        case reopened

        /// Whether a return in this state counts as received.
        package var isReceived: Bool { self != .reopened }
    }

    /// The value of the `record` member that marks a document as a return rather than an activity event.
    package static let recordName = "monthly_return"
    /// The member names, in canonical order.
    package static let memberNames = [
        "record", "id", "schema", "version", "based_on", "region", "node", "month", "status", "reason",
        "submitted_by", "submitted_at",
    ]

    package var id: UUID
    package var version: Int
    package var basedOn: Int?
    package var region: String
    /// The local node the return is for.
    package var node: String
    package var month: ReportingMonth
    package var status: Status
    /// Why a return was reopened (required then, absent otherwise); one line, no personal data.
    package var reason: String?
    package var submittedBy: String?
    package var submittedAt: String?

    package init(
        region: String,
        node: String,
        month: ReportingMonth,
        status: Status,
        reason: String? = nil,
        version: Int = 1,
        basedOn: Int? = nil,
        submittedBy: String? = nil,
        submittedAt: String? = nil
    ) {
        self.id = Self.id(node: node, month: month)
        self.version = version
        self.basedOn = basedOn
        self.region = region
        self.node = node
        self.month = month
        self.status = status
        self.reason = reason
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
    }

    /// The id of every version of the return of `node` for `month`.
    package static func id(node: String, month: ReportingMonth) -> UUID {
        UUID.derived(namespace: "knutepunkt.monthly-return", name: Array("\(node)/\(month.text)".utf8))
    }

    /// Whether a parsed document is a return (it says `"record": "monthly_return"`), not an activity event.
    package static func isReturn(_ object: JSONValue) -> Bool {
        object["record"]?.stringValue == recordName
    }

    /// The canonical JSON object: members in ``memberNames`` order, absent ones left out.
    package var jsonValue: JSONValue {
        var object = JSONObject()
        object["record"] = .string(Self.recordName)
        object["id"] = .string(id.lowercasedText)
        object["schema"] = .integer(1)
        object["version"] = .integer(Int64(version))
        if let basedOn { object["based_on"] = .integer(Int64(basedOn)) }
        object["region"] = .string(region)
        object["node"] = .string(node)
        object["month"] = .string(month.text)
        object["status"] = .string(status.rawValue)
        if let reason { object["reason"] = .string(reason) }
        if let submittedBy { object["submitted_by"] = .string(submittedBy) }
        if let submittedAt { object["submitted_at"] = .string(submittedAt) }
        return .object(object)
    }

    /// Deterministic JSON bytes: what the node stores, sends and the hub keeps.
    package func canonicalJSON() -> [UInt8] { jsonValue.serialized() }

    /// What the node does with a coordinator's return, given the latest version it holds of the same record: the
    /// same statement again is nothing new (unless the hub refused it); anything else is the next version, based on
    /// the one held.
    package static func nextVersion(
        of status: Status,
        head: (version: Int, status: Status, refused: Bool)?
    ) -> (version: Int, basedOn: Int?)? {
        guard let head else { return status == .reopened ? nil : (1, nil) }
        if head.status == status, !head.refused { return nil }
        return (head.version + 1, head.version)
    }
}
