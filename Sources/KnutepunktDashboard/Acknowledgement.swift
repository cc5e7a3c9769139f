/// An analyst's acknowledgement of an open gap: who, when, and why. Kept for the record (the audit trail), never
/// edited or deleted; a later acknowledgement of the same gap is shown above the earlier ones.
package struct Acknowledgement: Sendable, Hashable, Codable {
    package var id: Int64
    /// The gap's key (``GapRecord/key``).
    package var gapKey: String
    /// The day the gap was opened: an acknowledgement belongs to one opening, so a gap that closes and opens again
    /// is not shown as acknowledged.
    package var gapOpenedOn: String?
    /// The severity the gap had when it was acknowledged.
    package var severity: String
    package var user: String
    package var role: String
    package var note: String
    /// UTC, ISO 8601 with seconds.
    package var at: String

    package init(
        id: Int64,
        gapKey: String,
        gapOpenedOn: String?,
        severity: String,
        user: String,
        role: String,
        note: String,
        at: String
    ) {
        self.id = id
        self.gapKey = gapKey
        self.gapOpenedOn = gapOpenedOn
        self.severity = severity
        self.user = user
        self.role = role
        self.note = note
        self.at = at
    }

    /// Whether this acknowledgement is about `gap` as it is open now.
    package func covers(_ gap: GapRecordReference) -> Bool {
        gapKey == gap.key && gapOpenedOn == gap.openedOn
    }
}

/// The part of a gap an acknowledgement refers to.
package struct GapRecordReference: Sendable, Hashable {
    package var key: String
    package var openedOn: String?
    package init(key: String, openedOn: String?) {
        self.key = key
        self.openedOn = openedOn
    }
}
