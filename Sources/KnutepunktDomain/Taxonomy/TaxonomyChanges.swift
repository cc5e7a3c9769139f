/// What changes from one taxonomy version to the next, and whether the change may be published.
///
/// The rule of reference data: codes are never renamed or removed, only added or retired, because stored events
/// refer to them; a retirement takes effect no earlier than the day it is published (so no stored event becomes
/// invalid). Everything else may change freely: names, births and their sources, programmes' ratings and tiers, the
/// grace period.
package struct TaxonomyChanges: Sendable {
    /// One code of one vocabulary.
    package struct Code: Sendable, Hashable, Comparable, CustomStringConvertible {
        package var vocabulary: Taxonomy.Vocabulary
        package var code: String

        package init(_ vocabulary: Taxonomy.Vocabulary, _ code: String) {
            self.vocabulary = vocabulary
            self.code = code
        }

        package static func < (lhs: Code, rhs: Code) -> Bool {
            (lhs.vocabulary.rawValue, lhs.code) < (rhs.vocabulary.rawValue, rhs.code)
        }

        package var description: String { "\(vocabulary.rawValue) \(code)" }
    }

    /// Codes new in this version.
    package var added: [Code] = []
    /// Codes of the previous version that are missing: renamed or removed. Never allowed.
    package var removed: [Code] = []
    /// Codes retired in this version, with their day.
    package var retired: [(code: Code, on: LocalDate)] = []
    /// Codes whose retirement this version takes back (allowed: history lost nothing).
    package var reinstated: [Code] = []
    /// Codes newly retired on a day before `today`: events already stored could become invalid. Never allowed.
    package var retiredInThePast: [(code: Code, on: LocalDate)] = []
    /// Entries whose name (or town) changed.
    package var renamedLabels: [Code] = []
    /// Regions and countries whose births figure (value, year, source or estimate) changed.
    package var births: [(code: String, from: Taxonomy.Figure?, to: Taxonomy.Figure?)] = []
    /// Programmes whose ratings, tiers, age bands, target groups or kind changed.
    package var programmes: [String] = []
    /// Other changes (profession groups, the grace period, exclusivity, regions' countries or counties).
    package var other: [String] = []

    /// The changes from `old` to `new`, judged on `today` (the day of publishing).
    package init(from old: Taxonomy, to new: Taxonomy, today: LocalDate) {
        for vocabulary in Taxonomy.Vocabulary.allCases {
            let before = Set(old.codes(of: vocabulary))
            let after = Set(new.codes(of: vocabulary))
            added += after.subtracting(before).map { Code(vocabulary, $0) }
            removed += before.subtracting(after).map { Code(vocabulary, $0) }
            for code in after {
                let was = old.retiredOn(code, in: vocabulary)
                let now = new.retiredOn(code, in: vocabulary)
                switch (was, now) {
                case (nil, let day?):
                    retired.append((Code(vocabulary, code), day))
                    if day < today { retiredInThePast.append((Code(vocabulary, code), day)) }
                case (let earlier?, let day?) where day != earlier:
                    retired.append((Code(vocabulary, code), day))
                    // Moving a retirement earlier, into the past, is retiring in the past.
                    if day < earlier, day < today { retiredInThePast.append((Code(vocabulary, code), day)) }
                case (.some, nil):
                    reinstated.append(Code(vocabulary, code))
                default:
                    break
                }
                if before.contains(code),
                    Self.label(of: code, in: vocabulary, old) != Self.label(of: code, in: vocabulary, new)
                {
                    renamedLabels.append(Code(vocabulary, code))
                }
            }
        }
        added.sort()
        removed.sort()
        retired.sort { $0.code < $1.code }
        retiredInThePast.sort { $0.code < $1.code }
        reinstated.sort()
        renamedLabels.sort()
        let oldBirths = Self.births(old)
        let newBirths = Self.births(new)
        for code in Set(oldBirths.keys).union(newBirths.keys).sorted() where oldBirths[code] != newBirths[code] {
            births.append((code, oldBirths[code], newBirths[code]))
        }
        for programme in new.programmes {
            guard let before = old.programme(programme.code) else { continue }
            var a = before
            var b = programme
            a.name = ""
            b.name = ""
            if a != b { programmes.append(programme.code) }
        }
        if old.professionGroups != new.professionGroups { other.append("profession groups") }
        if old.retirementGraceDays != new.retirementGraceDays {
            other.append("grace period \(old.retirementGraceDays) → \(new.retirementGraceDays) days")
        }
        for region in new.regions {
            guard let before = old.region(region.code) else { continue }
            if before.country != region.country || before.counties != region.counties || before.centre != region.centre
            {
                other.append("region \(region.code)")
            }
        }
        for group in new.targetGroups {
            if let before = old.targetGroups.first(where: { $0.code == group.code }),
                before.exclusive != group.exclusive
            {
                other.append("targetGroup \(group.code) exclusive")
            }
        }
    }

    /// True when nothing changed at all.
    package var isEmpty: Bool {
        added.isEmpty && removed.isEmpty && retired.isEmpty && reinstated.isEmpty && renamedLabels.isEmpty
            && births.isEmpty && programmes.isEmpty && other.isEmpty
    }

    /// Why this change may not be published; empty when it may.
    package var problems: [String] {
        removed.map {
            "\($0) is missing: codes are never renamed or removed, because stored events refer to them; put it back, "
                + "and retire it instead (retired: DATE)"
        }
            + retiredInThePast.map {
                "\($0.code) would be retired on \($0.on.iso), before today: events already stored could become "
                    + "invalid; retire it from today or a later day"
            }
    }

    /// One line per change, for `knutepunkt taxonomy diff` and the hub's log.
    package var lines: [String] {
        var lines: [String] = []
        lines += added.map { "+ \($0)" }
        lines += retired.map { "~ \($0.code) retired on \($0.on.iso)" }
        lines += reinstated.map { "~ \($0) in use again" }
        lines += removed.map { "- \($0) (not allowed)" }
        lines += renamedLabels.map { "~ \($0) renamed" }
        lines += births.map { change in
            func text(_ figure: Taxonomy.Figure?) -> String {
                figure.map { "\($0.value) (\($0.year), \($0.estimate ? "estimate" : "published"))" } ?? "none"
            }
            return "~ births \(change.code): \(text(change.from)) → \(text(change.to))"
        }
        lines += programmes.map { "~ programme \($0)" }
        lines += other.map { "~ \($0)" }
        return lines
    }

    private static func label(of code: String, in vocabulary: Taxonomy.Vocabulary, _ taxonomy: Taxonomy) -> String? {
        switch vocabulary {
        case .kind: taxonomy.kinds.first { $0.code == code }?.name
        case .targetGroup: taxonomy.targetGroups.first { $0.code == code }?.name
        case .tier: taxonomy.tiers.first { $0.code == code }?.name
        case .ageBand: taxonomy.ageBands.first { $0.code == code }?.name
        case .profession: taxonomy.professions.first { $0.code == code }?.name
        case .funding: taxonomy.funding.first { $0.code == code }?.name
        case .programme: taxonomy.programme(code)?.name
        case .region: taxonomy.region(code)?.name
        case .node: taxonomy.node(code).map { "\($0.name), \($0.town)" }
        }
    }

    private static func births(_ taxonomy: Taxonomy) -> [String: Taxonomy.Figure] {
        var figures: [String: Taxonomy.Figure] = [:]
        for region in taxonomy.regions { figures[region.code] = region.births }
        for country in taxonomy.countries { figures[country.code] = country.births }
        return figures
    }
}
