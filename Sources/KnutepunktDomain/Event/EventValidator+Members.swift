import Foundation

// One reader per member of schema 1. Each reports its problems into the check and returns the value only when it is
// entirely valid, so `validate` can build the event exactly when no issue was found.
extension EventValidator {
    func readSchema(_ check: inout EventCheck) -> Int? {
        guard let value = check.value("schema") else { return nil }
        guard case .integer(let number) = value else {
            check.report(
                "schema",
                .wrongType,
                "schema must be the number 1 (or be left out), not \(value.typeDescription)"
            )
            return nil
        }
        if number == Int64(ActivityEvent.currentSchema) { return ActivityEvent.currentSchema }
        let shown = number.magnitude < 100_000 ? "schema \(number) is" : "that schema version is"
        check.report(
            "schema",
            .unsupportedSchema,
            "\(shown) not supported; this release reads schema \(ActivityEvent.currentSchema) (docs/events.md)"
        )
        return Int(clamping: number)
    }

    func readID(_ check: inout EventCheck, defaults: EventDefaults) -> UUID? {
        let example = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
        let leaveOut = defaults.makeID == nil ? "" : ", or leave id out to have the node make one"
        guard let value = check.value("id") else {
            if defaults.makeID == nil {
                check.report("id", .missingField, "id is required here: a UUID such as \(example)")
            }
            return nil
        }
        guard case .string(let text) = value else {
            check.report("id", .wrongType, "id must be a UUID written as a string, e.g. \"\(example)\"\(leaveOut)")
            return nil
        }
        guard let id = Self.parseUUID(text) else {
            check.report(
                "id",
                .invalidID,
                "id must be a UUID: 32 hexadecimal digits grouped 8-4-4-4-12, e.g. \(example)\(leaveOut)"
            )
            return nil
        }
        guard id != UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) else {
            check.report("id", .invalidID, "the nil UUID (all zeros) cannot identify an event\(leaveOut)")
            return nil
        }
        return id
    }

    func readRegion(_ check: inout EventCheck, defaults: EventDefaults) -> String? {
        // Messages are composed only for a problem: the valid path is every event's.
        var allowed: String { taxonomy.codes(of: .region).joined(separator: ", ") }
        guard let value = check.value("region") else {
            guard let region = defaults.region else {
                check.report("region", .missingField, "region is required: one of \(allowed)")
                return nil
            }
            guard taxonomy.contains(region, in: .region) else {
                check.report(
                    "region",
                    .unknownCode,
                    "this node's configured region \(Self.quoted(region)) is not in the taxonomy "
                        + "(allowed: \(allowed)); "
                        + "the node's configuration must be fixed"
                )
                return nil
            }
            return region
        }
        guard let region = readCodeText("region", value, &check) else { return nil }
        guard taxonomy.contains(region, in: .region) else {
            check.report("region", .unknownCode, unknownCodeMessage(region, .region))
            return nil
        }
        if let expected = defaults.region, region != expected {
            check.report(
                "region",
                .regionMismatch,
                "this node reports for region \(expected) only, not \(region); leave region out or write \(expected)"
            )
            return nil
        }
        return region
    }

    func readNode(_ check: inout EventCheck, region: String?, defaults: EventDefaults) -> String? {
        var candidates: [String] {
            region.map { taxonomy.nodes(inRegion: $0).map(\.code) } ?? taxonomy.codes(of: .node)
        }
        let node: String
        let defaulted: Bool
        if let value = check.value("node") {
            guard let text = readCodeText("node", value, &check) else { return nil }
            node = text
            defaulted = false
        } else {
            guard let fallback = defaults.node else {
                let which = region.map { " of \($0)" } ?? ""
                check.report(
                    "node",
                    .missingField,
                    "node is required: the local node\(which) that did the activity, one of "
                        + candidates.joined(separator: ", ")
                )
                return nil
            }
            node = fallback
            defaulted = true
        }
        guard let localNode = taxonomy.node(node) else {
            if defaulted {
                check.report(
                    "node",
                    .unknownCode,
                    "this node's default local node \(Self.quoted(node)) is not in the taxonomy; name the node in the "
                        + "event (one of \(candidates.joined(separator: ", "))) or fix the node's configuration"
                )
            } else {
                check.report("node", .unknownCode, unknownCodeMessage(node, .node, allowed: candidates))
            }
            return nil
        }
        if let region, localNode.region != region {
            let source = defaulted ? "this node's default local node \(node)" : "node \(node)"
            check.report(
                "node",
                .nodeNotInRegion,
                "\(source) belongs to region \(localNode.region), not \(region); the local nodes of \(region) are "
                    + candidates.joined(separator: ", ")
            )
            return nil
        }
        return node
    }

    func readCode(_ name: String, _ vocabulary: Taxonomy.Vocabulary, _ check: inout EventCheck) -> String? {
        guard let value = check.value(name) else {
            check.report(
                name,
                .missingField,
                "\(name) is required: one of \(taxonomy.codes(of: vocabulary).joined(separator: ", "))"
            )
            return nil
        }
        guard let code = readCodeText(name, value, &check) else { return nil }
        guard taxonomy.contains(code, in: vocabulary) else {
            check.report(name, .unknownCode, unknownCodeMessage(code, vocabulary))
            return nil
        }
        return code
    }

    func readCodeList(
        _ name: String,
        _ vocabulary: Taxonomy.Vocabulary,
        required: Bool,
        _ check: inout EventCheck
    ) -> [String]? {
        var noun: String { Self.noun(vocabulary) }
        guard let value = check.value(name) else {
            guard required else { return [] }
            check.report(
                name,
                .missingField,
                "\(name) is required: a list of at least one \(noun), "
                    + "e.g. [\"\(taxonomy.codes(of: vocabulary).first ?? "…")\"]"
            )
            return nil
        }
        guard case .array(let items) = value else {
            let example =
                value.stringValue.flatMap { Self.isShowable($0) ? $0 : nil }
                ?? taxonomy.codes(of: vocabulary).first ?? "…"
            check.report(
                name,
                .wrongType,
                "\(name) must be a list (JSON array) of \(noun) codes, e.g. [\"\(example)\"], "
                    + "not \(value.typeDescription)"
            )
            return nil
        }
        guard items.count <= Self.maxListItems else {
            check.report(
                name,
                .tooManyItems,
                "\(name) has \(items.count) items; at most \(Self.maxListItems) are allowed"
            )
            return nil
        }
        if items.isEmpty {
            guard required else { return [] }
            check.report(
                name,
                .emptyList,
                "\(name) needs at least one \(noun): one or more of "
                    + taxonomy.codes(of: vocabulary).joined(separator: ", ")
            )
            return nil
        }
        var codes: [String] = []
        codes.reserveCapacity(items.count)
        // At most `maxListItems` short codes: a linear search costs less than hashing them.
        var seen: [String] = []
        var valid = true
        for (index, item) in items.enumerated() {
            var field: String { "\(name)[\(index)]" }
            guard case .string(let text) = item else {
                check.report(
                    field,
                    .wrongType,
                    "each item of \(name) must be a \(noun) code written as a string, not \(item.typeDescription)"
                )
                valid = false
                continue
            }
            guard checkShortText(text, field: field, &check) else {
                valid = false
                continue
            }
            guard !seen.contains(text) else {
                check.report(
                    field,
                    .duplicateCode,
                    "\(Self.quoted(text)) is already listed in \(name); list each code once"
                )
                valid = false
                continue
            }
            seen.append(text)
            guard taxonomy.contains(text, in: vocabulary) else {
                check.report(field, .unknownCode, unknownCodeMessage(text, vocabulary))
                valid = false
                continue
            }
            codes.append(text)
        }
        if vocabulary == .targetGroup, seen.contains(Self.universalTargetGroup), items.count > 1 {
            check.report(
                name,
                .exclusiveCode,
                "\(Self.universalTargetGroup) (everyone) stands alone: list either \(Self.universalTargetGroup) or the "
                    + "specific target groups, not both"
            )
            valid = false
        }
        return valid ? codes : nil
    }

    func readCount(_ name: String, _ check: inout EventCheck) -> Int? {
        let range = "a whole number from 0 to 1,000,000"
        guard let value = check.value(name) else {
            check.report(name, .missingField, "\(name) is required: \(range)")
            return nil
        }
        switch value {
        case .integer(let number):
            if number < Self.countRange.lowerBound {
                check.report(name, .negativeCount, "\(name) cannot be negative: \(range)")
                return nil
            }
            if number > Self.countRange.upperBound {
                check.report(name, .countOutOfRange, "\(name) is larger than allowed: \(range)")
                return nil
            }
            return Int(number)
        case .double:
            check.report(name, .wrongType, "\(name) must be \(range), written without decimals or exponent")
        case .string:
            check.report(name, .wrongType, "\(name) must be a number (\(range)), not text")
        default:
            check.report(name, .wrongType, "\(name) must be \(range), not \(value.typeDescription)")
        }
        return nil
    }

    func readDate(_ check: inout EventCheck, today: LocalDate) -> LocalDate? {
        guard let value = check.value("date") else {
            check.report("date", .missingField, "date is required: the day the activity took place, written YYYY-MM-DD")
            return nil
        }
        guard case .string(let text) = value else {
            check.report(
                "date",
                .wrongType,
                "date must be text written YYYY-MM-DD, e.g. \"2026-03-12\", not \(value.typeDescription)"
            )
            return nil
        }
        guard let date = LocalDate(iso: text) else {
            if Self.hasDateShape(text) {
                check.report(
                    "date",
                    .badDate,
                    "date names a day that does not exist (check the month's length and 29 February in leap years)"
                )
            } else {
                check.report(
                    "date",
                    .badDate,
                    "date must be written YYYY-MM-DD (four-digit year, two-digit month and day), e.g. 2026-03-12"
                )
            }
            return nil
        }
        if date < Self.earliestDate {
            check.report("date", .dateOutOfRange, "date must be \(Self.earliestDate.iso) or later")
            return nil
        }
        let latest = LocalDate(daysSinceEpoch: today.daysSinceEpoch + Self.futureToleranceDays) ?? today
        if date > latest {
            check.report(
                "date",
                .dateOutOfRange,
                "date is in the future; report activities that have taken place (the latest date accepted now is "
                    + "\(latest.iso))"
            )
            return nil
        }
        return date
    }

    func readMunicipality(_ check: inout EventCheck) -> String? {
        guard let value = check.value("municipality") else { return nil }
        let allowed =
            "a 4-digit municipality number written as text: a Norwegian kommunenummer such as \"4601\" "
            + "(Bergen) or a Swedish kommunkod such as \"1480\" (Göteborg)"
        guard case .string(let text) = value else {
            let hint =
                value.typeDescription == "a number" ? " (as text, so a leading zero such as in \"0301\" survives)" : ""
            check.report("municipality", .wrongType, "municipality must be \(allowed)\(hint)")
            return nil
        }
        guard text.utf8.count == 4, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            check.report("municipality", .invalidMunicipality, "municipality must be \(allowed)")
            return nil
        }
        return text
    }

    func readNote(_ check: inout EventCheck) -> String? {
        guard let value = check.value("note") else { return nil }
        guard case .string(let text) = value else {
            check.report(
                "note",
                .wrongType,
                "note must be text (at most \(Self.maxNoteCharacters) characters), not \(value.typeDescription)"
            )
            return nil
        }
        var valid = true
        if Self.hasControlCharacter(text) {
            check.report(
                "note",
                .controlCharacter,
                "note must be one line of plain text: no line breaks, tabs, other control characters or direction marks"
            )
            valid = false
        }
        // Characters are never more than UTF-8 bytes: count them only when the bytes could be too many.
        let length = text.utf8.count > Self.maxNoteCharacters ? text.count : 0
        if length > Self.maxNoteCharacters {
            check.report(
                "note",
                .noteTooLong,
                "note has \(length) characters; at most \(Self.maxNoteCharacters) are allowed"
            )
            valid = false
        }
        return valid ? text : nil
    }

    private static let knownMembers = Set(ActivityEvent.memberNames)

    private static let memberList = ActivityEvent.memberNames.joined(separator: ", ")

    func reportUnknownMembers(_ check: inout EventCheck) {
        let list = Self.memberList
        for (index, member) in check.object.members.enumerated() where !Self.knownMembers.contains(member.key) {
            guard !check.isFull else {
                check.omitted += 1
                continue
            }
            let field = Self.fieldName(member.key, position: index + 1)
            var message = "event schema \(ActivityEvent.currentSchema) has no such member"
            if let suggestion = NearestName.suggest(member.key, from: ActivityEvent.memberNames) {
                message += "; did you mean \"\(suggestion)\"?"
            }
            check.report(field, .unknownField, message + " Members are: \(list)")
        }
    }

    // MARK: - Shared pieces

    /// The target group that means "everyone" and may not be combined with others.
    static let universalTargetGroup = "ALL"

    /// A code given as a JSON string, within length, without control characters; reports and returns nil otherwise.
    func readCodeText(_ name: String, _ value: JSONValue, _ check: inout EventCheck) -> String? {
        guard case .string(let text) = value else {
            check.report(name, .wrongType, "\(name) must be a code written as a string, not \(value.typeDescription)")
            return nil
        }
        return checkShortText(text, field: name, &check) ? text : nil
    }

    func checkShortText(_ text: String, field: @autoclosure () -> String, _ check: inout EventCheck) -> Bool {
        let bytes = text.utf8.count
        if bytes > Self.maxCodeCharacters * 4 || (bytes > Self.maxCodeCharacters && text.count > Self.maxCodeCharacters)
        {
            check.report(
                field(),
                .textTooLong,
                "\(field()) is too long for a code: at most \(Self.maxCodeCharacters) characters"
            )
            return false
        }
        if Self.hasControlCharacter(text) {
            check.report(
                field(),
                .controlCharacter,
                "\(field()) holds a control character; codes are plain text such as \"PND\""
            )
            return false
        }
        return true
    }

    func unknownCodeMessage(_ code: String, _ vocabulary: Taxonomy.Vocabulary, allowed: [String]? = nil) -> String {
        let allowed = allowed ?? taxonomy.codes(of: vocabulary)
        if vocabulary == .profession, let members = taxonomy.professionGroups[code] {
            return "\(code) is a group of professions (\(members.joined(separator: ", "))) used by the gap rules; "
                + "list the professions themselves"
        }
        var message = "\(Self.quoted(code)) is not \(Self.article(Self.noun(vocabulary))) in the taxonomy"
        if let suggestion = NearestName.suggest(code, from: allowed) {
            message += "; did you mean \(suggestion)?"
        }
        return message + " Allowed: \(allowed.joined(separator: ", ")) (Configs/taxonomy.yaml)"
    }

    static func noun(_ vocabulary: Taxonomy.Vocabulary) -> String {
        switch vocabulary {
        case .kind: "activity kind"
        case .targetGroup: "target group"
        case .tier: "tier"
        case .ageBand: "age band"
        case .profession: "profession"
        case .funding: "funding code"
        case .programme: "programme"
        case .region: "region"
        case .node: "local node"
        }
    }

    static func article(_ noun: String) -> String {
        guard let first = noun.first else { return noun }
        return ("aeiou".contains(first) ? "an " : "a ") + noun
    }

    static func hasDateShape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else { return false }
        for (index, byte) in bytes.enumerated() {
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if index == 4 || index == 7 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !isDigit {
                return false
            }
        }
        return true
    }

    /// Strict textual UUID: 8-4-4-4-12 hexadecimal digits, either case.
    static func parseUUID(_ text: String) -> UUID? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                let isHex =
                    (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
                guard isHex else { return nil }
            }
        }
        func nibble(_ byte: UInt8) -> UInt8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: byte - UInt8(ascii: "A") + 10
            }
        }
        var value = [UInt8](repeating: 0, count: 16)
        var position = 0
        var index = 0
        while index < 36 {
            if index == 8 || index == 13 || index == 18 || index == 23 { index += 1 }
            value[position] = nibble(bytes[index]) << 4 | nibble(bytes[index + 1])
            position += 1
            index += 2
        }
        return UUID(
            uuid: (
                value[0], value[1], value[2], value[3], value[4], value[5], value[6], value[7],
                value[8], value[9], value[10], value[11], value[12], value[13], value[14], value[15]
            )
        )
    }
}
