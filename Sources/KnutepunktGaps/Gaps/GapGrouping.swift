import KnutepunktDomain

/// What ranking and grouping need of one gap: a finding, or a gap record that has left the hub.
package protocol GroupableGap {
    var key: String { get }
    /// `G1` … `G13`, `D1`.
    var groupRule: String { get }
    /// `RED` or `AMBER`.
    var groupSeverity: String { get }
    var region: String? { get }
    var targetGroup: String? { get }
    var ageBand: String? { get }
    var node: String? { get }
    var detail: String? { get }
    /// ``GapFinding/priority``.
    var groupPriority: Double { get }
    /// The gap's own sentence.
    func sentence(_ language: Language) -> String
}

/// Gaps that say the same thing, shown as one: the same rule and severity about the same subject in several regions
/// ("No activity: Families affected by imprisonment — NO-SOROST, NO-MIDT and NO-NORD"), or, failing that, about
/// several subjects in one region or nationally ("Less activity than elsewhere in NO-NORD: …", "No evidence-based
/// programme: …"). A group's priority adds up, region by region, the highest priority of its gaps there (severity ×
/// births affected × confidence): a gap shared by three regions outranks the same gap in one, while four subjects in
/// one region count that region's families once.
package struct GapGroup: Sendable, Hashable, Codable {
    package enum Kind: String, Sendable, Hashable, Codable {
        case single
        case acrossRegions
        case withinRegion
    }

    package var kind: Kind
    package var rule: String
    package var severity: String
    /// The region of a `withinRegion` group.
    package var region: String?
    /// The keys of its gaps, highest priority first.
    package var keys: [String]
    /// The sum of its gaps' priorities.
    package var priority: Double
    package var headline: String
    package var headlineNb: String

    /// The headline in `language`.
    package func headline(_ language: Language) -> String { language == .en ? headline : headlineNb }
}

package enum GapGrouping {
    /// `gaps` in groups, highest priority first; every gap is in exactly one group.
    package static func groups<Gap: GroupableGap>(_ gaps: [Gap], taxonomy: Taxonomy) -> [GapGroup] {
        let ranked = gaps.sorted {
            ($0.groupPriority, $1.groupRule, $1.key) > ($1.groupPriority, $0.groupRule, $0.key)
        }
        var placed: Set<String> = []
        var groups: [GapGroup] = []
        // First the same subject in several regions…
        let bySubject = Dictionary(grouping: ranked.filter { $0.region != nil }) { gap in
            [gap.groupRule, gap.groupSeverity, gap.targetGroup, gap.ageBand, gap.node, gap.detail]
                .map { $0 ?? "" }.joined(separator: "|")
        }
        for (_, members) in bySubject where members.count > 1 && members.allSatisfy({ $0.node == nil }) {
            groups.append(make(.acrossRegions, members, taxonomy))
            placed.formUnion(members.map(\.key))
        }
        // …then several subjects in one region, or nationally…
        let byRegion = Dictionary(grouping: ranked.filter { !placed.contains($0.key) }) {
            [$0.groupRule, $0.groupSeverity, $0.region ?? "*", $0.region == nil ? $0.detail ?? "" : ""]
                .joined(separator: "|")
        }
        for (_, members) in byRegion where members.count > 1 {
            groups.append(make(.withinRegion, members, taxonomy))
            placed.formUnion(members.map(\.key))
        }
        // …and the rest one by one.
        for gap in ranked where !placed.contains(gap.key) {
            groups.append(make(.single, [gap], taxonomy))
        }
        return groups.sorted { ($0.priority, $1.rule, $1.keys[0]) > ($1.priority, $0.rule, $0.keys[0]) }
    }

    private static func make<Gap: GroupableGap>(
        _ kind: GapGroup.Kind,
        _ members: [Gap],
        _ taxonomy: Taxonomy
    )
        -> GapGroup
    {
        let first = members[0]
        func headline(_ language: Language) -> String {
            let title = GapRule(rawValue: first.groupRule).map { GapWording.title($0, language) } ?? first.groupRule
            switch kind {
            case .single:
                return first.sentence(language)
            case .acrossRegions:
                let subject = subject(first, taxonomy, language)
                let regions = GapWording.list(members.compactMap(\.region).sorted(), language)
                return subject.map { "\(title): \($0) — \(regions)" } ?? "\(title): \(regions)"
            case .withinRegion:
                let subjects = members.compactMap { subject($0, taxonomy, language) }
                guard let region = first.region else { return "\(title): \(GapWording.list(subjects, language))" }
                let where_ = language == .en ? "in" : "i"
                return "\(title) \(where_) \(region): \(GapWording.list(subjects, language))"
            }
        }
        return GapGroup(
            kind: kind,
            rule: first.groupRule,
            severity: first.groupSeverity,
            region: kind == .withinRegion ? first.region : nil,
            keys: members.map(\.key),
            priority: Dictionary(grouping: members) { $0.region ?? "*" }.values.reduce(0) { sum, gaps in
                sum + (gaps.map(\.groupPriority).max() ?? 0)
            },
            headline: headline(.en),
            headlineNb: headline(.nb)
        )
    }

    private static func subject<Gap: GroupableGap>(_ gap: Gap, _ taxonomy: Taxonomy, _ language: Language) -> String? {
        GapWording.subject(targetGroup: gap.targetGroup, ageBand: gap.ageBand, node: gap.node, taxonomy, language)
            ?? gap.detail
    }
}

extension GapFinding: GroupableGap {
    package var groupRule: String { rule.rawValue }
    package var groupSeverity: String { severity.rawValue }
    package var groupPriority: Double { priority }
    package func sentence(_ language: Language) -> String { language == .en ? message : messageNb }
}
