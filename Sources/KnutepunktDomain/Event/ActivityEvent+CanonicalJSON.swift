extension ActivityEvent {
    /// The JSON member names of schema 1, in canonical order.
    package static let memberNames =
        [
            "id", "schema", "region", "node", "kind", "date", "municipality", "target_groups", "programmes", "tier",
            "age_bands", "professions", "participants", "families", "sessions", "funding", "note",
        ] + operationalMemberNames

    /// The event as a JSON object in canonical form (see ``canonicalJSON()``).
    package var jsonValue: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id.lowercasedText)
        object["schema"] = .integer(Int64(schema))
        object["region"] = .string(region)
        object["node"] = .string(node)
        object["kind"] = .string(kind)
        object["date"] = .string(date.iso)
        if let municipality { object["municipality"] = .string(municipality) }
        object["target_groups"] = .array(targetGroups.map(JSONValue.string))
        object["programmes"] = .array(programmes.map(JSONValue.string))
        object["tier"] = .string(tier)
        object["age_bands"] = .array(ageBands.map(JSONValue.string))
        object["professions"] = .array(professions.map(JSONValue.string))
        object["participants"] = .integer(Int64(participants))
        object["families"] = .integer(Int64(families))
        object["sessions"] = .integer(Int64(sessions))
        object["funding"] = .string(funding)
        if let note { object["note"] = .string(note) }
        addOperationalMembers(to: &object)
        return .object(object)
    }

    /// Deterministic JSON bytes: members in ``memberNames`` order, compact, lower-case id, lists in the order given,
    /// `municipality`, `note`, `test` and `taxonomy_version` omitted when nil or false. Equal events give equal bytes, and validating these bytes gives
    /// the event back. This is what a node stores in its outbox and sends to the hub.
    package func canonicalJSON() -> [UInt8] {
        jsonValue.serialized()
    }
}
