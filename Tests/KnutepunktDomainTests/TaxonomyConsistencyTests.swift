import KnutepunktDomain
import Testing

/// `Taxonomy.validate()` on hand-made values: pure, no files.
@Suite struct TaxonomyConsistencyTests {
    static func figure(_ value: Int, year: Int = 2023, source: String = "test") -> Taxonomy.Figure {
        Taxonomy.Figure(value: value, year: year, source: source, estimate: true)
    }

    static func taxonomy(
        regions: [Taxonomy.Region] = [
            Taxonomy.Region(
                code: "NO-VEST",
                name: "Helse Vest",
                country: "NO",
                centre: "RKBU Vest",
                births: figure(600)
            ),
            Taxonomy.Region(
                code: "NO-NORD",
                name: "Helse Nord",
                country: "NO",
                centre: "RKBU Nord",
                births: figure(400)
            ),
        ],
        nodes: [Taxonomy.LocalNode] = [
            Taxonomy.LocalNode(code: "NO-VEST-FONNA", region: "NO-VEST", name: "Helse Fonna", town: "Haugesund")
        ],
        professionGroups: [String: [String]] = ["PHYSICIAN_ANY": ["GP"]],
        programmes: [Taxonomy.Programme] = [],
        national: Int = 1000
    ) -> Taxonomy {
        Taxonomy(
            regions: regions,
            nodes: nodes,
            kinds: [.init(code: "TRAINING", name: "Training")],
            targetGroups: [.init(code: "ALL", name: "All", exclusive: true), .init(code: "PND", name: "PND")],
            tiers: [.init(code: "U", name: "Universal"), .init(code: "S", name: "Selective")],
            ageBands: [.init(code: "M0_3", name: "0–3 months")],
            professions: [.init(code: "GP", name: "GP"), .init(code: "PHN", name: "PHN")],
            professionGroups: professionGroups,
            funding: [.init(code: "PERMANENT", name: "Permanent")],
            programmes: programmes,
            countries: [Taxonomy.Country(code: "NO", name: "Norway", births: figure(national, source: "SSB"))]
        )
    }

    @Test func aConsistentTaxonomyHasNoProblems() {
        #expect(Self.taxonomy().validate().isEmpty)
    }

    /// The regions add up to 1000; more than 5 % of the national figure away is a warning.
    @Test(arguments: [(1000, true), (1050, true), (953, true), (1053, false), (952, false), (2000, false)])
    func regionalBirthsAgainstTheNationalFigure(national: Int, fine: Bool) throws {
        let problems = Self.taxonomy(national: national).validate()
        if fine {
            #expect(problems.isEmpty, "\(problems)")
        } else {
            let problem = try #require(problems.first)
            #expect(problems.count == 1)
            #expect(problem.severity == .warning)
            #expect(problem.kind == .inconsistent)
            #expect(problem.key == "countries[0].births.value")
        }
    }

    @Test func aRegionWithoutANationalFigureIsAWarning() {
        var regions = Self.taxonomy().regions
        regions.append(
            Taxonomy.Region(
                code: "SE-NORRA",
                name: "Norra",
                country: "SE",
                centre: "",
                births: Self.figure(7600, year: 2024)
            )
        )
        let problems = Self.taxonomy(regions: regions).validate()
        #expect(problems.map(\.key) == ["regions[2].country"])
        #expect(problems.allSatisfy { $0.severity == .warning })
    }

    @Test func figuresNeedASourceAPositiveValueAndAYear() {
        let regions = [
            Taxonomy.Region(
                code: "NO-VEST",
                name: "Helse Vest",
                country: "NO",
                centre: "",
                births: Self.figure(1000, source: " ")
            ),
            Taxonomy.Region(
                code: "NO-NORD",
                name: "Helse Nord",
                country: "NO",
                centre: "",
                births: Self.figure(0, year: 0)
            ),
        ]
        let problems = Self.taxonomy(regions: regions).validate().filter(\.isError)
        #expect(
            problems.map(\.key) == ["regions[0].births.source", "regions[1].births.value", "regions[1].births.year"]
        )
    }

    @Test func duplicateAndMalformedCodes() {
        let nodes = [
            Taxonomy.LocalNode(code: "NO-VEST-FONNA", region: "NO-VEST", name: "Helse Fonna", town: "Haugesund"),
            Taxonomy.LocalNode(code: "NO-VEST-FONNA", region: "NO-VEST", name: "Helse Fonna", town: "Haugesund"),
            Taxonomy.LocalNode(code: "NO-VEST-", region: "NO-VEST", name: "Bad", town: "Bad"),
            Taxonomy.LocalNode(code: "NOR-VEST-X", region: "NO-VEST", name: "Bad", town: "Bad"),
        ]
        let problems = Self.taxonomy(nodes: nodes).validate().filter(\.isError)
        #expect(problems.map(\.key) == ["nodes[1].code", "nodes[2].code", "nodes[3].code"])
        #expect(problems.map(\.kind) == [.duplicateCode, .malformedCode, .malformedCode])
    }

    @Test func aNodeOutsideItsRegionsNameIsAWarning() {
        let nodes = [
            Taxonomy.LocalNode(code: "NO-NORD-FONNA", region: "NO-VEST", name: "Helse Fonna", town: "Haugesund")
        ]
        let problems = Self.taxonomy(nodes: nodes).validate()
        #expect(problems.map(\.key) == ["nodes[0].code"])
        #expect(problems.first?.severity == .warning)
    }

    @Test func professionGroups() {
        let problems = Self.taxonomy(professionGroups: ["PHYSICIAN_ANY": ["GP", "DOCTOR"], "GP": ["GP"], "EMPTY": []])
            .validate()
        #expect(
            problems.map(\.key) == [
                "professionGroups.EMPTY", "professionGroups.GP", "professionGroups.PHYSICIAN_ANY[1]",
            ]
        )
        #expect(problems.map(\.kind) == [.invalidValue, .duplicateCode, .unknownReference])
    }

    @Test func programmeReferencesAndRatings() {
        let programmes = [
            Taxonomy.Programme(
                code: "GOOD",
                name: "Good",
                tiers: ["U"],
                ageBands: ["M0_3"],
                targetGroups: ["ALL"],
                ratings: [.init(system: "UNGSINN", rating: "4"), .init(system: "SBU", rating: "anything")]
            ),
            Taxonomy.Programme(
                code: "BAD",
                name: "",
                tiers: [],
                ageBands: ["M0_3", "Y9"],
                targetGroups: ["ALL", "PND"],
                ratings: [
                    .init(system: "Ungsinn", rating: "4"), .init(system: "EIF", rating: "1"),
                    .init(system: "CEBC", rating: ""),
                ]
            ),
        ]
        let problems = Self.taxonomy(programmes: programmes).validate()
        #expect(
            problems.map(\.key) == [
                "programmes[1].name", "programmes[1].tiers", "programmes[1].ageBands[1]", "programmes[1].targetGroups",
                "programmes[1].ratings[0].system", "programmes[1].ratings[1].rating", "programmes[1].ratings[2].rating",
            ]
        )
        #expect(problems.allSatisfy { $0.isError })
        #expect(problems.allSatisfy { !$0.fix.isEmpty })
    }

    @Test func problemsPrintKeyMessageAndFix() {
        let problem = TaxonomyProblem(
            .warning,
            .inconsistent,
            key: "countries[0].births.value",
            message: "off",
            fix: "check"
        )
        #expect(problem.description == "warning: countries[0].births.value: off. Fix: check")
    }
}
