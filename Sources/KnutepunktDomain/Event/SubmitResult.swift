/// The node's answer for one submitted event, an element of the SUBMIT_RESULT body (docs/protocol.md).
///
/// JSON keys: `index`, `id`, `status`, `sequence`, `existing`, `reason`, `issues`, and since KPC/1 with versions,
/// `version`, `basedOn`, `changes`. Absent optionals are left out;
/// `existing` is always written and read as false when missing.
package struct SubmitResult: Sendable, Hashable, Codable {
    /// Where the event stands.
    package enum Status: String, Sendable, Hashable, Codable {
        /// In the node's outbox, not yet settled at the hub.
        case queued
        /// Stored at the hub.
        case delivered
        /// The hub refused it (NACK); `reason` says why.
        case rejected
        /// The node refused it; nothing was stored; `issues` lists every problem.
        case invalid
    }

    /// Position of the event in the request, from 0.
    package var index: Int
    /// The event's id; absent if it had none that could be read (or none safe to repeat).
    package var id: String?
    package var status: Status
    /// The outbox sequence; absent for `invalid`.
    package var sequence: UInt64?
    /// True when the node already held this id and stored nothing new.
    package var existing: Bool
    /// For `rejected`: the hub's reason name and detail.
    package var reason: String?
    /// For `invalid`: every problem found.
    package var issues: [ValidationIssue]?
    /// The version this result is about: the one stored, or, with `existing`, the one the node already held.
    package var version: Int?
    /// For a correction or withdrawal: the version it is based on.
    package var basedOn: Int?
    /// For a correction or withdrawal: what it changed relative to the version it is based on.
    package var changes: [EventChange]?
    /// With `existing`, when the version held is an older one: the event's latest version.
    package var latest: Int?

    package init(index: Int, id: String?, status: Status, issues: [ValidationIssue]? = nil) {
        self.index = index
        self.id = id
        self.status = status
        self.issues = issues
        self.existing = false
    }

    private enum CodingKeys: String, CodingKey {
        case index, id, status, sequence, existing, reason, issues, version, basedOn, changes, latest
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        index = try container.decode(Int.self, forKey: .index)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        status = try container.decode(Status.self, forKey: .status)
        sequence = try container.decodeIfPresent(UInt64.self, forKey: .sequence)
        existing = try container.decodeIfPresent(Bool.self, forKey: .existing) ?? false
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        issues = try container.decodeIfPresent([ValidationIssue].self, forKey: .issues)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        basedOn = try container.decodeIfPresent(Int.self, forKey: .basedOn)
        changes = try container.decodeIfPresent([EventChange].self, forKey: .changes)
        latest = try container.decodeIfPresent(Int.self, forKey: .latest)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(sequence, forKey: .sequence)
        try container.encode(existing, forKey: .existing)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(issues, forKey: .issues)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encodeIfPresent(basedOn, forKey: .basedOn)
        try container.encodeIfPresent(changes, forKey: .changes)
        try container.encodeIfPresent(latest, forKey: .latest)
    }
}
