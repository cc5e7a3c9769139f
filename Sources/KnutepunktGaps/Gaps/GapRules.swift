import Foundation
import KnutepunktDomain

/// The gap rules of DOMAIN.md §4, one pure function each: `(GapFacts, Taxonomy, GapThresholds) -> [GapFinding]`.
/// Findings come out in a fixed order (regions and codes sorted, or in taxonomy order) so evaluations compare equal.
/// The rules live in `GapRules+….swift` by concern; `GapEvaluator` runs them all.
package enum GapRules {
    /// A rule's signature.
    package typealias Rule = @Sendable (GapFacts, Taxonomy, GapThresholds) -> [GapFinding]

    /// Every rule, D1 first.
    package static let all: [(rule: GapRule, evaluate: Rule)] = [
        (.d1StaleNode, staleNode),
        (.g1AbsentService, absentService),
        (.g2RateShortfall, rateShortfall),
        (.g3MissingTier, missingTier),
        (.g5AgeBandGap, ageBandGap),
        (.g6MissingProfession, missingProfession),
        (.g7Evidence, evidence),
        (.g8Sustainability, sustainability),
        (.g9NoLighthouse, noLighthouse),
        (.g10Decline, decline),
        (.g11ParentMHFirst, parentMentalHealthFirst),
        (.g12NationalInequity, nationalInequity),
        (.g13MissingInfantDay, missingInfantDay),
    ]

    // MARK: Shared helpers

    /// The facts' regions, sorted by code.
    static func regions(_ facts: GapFacts) -> [(code: String, facts: GapFacts.RegionFacts)] {
        facts.regions.keys.sorted().map { ($0, facts.regions[$0]!) }
    }

    /// The median of `values` (mean of the middle two for an even count); nil for none.
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// A number for messages: up to `digits` decimals, trailing zeros dropped.
    static func text(_ value: Double, digits: Int = 2) -> String {
        if value.isInfinite { return "∞" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
