/// Disclosure control for everything that leaves the hub (gap records on the stream and in `--json`/`--csv`, the
/// coverage table, the heatmap, the trends, the report's sentences): a count of 1 to 4 events or families could
/// single out a family, so it is withheld, and nothing else that leaves the hub may let anyone work it back out
/// (DOMAIN.md §7). The method, written out in docs/disclosure.md beside Statistics Norway's "prikking":
///
/// 1. **Primary suppression.** A count of 1–4 is withheld: `<5` in text and CSV, absent (named in `withheld`) or
///    null in JSON. Zero is shown: "no service" is the finding.
/// 2. **Banding of everything derived.** Rates, ratios, medians, shares, max/min, CV, Gini, expected counts and
///    p-values, and every decision of a rule that compares regions, read a withheld count as 4 (``banded(_:)``).
///    Whatever of 1–4 the count is, every published figure comes out the same, so none of them can reveal it.
/// 3. **Complementary suppression.** Where published counts add up to another published count, one withheld part
///    could be recovered by subtraction: the quarters of a trend series that the 12-month window covers are all
///    withheld when any of them is (``QuarterlyTrends``). Region totals are never published: of G8's share and G10's
///    change only the line crossed leaves the hub (its severity), not the figure nor its counts.
///
/// The hub's own store keeps the full figures, so a gap stays reproducible.
package enum SmallCells {
    /// The smallest count shown.
    package static let minimum = 5

    /// Whether `count` must be withheld (1…4).
    package static func isSmall(_ count: Int) -> Bool { count >= 1 && count < minimum }

    /// `count` as derived figures read it: a withheld count (1…4) as 4, the top of its band; others as they are.
    package static func banded(_ count: Int) -> Int { isSmall(count) ? minimum - 1 : count }

    /// For each count input of a finding, the inputs that reveal it (itself included): its own rate, its p-value; and
    /// for a cell's events, its families too (the coverage table withholds a withheld cell's families as well).
    static let revealing: [String: [String]] = [
        "events": ["events"],
        "observed": ["observed", "rate", "p", "pAmber", "families", "familyRate"],
        "families": ["families", "familyRate"],
        "dyadicDeliveries": ["dyadicDeliveries"],
        "dyadicDeliveriesPND": ["dyadicDeliveriesPND"],
        "dyadicDeliveriesPAR_MH": ["dyadicDeliveriesPAR_MH"],
    ]

    /// Inputs that never leave the hub, whatever their value: a region's totals (from which a withheld cell could be
    /// worked out by subtraction) and the exact figures the rounded ones stand for.
    static let neverPublished: [GapRule: Set<String>] = [
        .g8Sustainability: ["temporaryEvents", "events", "share"],
        .g10Decline: ["before", "recent", "drop", "change"],
    ]

    /// The inputs of `finding` that must not leave the hub, sorted.
    package static func withheldInputs(_ finding: GapFinding) -> [String] {
        var withheld = neverPublished[finding.rule] ?? []
        for (name, value) in finding.inputs where value.isFinite && value == value.rounded() && isSmall(Int(value)) {
            if let revealed = revealing[name], finding.rule != .g8Sustainability, finding.rule != .g10Decline {
                withheld.formUnion(revealed)
            } else if name.hasPrefix("events.") {
                // G12: one region's count, and its rate.
                let region = name.dropFirst("events.".count)
                withheld.formUnion([name, "rate.\(region)"])
            } else if finding.rule == .g6MissingProfession,
                ![
                    "coverage", "present", "required",
                ].contains(name)
            {
                // G6: the consultation and training events naming one required profession.
                withheld.insert(name)
            }
        }
        return withheld.filter { finding.inputs[$0] != nil }.sorted()
    }

    /// The inputs of `finding` that may leave the hub: finite, and not withheld.
    package static func publishedInputs(_ finding: GapFinding) -> [String: Double] {
        let withheld = Set(withheldInputs(finding))
        return finding.inputs.filter { $0.value.isFinite && !withheld.contains($0.key) }
    }
}
