/// The members that say how an event travels rather than what happened: `test` (a dry run the hub keeps apart and
/// never counts) and `taxonomy_version` (the hub's taxonomy version the event was checked against). Both are left
/// out of the canonical form when absent, so an event without them has the bytes of schema 1 as first published and
/// is read by every hub. docs/events.md, "Test events" and "Taxonomy versions".
extension ActivityEvent {
    /// `test` and `taxonomy_version`, after the members of what happened.
    package static let operationalMemberNames = ["test", "taxonomy_version"]

    func addOperationalMembers(to object: inout JSONObject) {
        if isTest { object["test"] = .bool(true) }
        if let taxonomyVersion { object["taxonomy_version"] = .integer(Int64(taxonomyVersion)) }
    }
}

extension EventValidator {
    /// `test`: `true` or `false` (the same as leaving it out).
    func readTest(_ check: inout EventCheck) -> Bool {
        guard let value = check.value("test") else { return false }
        guard case .bool(let flag) = value else {
            check.report(
                "test",
                .wrongType,
                "test must be true (a dry run, never counted) or false, not \(value.typeDescription)"
            )
            return false
        }
        return flag
    }

    /// `taxonomy_version`: a whole number from 1, which the node writes; a coordinator leaves it out.
    func readTaxonomyVersion(_ check: inout EventCheck) -> Int? {
        guard let value = check.value("taxonomy_version") else { return nil }
        guard case .integer(let number) = value, number >= 1, number <= Int64(Int32.max) else {
            check.report(
                "taxonomy_version",
                .wrongType,
                "taxonomy_version must be a whole number from 1 (the node fills it in; leave it out)"
            )
            return nil
        }
        return Int(number)
    }
}
