import KnutepunktDomain

/// "Not enough data yet": the store does not cover a region long enough for some rules (DOMAIN.md §6). Those rules
/// say nothing about the region, neither gap nor all-clear, until it does. Not a gap: it is not published on the gap
/// stream, but every report shows it.
package struct DataNote: Sendable, Hashable, Codable {
    package var region: String
    /// The rules that cannot read the region yet, in rule order.
    package var rules: [GapRule]
    /// The first day the store covers for the region; nil: no data at all.
    package var coveredFrom: LocalDate?
    /// The first day the earliest-starting of those rules needs.
    package var neededFrom: LocalDate

    package init(region: String, rules: [GapRule], coveredFrom: LocalDate?, neededFrom: LocalDate) {
        self.region = region
        self.rules = rules
        self.coveredFrom = coveredFrom
        self.neededFrom = neededFrom
    }

    /// The note as a sentence.
    package func sentence(_ language: Language) -> String {
        let rules = rules.map(\.rawValue).joined(separator: ", ")
        switch language {
        case .en:
            let from = coveredFrom.map { "its data start on \($0.iso)" } ?? "it has no data yet"
            return "\(region): not enough data yet for \(rules) — \(from); they need data from \(neededFrom.iso)."
        case .nb:
            let from = coveredFrom.map { "dataene starter \($0.iso)" } ?? "regionen har ingen data ennå"
            return "\(region): ikke nok data ennå for \(rules) – \(from); reglene trenger data fra \(neededFrom.iso)."
        }
    }
}
