import KnutepunktDomain

/// The opening of every gap report (CLI, JSON, dashboard): one line per target group saying where it is served and
/// what the rules found about it, worst first, then the data notes ("not enough data yet").
package struct GapOverview: Sendable, Hashable, Codable {
    /// One target group in one country.
    package struct TargetGroupSummary: Sendable, Hashable, Codable {
        package var country: String
        package var targetGroup: String
        package var name: String
        package var nameNb: String
        /// The worst severity of the findings about it; nil: none.
        package var severity: String?
        /// Regions compared (reporting, covered for the window) with activity for it, and without.
        package var regionsWithActivity: [String]
        package var regionsWithout: [String]
        /// Regions left out of the comparison: no report, or not enough data yet.
        package var regionsNotComparable: [String]
        /// The rules that found something about it, in rule order.
        package var rules: [String]
        package var sentence: String
        package var sentenceNb: String

        package func sentence(_ language: Language) -> String { language == .en ? sentence : sentenceNb }
    }

    package var summary: [TargetGroupSummary]
    package var notes: [DataNote]

    package init(summary: [TargetGroupSummary], notes: [DataNote]) {
        self.summary = summary
        self.notes = notes
    }

    /// The overview of one country's evaluation (several countries: ``merge(_:)``).
    package init(country: String, facts: GapFacts, evaluation: GapEvaluator.Evaluation, taxonomy: Taxonomy) {
        let readable = Set(
            facts.regions.keys.filter { code in
                evaluation.statuses[code].map { $0.reports && $0.covers(from: facts.windowFirstDay) } ?? false
            }
        )
        let regions = taxonomy.regions.map(\.code).filter { facts.regions[$0] != nil }
        var summary: [TargetGroupSummary] = []
        for term in taxonomy.targetGroups {
            let group = term.code
            let compared = regions.filter(readable.contains)
            let active = compared.filter { facts.regions[$0]!.events[group, default: 0] > 0 }
            let without = compared.filter { !active.contains($0) }
            let left = regions.filter { !readable.contains($0) }
            let findings = evaluation.findings.filter { $0.targetGroup == group }
            let severity = findings.map(\.severity).max()
            func sentence(_ language: Language) -> String {
                Self.sentence(
                    term.name(in: language),
                    group,
                    compared: compared,
                    active: active,
                    without: without,
                    left: left,
                    findings: findings,
                    language: language
                )
            }
            summary.append(
                TargetGroupSummary(
                    country: country,
                    targetGroup: group,
                    name: term.name,
                    nameNb: term.name(in: .nb),
                    severity: severity?.rawValue,
                    regionsWithActivity: active,
                    regionsWithout: without,
                    regionsNotComparable: left,
                    rules: Array(Set(findings.map(\.rule))).sorted().map(\.rawValue),
                    sentence: sentence(.en),
                    sentenceNb: sentence(.nb)
                )
            )
        }
        let order = Dictionary(uniqueKeysWithValues: taxonomy.targetGroups.enumerated().map { ($1.code, $0) })
        func rank(_ entry: TargetGroupSummary) -> Int {
            entry.severity == GapSeverity.red.rawValue ? 0 : entry.severity == GapSeverity.amber.rawValue ? 1 : 2
        }
        self.summary = summary.sorted {
            (rank($0), -$0.regionsWithout.count, order[$0.targetGroup] ?? 0)
                < (rank($1), -$1.regionsWithout.count, order[$1.targetGroup] ?? 0)
        }
        self.notes = evaluation.notes
    }

    /// Adds another country's overview after this one's.
    package mutating func merge(_ other: GapOverview) {
        summary += other.summary
        notes += other.notes
    }

    private static func sentence(
        _ name: String,
        _ group: String,
        compared: [String],
        active: [String],
        without: [String],
        left: [String],
        findings: [GapFinding],
        language: Language
    ) -> String {
        let en = language == .en
        func list(_ items: [String]) -> String { GapWording.list(items, language) }
        var parts: [String] = []
        if compared.isEmpty {
            parts.append(en ? "no region can be compared yet" : "ingen region kan sammenlignes ennå")
        } else if active.isEmpty {
            parts.append(en ? "no activity in any region" : "ingen aktivitet i noen region")
        } else if without.isEmpty {
            parts.append(
                en ? "activity in all \(compared.count) regions" : "aktivitet i alle \(compared.count) regionene"
            )
        } else {
            parts.append(
                en
                    ? "no service in \(without.count) of \(compared.count) regions (\(list(without)))"
                    : "ingen tjeneste i \(without.count) av \(compared.count) regioner (\(list(without)))"
            )
        }
        let lower = findings.filter { $0.rule == .g2RateShortfall }.compactMap(\.region).sorted()
        if !lower.isEmpty {
            parts.append(en ? "less than elsewhere in \(list(lower))" : "mindre enn ellers i \(list(lower))")
        }
        if findings.contains(where: { $0.rule == .g12NationalInequity }) {
            parts.append(en ? "very unequal between regions" : "svært ulikt mellom regionene")
        }
        if findings.contains(where: { $0.rule == .g7Evidence && $0.detail == "KNOWLEDGE" }) {
            parts.append(en ? "no evidence-based programme exists" : "det finnes ikke noe evidensbasert program")
        }
        let unproven = findings.filter { $0.rule == .g7Evidence && $0.detail == "SERVICE" }.compactMap(\.region)
        if !unproven.isEmpty {
            parts.append(
                en
                    ? "only programmes without documented effect in \(list(unproven.sorted()))"
                    : "bare programmer uten dokumentert effekt i \(list(unproven.sorted()))"
            )
        }
        if !left.isEmpty {
            parts.append(en ? "not comparable: \(list(left))" : "ikke sammenlignbar: \(list(left))")
        }
        return "\(name) (\(group)): " + parts.joined(separator: "; ") + "."
    }
}
