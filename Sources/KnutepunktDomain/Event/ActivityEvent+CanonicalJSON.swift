extension ActivityEvent {
    /// The JSON member names of schema 1.1, in canonical order.
    package static let memberNames =
        [
            "id", "schema", "version", "based_on", "region", "node", "kind", "date", "municipality", "target_groups",
            "programmes", "tier", "age_bands", "professions", "participants", "families", "sessions", "funding", "note",
            "withdrawn", "withdrawal_reason", "submitted_by", "submitted_at",
        ] + operationalMemberNames

    /// The members schema 1.1 added: an event's version, what it corrects or withdraws, and who submitted it. A
    /// document without them is a schema 1.0 document, and a 1.0 document is version 1 of its event.
    package static let versionMemberNames: Set<String> = [
        "version", "based_on", "withdrawn", "withdrawal_reason", "submitted_by", "submitted_at",
    ]

    /// The members that describe a version rather than the activity (its number, what it is based on, who sent it
    /// and when, and the taxonomy version it was checked against): two versions whose other members are equal say the
    /// same thing.
    package static let bookkeepingMemberNames: Set<String> = [
        "version", "based_on", "submitted_by", "submitted_at", "taxonomy_version", "trace",
    ]

    /// The members of schema 1.0, in canonical order: what a spreadsheet column may be named after (not the members
    /// of how an event travels, ``operationalMemberNames``).
    package static let schemaOneZeroMemberNames = memberNames.filter {
        !versionMemberNames.contains($0) && !operationalMemberNames.contains($0)
    }

    /// The event as a JSON object in canonical form (see ``canonicalJSON()``).
    package var jsonValue: JSONValue {
        var object = JSONObject()
        object["id"] = .string(id.lowercasedText)
        object["schema"] = .integer(Int64(schema))
        if version != 1 { object["version"] = .integer(Int64(version)) }
        if let basedOn { object["based_on"] = .integer(Int64(basedOn)) }
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
        if let withdrawalReason {
            object["withdrawn"] = .bool(true)
            object["withdrawal_reason"] = .string(withdrawalReason)
        }
        if let submittedBy { object["submitted_by"] = .string(submittedBy) }
        if let submittedAt { object["submitted_at"] = .string(submittedAt) }
        addOperationalMembers(to: &object)
        return .object(object)
    }

    /// Deterministic JSON bytes: members in ``memberNames`` order, compact, lower-case id, lists in the order given,
    /// `municipality`, `note` and the version members left out when they do not apply (`version` when it is 1), `test`
    /// unless it is true, `taxonomy_version` when nil. Equal events give equal bytes, and validating these bytes gives
    /// the event back. This is what a node stores in its outbox and sends to the hub. Version 1 of an event without a
    /// submitter, a test flag or a taxonomy version is exactly its schema 1.0 form.
    ///
    /// Written straight to bytes, member by member, without building ``jsonValue`` first (every event takes this path
    /// at the node and again at the hub); the bytes are exactly those of `jsonValue.serialized()`, which the tests
    /// hold it to.
    package func canonicalJSON() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(384 + (note?.utf8.count ?? 0))
        var first = true
        func name(_ key: StaticString) {
            output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            output.append(contentsOf: "\":".utf8)
        }
        func text(_ key: StaticString, _ value: String) {
            name(key)
            JSONValue.writeString(value, to: &output)
        }
        func integer(_ key: StaticString, _ value: Int) {
            name(key)
            JSONValue.writeInteger(Int64(value), to: &output)
        }
        func list(_ key: StaticString, _ values: [String]) {
            name(key)
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(value, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
        text("id", id.lowercasedText)
        integer("schema", schema)
        if version != 1 { integer("version", version) }
        if let basedOn { integer("based_on", basedOn) }
        text("region", region)
        text("node", node)
        text("kind", kind)
        text("date", date.iso)
        if let municipality { text("municipality", municipality) }
        list("target_groups", targetGroups)
        list("programmes", programmes)
        text("tier", tier)
        list("age_bands", ageBands)
        list("professions", professions)
        integer("participants", participants)
        integer("families", families)
        integer("sessions", sessions)
        text("funding", funding)
        if let note { text("note", note) }
        if let withdrawalReason {
            name("withdrawn")
            output.append(contentsOf: "true".utf8)
            text("withdrawal_reason", withdrawalReason)
        }
        if let submittedBy { text("submitted_by", submittedBy) }
        if let submittedAt { text("submitted_at", submittedAt) }
        if isTest {
            name("test")
            output.append(contentsOf: "true".utf8)
        }
        if let taxonomyVersion { integer("taxonomy_version", taxonomyVersion) }
        if !trace.isEmpty {
            name("trace")
            output.append(UInt8(ascii: "{"))
            for (index, key) in trace.keys.sorted().enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                JSONValue.writeString(trace[key]!, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// A stored or received event document without its bookkeeping members (``bookkeepingMemberNames``): what two
    /// versions are compared by ("the same content"). Works on the document as written, without validating it, so
    /// that a version stored under an older taxonomy still compares; nil when the bytes are not a JSON object.
    package static func comparableContent(ofPayload payload: [UInt8]) -> [UInt8]? {
        guard case .object(let object)? = try? JSONValue.parse(payload) else { return nil }
        return comparableContent(of: object).serialized()
    }

    /// An event object without its bookkeeping members.
    package static func comparableContent(of object: JSONObject) -> JSONValue {
        var content = object
        for name in bookkeepingMemberNames { content[name] = nil }
        return .object(content)
    }

    /// A payload as a node of schema 1.0 would have written it: the submitter members removed, for a hub that
    /// speaks only KPN/1.0 (see docs/protocol.md, "Versioning"). Only version 1 has a 1.0 form: for a correction or
    /// a withdrawal (or bytes that are not an object) it returns nil, and the payload goes as it is.
    package static func schemaOneZeroPayload(_ payload: [UInt8]) -> [UInt8]? {
        guard case .object(var object)? = try? JSONValue.parse(payload) else { return nil }
        let versioned = ["version", "based_on", "withdrawn", "withdrawal_reason"].contains { object[$0] != nil }
        guard !versioned else { return nil }
        object["submitted_by"] = nil
        object["submitted_at"] = nil
        return JSONValue.object(object).serialized()
    }
}
