/// Small-cell suppression for everything that leaves the hub (gap snapshots and changes, `--json`, `--csv`, the
/// coverage table): a count of 1 to 4 events or families could single out a family, so it is withheld, together with
/// every figure it could be worked back from (a rate, given the public births; a share, given the total). Zero is
/// shown: "no service" is the finding. The hub's own store keeps the full figures, so a gap stays reproducible.
package enum SmallCells {
    /// The smallest count shown.
    package static let minimum = 5

    /// Whether `count` must be withheld (1…4).
    package static func isSmall(_ count: Int) -> Bool { count >= 1 && count < minimum }

    /// For each count input of a finding, the inputs that reveal it (itself included).
    static let revealing: [String: [String]] = [
        "events": ["events"],
        "observed": ["observed", "rate", "p"],
        "families": ["families", "familyRate"],
        "temporaryEvents": ["temporaryEvents", "share"],
        "before": ["before", "change", "drop"],
        "recent": ["recent", "change", "drop"],
        "dyadicDeliveries": ["dyadicDeliveries"],
        "dyadicDeliveriesPND": ["dyadicDeliveriesPND"],
        "parentalMentalHealthCare": ["parentalMentalHealthCare"],
    ]

    /// The inputs each rule's message quotes: when one of them is withheld, so is the message.
    static let quoted: [GapRule: Set<String>] = [
        .g2RateShortfall: ["observed", "families"],
        .g8Sustainability: ["temporaryEvents", "events"],
        .g10Decline: ["before", "recent"],
        .g11ParentMHFirst: ["dyadicDeliveries", "dyadicDeliveriesPND", "parentalMentalHealthCare"],
    ]

    /// Whether `finding`'s message quotes one of `withheld`.
    package static func messageQuotesWithheld(_ finding: GapFinding, _ withheld: [String]) -> Bool {
        !(quoted[finding.rule] ?? []).isDisjoint(with: withheld)
    }

    /// The inputs of `finding` that must not leave the hub, sorted.
    package static func withheldInputs(_ finding: GapFinding) -> [String] {
        var withheld: Set<String> = []
        for (name, value) in finding.inputs where value.isFinite && isSmall(Int(value)) && value == value.rounded() {
            if let revealed = revealing[name] {
                withheld.formUnion(revealed)
            } else if name.hasPrefix("events.") {
                // G12: one region's count, and its rate.
                let region = name.dropFirst("events.".count)
                withheld.formUnion([name, "rate.\(region)"])
            } else if finding.rule == .g6MissingProfession, name != "coverage" {
                // G6: the consultation and training events naming one required profession.
                withheld.insert(name)
            }
        }
        return withheld.sorted()
    }

    /// What a reader is told instead of a message that would quote a withheld count.
    package static func withheldMessage(_ finding: GapFinding) -> String {
        let subject = [finding.targetGroup, finding.ageBand, finding.node].compactMap { $0 }
        let about = subject.isEmpty ? "" : " (\(subject.joined(separator: ", ")))"
        return "\(finding.rule.name) in \(finding.region ?? "the network")\(about): figures under \(minimum) are "
            + "withheld so that no family can be singled out"
    }
}
