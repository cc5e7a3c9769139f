import KnutepunktDomain
import Yams

/// Retired codes in the taxonomy file: any entry of `regions`, `nodes`, the vocabularies and `programmes` may say
/// `retired: YYYY-MM-DD`, and the top-level `retirementGraceDays` (default 90) says how long after that day new
/// activities may still use it (Configs/README.md, "Taxonomy"). Codes are never removed: retiring is how a code goes.
extension TaxonomyFile {
    /// The lists whose entries may be retired, and the vocabulary of their codes.
    static let retirableLists: [(key: String, vocabulary: Taxonomy.Vocabulary)] = [
        ("regions", .region), ("nodes", .node), ("kinds", .kind), ("targetGroups", .targetGroup), ("tiers", .tier),
        ("ageBands", .ageBand), ("professions", .profession), ("funding", .funding), ("programmes", .programme),
    ]

    /// Reads every `retired:` date and the grace period into `taxonomy`; mistakes go to `reader`.
    static func readRetirements(_ reader: inout ConfigReader, _ document: Node, into taxonomy: inout Taxonomy) {
        guard let top = document.mapping else { return }
        if let days = reader.int(top, "retirementGraceDays", at: "", range: 0...3650) {
            taxonomy.retirementGraceDays = days
        }
        for (key, vocabulary) in retirableLists {
            for (index, item) in (top[key]?.sequence.map(Array.init) ?? []).enumerated() {
                guard let entry = item.mapping, let text = entry["retired"]?.scalar?.string,
                    let code = entry["code"]?.scalar?.string
                else { continue }
                guard let day = LocalDate(iso: text) else {
                    reader.fail(
                        .invalidValue,
                        "\(key)[\(index)].retired",
                        "expected the day the code was retired, YYYY-MM-DD, found \"\(text)\"",
                        fix: "Write e.g. retired: 2026-07-01 (new activities may use it for retirementGraceDays more)"
                    )
                    continue
                }
                taxonomy.retirements[vocabulary, default: [:]][code] = day
            }
        }
    }
}
