import Foundation
import KnutepunktConfig
import KnutepunktDomain
import Testing

/// Reference data's rules on the taxonomy file: codes are added or retired, never renamed or removed; a retired code
/// is refused for activities from its retirement day plus the grace period on, and history keeps it.
@Suite struct TaxonomyVersionsTests {
    static func taxonomy(_ text: String) throws -> Taxonomy {
        let inspection = TaxonomyFile.inspect(text: text, name: "test taxonomy")
        guard let taxonomy = inspection.taxonomy else {
            throw ConfigErrors(inspection.errors)
        }
        return taxonomy
    }

    static let retiring = SmallTaxonomy.replacing(
        "  - {code: S, name: Selective}",
        with: "  - {code: S, name: Selective, retired: 2026-03-01}"
    )

    @Test func retiredDatesAndTheGracePeriodAreRead() throws {
        let taxonomy = try Self.taxonomy("retirementGraceDays: 30\n" + Self.retiring)
        #expect(taxonomy.retiredOn("S", in: .tier) == LocalDate(iso: "2026-03-01"))
        #expect(taxonomy.refusedFrom("S", in: .tier) == LocalDate(iso: "2026-03-31"))
        #expect(taxonomy.retiredOn("U", in: .tier) == nil)
        #expect(taxonomy.codes(of: .tier) == ["U", "S"], "a retired code stays in the taxonomy")
        #expect(try Self.taxonomy(Self.retiring).retirementGraceDays == Taxonomy.defaultRetirementGraceDays)
    }

    @Test func aRetiredDateThatIsNoDayIsAMistakeWithItsKey() {
        let inspection = TaxonomyFile.inspect(
            text: SmallTaxonomy.replacing(
                "  - {code: S, name: Selective}",
                with: "  - {code: S, name: Selective, retired: soon}"
            ),
            name: "t.yaml"
        )
        #expect(inspection.errors.map(\.key) == ["tiers[1].retired"])
    }

    @Test func aRetiredCodeIsRefusedForActivitiesAfterTheGracePeriodOnly() throws {
        let taxonomy = try Self.taxonomy("retirementGraceDays: 30\n" + Self.retiring)
        let validator = EventValidator(taxonomy: taxonomy)
        func issues(date: String) -> [ValidationIssue] {
            let event: JSONValue = [
                "region": "NO-VEST", "node": "NO-VEST-FONNA", "kind": "TRAINING", "date": .string(date),
                "target_groups": ["PND"], "tier": "S", "age_bands": ["M0_3"], "professions": ["PHN"],
                "participants": 3, "families": 0, "sessions": 1, "funding": "PERMANENT",
            ]
            let defaults = EventDefaults(region: "NO-VEST", node: nil, makeID: { UUID() })
            switch validator.validate(event, defaults: defaults, today: LocalDate(iso: "2026-06-01")!) {
            case .success: return []
            case .failure(let failure): return failure.issues
            }
        }
        #expect(issues(date: "2026-02-15").isEmpty, "history keeps it")
        #expect(issues(date: "2026-03-30").isEmpty, "within the grace period")
        let refused = issues(date: "2026-03-31")
        #expect(refused.map(\.code) == [.retiredCode] && refused.map(\.field) == ["tier"])
        #expect(refused.first?.message.contains("retired on 2026-03-01") == true)
        #expect(refused.first?.message.contains("Use one of: U") == true)
    }

    @Test func addingAndRetiringMayBePublishedRenamingOrRemovingMayNot() throws {
        let old = try Self.taxonomy(SmallTaxonomy.text)
        let today = LocalDate(iso: "2026-02-01")!
        let added = try Self.taxonomy(
            SmallTaxonomy.replacing(
                "  - {code: TRAINING, name: Training}",
                with: "  - {code: TRAINING, name: Training}\n  - {code: PILOT, name: Pilot}"
            )
        )
        let adding = TaxonomyChanges(from: old, to: added, today: today)
        #expect(adding.problems.isEmpty && adding.lines == ["+ kind PILOT"])

        let retiring = TaxonomyChanges(from: old, to: try Self.taxonomy(Self.retiring), today: today)
        #expect(retiring.problems.isEmpty && retiring.lines == ["~ tier S retired on 2026-03-01"])
        let late = TaxonomyChanges(
            from: old,
            to: try Self.taxonomy(Self.retiring),
            today: LocalDate(iso: "2026-04-01")!
        )
        #expect(late.problems.count == 1, "a retirement before the day it is published could invalidate stored events")

        let renamed = try Self.taxonomy(
            SmallTaxonomy.replacing("  - {code: TRAINING, name: Training}", with: "  - {code: COURSE, name: Training}")
        )
        let renaming = TaxonomyChanges(from: old, to: renamed, today: today)
        #expect(renaming.removed == [.init(.kind, "TRAINING")] && renaming.added == [.init(.kind, "COURSE")])
        #expect(renaming.problems.count == 1)
        #expect(renaming.problems.first?.contains("codes are never renamed or removed") == true)

        let births = try Self.taxonomy(
            SmallTaxonomy.replacing("      value: 1000\n      year: 2023", with: "      value: 980\n      year: 2024")
        )
        let counted = TaxonomyChanges(from: old, to: births, today: today)
        #expect(counted.problems.isEmpty)
        #expect(counted.lines == ["~ births NO-VEST: 1000 (2023, estimate) → 980 (2024, estimate)"], "\(counted.lines)")
        #expect(TaxonomyChanges(from: old, to: old, today: today).isEmpty)
    }
}
