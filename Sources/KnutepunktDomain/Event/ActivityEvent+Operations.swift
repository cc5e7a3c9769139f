/// The members that say how an event travels rather than what happened: `test` (a dry run the hub keeps apart and
/// never counts), `taxonomy_version` (the hub's taxonomy version the event was checked against) and `trace` (the
/// trace that follows it across the daemons). Both are left
/// out of the canonical form when absent, so an event without them has the bytes of schema 1 as first published and
/// is read by every hub. docs/events.md, "Test events" and "Taxonomy versions".
extension ActivityEvent {
    /// `test`, `taxonomy_version` and `trace`, after the members of what happened.
    package static let operationalMemberNames = ["test", "taxonomy_version", "trace"]

    /// The most fields a `trace` object may hold, and the longest key and value.
    package static let maxTraceFields = 4
    package static let maxTraceKeyCharacters = 64
    package static let maxTraceValueCharacters = 512

    func addOperationalMembers(to object: inout JSONObject) {
        if isTest { object["test"] = .bool(true) }
        if let taxonomyVersion { object["taxonomy_version"] = .integer(Int64(taxonomyVersion)) }
        if !trace.isEmpty {
            var fields = JSONObject()
            for key in trace.keys.sorted() { fields[key] = .string(trace[key]!) }
            object["trace"] = .object(fields)
        }
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

extension EventValidator {
    /// `trace`: an object of up to four text fields, the tracer's propagation fields (`traceparent`, `tracestate`).
    func readTrace(_ check: inout EventCheck) -> [String: String] {
        guard let value = check.value("trace") else { return [:] }
        let rule =
            "trace must be an object of at most \(ActivityEvent.maxTraceFields) text fields (the node fills it in)"
        guard case .object(let object) = value, object.members.count <= ActivityEvent.maxTraceFields else {
            check.report("trace", .wrongType, rule)
            return [:]
        }
        var fields: [String: String] = [:]
        for member in object.members {
            let key = member.key
            guard case .string(let text) = member.value, !key.isEmpty, key.count <= ActivityEvent.maxTraceKeyCharacters,
                text.count <= ActivityEvent.maxTraceValueCharacters,
                text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
            else {
                check.report("trace", .wrongType, rule + ", printable ASCII")
                return [:]
            }
            fields[key] = text
        }
        return fields
    }
}
