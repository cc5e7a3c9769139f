import Foundation
import KnutepunktDomain

/// The gap rules of DOMAIN.md §4, one pure function each: `(GapFacts, Taxonomy, GapThresholds) -> [GapFinding]`.
/// Findings come out in a fixed order (regions and codes sorted, or in taxonomy order) so evaluations compare equal.
/// The rules live in `GapRules+….swift` by concern; `GapEvaluator` runs them all and words their findings.
///
/// Three things every rule respects:
/// - **No report is not no service** (DOMAIN.md §6): a rule charges only regions that report and that the store
///   covers for the whole period it reads (``readable(_:_:from:)``); national comparisons (G1's "others have some",
///   G2's median, G12) leave the rest out.
/// - **Small numbers** (DOMAIN.md §7): a rule that compares rates or shares has a guard, a minimum expected count or
///   a significance test, so two events cannot raise an alarm; no ratio with a zero denominator reaches a finding.
/// - **Disclosure control**: a count of 1 to 4 is read as 4 (``SmallCells/banded(_:)``) wherever a rule derives a
///   figure or compares regions, so nothing that leaves the hub depends on which of 1–4 it is.
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

    /// The rule's function.
    package static func function(of rule: GapRule) -> Rule {
        all.first { $0.rule == rule }!.evaluate
    }

    // MARK: Shared helpers

    /// A region a rule may read: its code, facts and status.
    package typealias Readable = (code: String, facts: GapFacts.RegionFacts, status: RegionStatus)

    /// The facts' regions, sorted by code.
    static func regions(_ facts: GapFacts) -> [(code: String, facts: GapFacts.RegionFacts)] {
        facts.regions.keys.sorted().map { ($0, facts.regions[$0]!) }
    }

    /// The regions, sorted by code, that report, that the store covers from `start` on, and whose returns for that
    /// period are not missing from every local node (``RegionStatus/reads(from:)``): the ones a rule reading a period
    /// from `start` may charge or compare.
    package static func readable(_ facts: GapFacts, _ thresholds: GapThresholds, from start: LocalDate) -> [Readable] {
        let statuses = facts.statuses(thresholds)
        return regions(facts).compactMap { code, region in
            let status = statuses[code]!
            return status.reads(from: start) ? (code, region, status) : nil
        }
    }

    /// The regions the window rules read (see ``readable(_:_:from:)``).
    package static func readableInWindow(_ facts: GapFacts, _ thresholds: GapThresholds) -> [Readable] {
        readable(facts, thresholds, from: facts.windowFirstDay)
    }

    /// The first day of the period `rule` reads for a region: the window, G10's 8 quarters, G13's last year. Nil for
    /// D1 (it reads contact, not a period).
    package static func periodStart(of rule: GapRule, _ facts: GapFacts) -> LocalDate? {
        switch rule {
        case .d1StaleNode: nil
        case .g10Decline: facts.firstQuarter
        case .g13MissingInfantDay: LocalDate(year: facts.asOf.year - 1, month: 1, day: 1)
        default: facts.windowFirstDay
        }
    }

    /// The rate of `group` in `region` as it may leave the hub: events per 1,000 births, a count of 1–4 read as 4.
    /// Nil without births.
    package static func publishedRate(_ region: GapFacts.RegionFacts, _ group: String) -> Double? {
        guard region.births > 0 else { return nil }
        return 1000 * Double(SmallCells.banded(region.events[group, default: 0])) / Double(region.births)
    }

    /// The national median rate of `group`: the median of ``publishedRate(_:_:)`` over the regions the window rules
    /// read that have births. Nil when there is none. The one median G2, the coverage table and the heatmap show.
    package static func nationalMedian(
        _ group: String,
        among regions: [Readable]
    ) -> Double? {
        median(regions.compactMap { publishedRate($0.facts, group) })
    }

    /// The median of `values` (mean of the middle two for an even count); nil for none.
    package static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

}
