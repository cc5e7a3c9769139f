import Foundation

/// Turns a submitted JSON object into an ``ActivityEvent`` or a list of every problem with it.
///
/// It never stops at the first problem: a coordinator fixing a spreadsheet wants them all at once. The node runs it
/// before storing anything (with its ``EventDefaults``), the hub again on receipt (with ``EventDefaults/hub``). The
/// privacy guard looks at every string and member name in the object, known member or not. docs/events.md is the
/// user-facing description of every rule here.
package struct EventValidator: Sendable {
    /// The codes events are checked against.
    package let taxonomy: Taxonomy

    /// Counts (`participants`, `families`, `sessions`) lie in this range.
    package static let countRange: ClosedRange<Int64> = 0...1_000_000
    /// The longest `note`, in characters.
    package static let maxNoteCharacters = 280
    /// The longest code or other short text, in characters.
    package static let maxCodeCharacters = 64
    /// The most items in one list.
    package static let maxListItems = 64
    /// The earliest date an event may have.
    package static let earliestDate = LocalDate(year: 2000, month: 1, day: 1)!
    /// How many days past `today` a date may lie (an event dated tomorrow in another time zone is today here).
    package static let futureToleranceDays = 1
    /// The highest version number an event may reach.
    package static let maxVersion = 1_000_000
    /// The longest `submitted_by`, in characters.
    package static let maxSubmitterCharacters = 64
    /// The most issues reported for one event (then one more says how many were left out); identity-number
    /// findings are always kept.
    package static let maxIssues = 100

    package init(taxonomy: Taxonomy) {
        self.taxonomy = taxonomy
    }

    /// Checks `value` against schema 1, the taxonomy and the privacy guard, filling in `defaults`.
    ///
    /// - Parameter today: the receiver's calendar date (``LocalDate/today(now:)``); dates after `today + 1` are
    ///   refused.
    package func validate(
        _ value: JSONValue,
        defaults: EventDefaults,
        today: LocalDate
    ) -> Result<ActivityEvent, ValidationFailure> {
        guard case .object(let object) = value else {
            var issues = privacyIssues(in: value, path: ValidationIssue.wholeEvent)
            issues.append(
                ValidationIssue(
                    field: ValidationIssue.wholeEvent,
                    code: .notAnObject,
                    message: "an event must be a JSON object ({\"kind\": …, \"date\": …}), "
                        + "not \(value.typeDescription)"
                )
            )
            return .failure(ValidationFailure(issues: issues))
        }
        var check = EventCheck(object: object)
        // Identity numbers first: they matter most, and the hub's NACK reason depends on them.
        check.issues = privacyIssues(in: object)

        let schema = readSchema(&check)
        if let schema, schema != ActivityEvent.currentSchema {
            // Another version's members mean other things: listing them as unknown would only confuse.
            return .failure(ValidationFailure(issues: check.issues))
        }
        let id = readID(&check, defaults: defaults)
        let (version, basedOn) = readVersion(&check)
        let withdrawalReason = readWithdrawal(&check, basedOn: basedOn)
        let submittedBy = readSubmittedBy(&check)
        let submittedAt = readSubmittedAt(&check)
        let region = readRegion(&check, defaults: defaults)
        let node = readNode(&check, region: region, defaults: defaults)
        let kind = readCode("kind", .kind, &check)
        let date = readDate(&check, today: today)
        let municipality = readMunicipality(&check)
        let targetGroups = readCodeList("target_groups", .targetGroup, required: true, &check)
        let programmes = readCodeList("programmes", .programme, required: false, &check)
        let tier = readCode("tier", .tier, &check)
        let ageBands = readCodeList("age_bands", .ageBand, required: true, &check)
        let professions = readCodeList("professions", .profession, required: true, &check)
        let participants = readCount("participants", &check)
        let families = readCount("families", &check)
        let sessions = readCount("sessions", &check)
        let funding = readCode("funding", .funding, &check)
        let note = readNote(&check)
        let isTest = readTest(&check)
        let taxonomyVersion = readTaxonomyVersion(&check)
        let trace = readTrace(&check)
        reportUnknownMembers(&check)
        reportRetiredCodes(
            &check,
            on: date,
            [
                ("region", .region, region.map { [$0] }, false), ("node", .node, node.map { [$0] }, false),
                ("kind", .kind, kind.map { [$0] }, false), ("target_groups", .targetGroup, targetGroups, true),
                ("programmes", .programme, programmes, true), ("tier", .tier, tier.map { [$0] }, false),
                ("age_bands", .ageBand, ageBands, true), ("professions", .profession, professions, true),
                ("funding", .funding, funding.map { [$0] }, false),
            ]
        )

        guard check.issues.isEmpty, let region, let node, let kind, let date, let targetGroups, let programmes,
            let tier, let ageBands, let professions, let participants, let families, let sessions, let funding
        else {
            return .failure(ValidationFailure(issues: Self.capped(check.issues, omitted: check.omitted)))
        }
        guard let eventID = id ?? defaults.makeID?() else {
            // readID reports a missing id when there is no generator, so this is unreachable; stay total anyway.
            return .failure(
                ValidationFailure(issues: [
                    ValidationIssue(field: "id", code: .missingField, message: "id is required")
                ])
            )
        }
        var event = ActivityEvent(
            id: eventID,
            schema: schema ?? ActivityEvent.currentSchema,
            region: region,
            node: node,
            kind: kind,
            date: date,
            municipality: municipality,
            targetGroups: targetGroups,
            programmes: programmes,
            tier: tier,
            ageBands: ageBands,
            professions: professions,
            participants: participants,
            families: families,
            sessions: sessions,
            funding: funding,
            note: note,
            version: version,
            basedOn: basedOn,
            withdrawalReason: withdrawalReason,
            submittedBy: submittedBy,
            submittedAt: submittedAt
        )
        event.isTest = isTest
        event.taxonomyVersion = taxonomyVersion
        event.trace = trace
        return .success(event)
    }

    /// Keeps at most ``maxIssues`` issues, all identity-number findings among them (the privacy scan keeps few
    /// enough), and says how many were left out.
    static func capped(_ issues: [ValidationIssue], omitted: Int) -> [ValidationIssue] {
        guard issues.count > maxIssues || omitted > 0 else { return issues }
        let personal = issues.filter(\.code.isPersonalData)
        let others = issues.filter { !$0.code.isPersonalData }
        let room = max(0, maxIssues - 1 - personal.count)
        var kept = personal + others.prefix(room)
        let left = others.count - min(room, others.count) + omitted
        kept.append(
            ValidationIssue(
                field: ValidationIssue.wholeEvent,
                code: .tooManyIssues,
                message: "\(left) more problems are not listed; fix the ones above and submit again"
            )
        )
        return kept
    }
}
