import KnutepunktConfig
import KnutepunktDomain
import Testing

@Suite struct EvidenceBandTests {
    static let shipped: [(String, EvidenceBand)] = [
        ("NBO", .unrated), ("CPP", .eb), ("NFP", .eb), ("MARTE_MEO", .unrated), ("TIK", .unrated),
        ("COS_V", .theory), ("COS_VG", .theory), ("COS_P", .theory), ("ABC", .eb), ("MAMMA_MIA", .unrated),
        ("EPDS", .unrated), ("ICDP", .eb), ("VIPP", .unrated), ("MTB", .unrated), ("MITP", .unrated),
    ]

    @Test(arguments: shipped)
    func shippedProgramme(code: String, band: EvidenceBand) throws {
        let taxonomy = try TaxonomyFile.load(path: RepositoryFiles.taxonomy)
        let programme = try #require(taxonomy.programme(code))
        #expect(programme.evidenceBand == band)
    }

    @Test func everyShippedProgrammeIsCovered() throws {
        let taxonomy = try TaxonomyFile.load(path: RepositoryFiles.taxonomy)
        #expect(Set(taxonomy.codes(of: .programme)) == Set(Self.shipped.map(\.0)))
    }

    /// One rating on its own: each rule of DOMAIN.md §3.
    static let single: [(String, String, EvidenceBand)] = [
        ("UNGSINN", "5", .eb), ("UNGSINN", "4", .eb), ("UNGSINN", "3", .emerging), ("UNGSINN", "2", .theory),
        ("UNGSINN", "1", .theory), ("UNGSINN", "0", .notEffective),
        ("CEBC", "1", .eb), ("CEBC", "2", .eb), ("CEBC", "3", .emerging), ("CEBC", "4", .notEffective),
        ("CEBC", "5", .notEffective), ("CEBC", "NR", .theory),
        ("EIF", "4+", .eb), ("EIF", "4", .eb), ("EIF", "3+", .eb), ("EIF", "3", .eb), ("EIF", "2+", .emerging),
        ("EIF", "2", .emerging),
        ("BLUEPRINTS", "Model Plus", .eb), ("BLUEPRINTS", "Model", .eb), ("BLUEPRINTS", "Promising", .eb),
        // Systems the rules don't name, and values off a named system's scale, don't count.
        ("SBU", "no studies of acceptable quality", .unrated), ("US_HOMVEE", "meets criteria", .unrated),
        ("RCT", "effect on EPDS", .unrated), ("UNGSINN", "6", .unrated), ("EIF", "1", .unrated),
        ("BLUEPRINTS", "Not certified", .unrated), ("CEBC", "0", .unrated),
    ]

    @Test(arguments: single)
    func oneRating(system: String, rating: String, band: EvidenceBand) {
        let programme = Self.programme([Taxonomy.Rating(system: system, rating: rating)])
        #expect(programme.evidenceBand == band)
    }

    /// Ratings that disagree: the precedence EB > EMERGING > NOT_EFFECTIVE > THEORY > UNRATED decides.
    static let combined: [([(String, String)], EvidenceBand)] = [
        ([], .unrated),
        ([("UNGSINN", "3"), ("CEBC", "2")], .eb),
        ([("EIF", "2"), ("BLUEPRINTS", "Promising")], .eb),
        ([("CEBC", "5"), ("EIF", "3")], .eb),
        ([("UNGSINN", "0"), ("CEBC", "1")], .eb),
        ([("UNGSINN", "2"), ("EIF", "2")], .emerging),
        ([("UNGSINN", "3"), ("CEBC", "5")], .emerging),
        ([("UNGSINN", "0"), ("UNGSINN", "2")], .notEffective),
        ([("CEBC", "4"), ("UNGSINN", "1")], .notEffective),
        ([("CEBC", "NR"), ("SBU", "insufficient")], .theory),
        ([("UNGSINN", "1"), ("RCT", "large effect")], .theory),
        ([("SBU", "x"), ("US_HOMVEE", "meets criteria")], .unrated),
    ]

    @Test(arguments: combined)
    func ratingsTogether(ratings: [(String, String)], band: EvidenceBand) {
        let programme = Self.programme(ratings.map { Taxonomy.Rating(system: $0.0, rating: $0.1) })
        #expect(programme.evidenceBand == band)
        // Order of the ratings doesn't matter.
        let reversed = Self.programme(ratings.reversed().map { Taxonomy.Rating(system: $0.0, rating: $0.1) })
        #expect(reversed.evidenceBand == band)
    }

    @Test func precedenceOrderAndRawValues() {
        #expect(EvidenceBand.allCases.sorted() == [.unrated, .theory, .notEffective, .emerging, .eb])
        #expect(EvidenceBand.allCases.map(\.rawValue) == ["EB", "EMERGING", "THEORY", "NOT_EFFECTIVE", "UNRATED"])
        #expect(EvidenceBand(rawValue: "NOT_EFFECTIVE") == .notEffective)
    }

    static func programme(_ ratings: [Taxonomy.Rating]) -> Taxonomy.Programme {
        Taxonomy.Programme(code: "P", name: "Programme", tiers: ["U"], ageBands: ["M0_3"], ratings: ratings)
    }
}
