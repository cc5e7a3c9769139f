import KnutepunktConfig
import KnutepunktDomain
import Testing

/// The shipped Configs/taxonomy.yaml loads, is consistent and says what DOMAIN.md says.
@Suite struct ShippedTaxonomyTests {
    let taxonomy: Taxonomy

    init() throws {
        taxonomy = try TaxonomyFile.load(path: RepositoryFiles.taxonomy)
    }

    @Test func loadsWithoutErrorsOrWarnings() {
        let inspection = TaxonomyFile.inspect(path: RepositoryFiles.taxonomy)
        #expect(inspection.errors.isEmpty, "\(inspection.errors)")
        #expect(inspection.warnings.isEmpty, "\(inspection.warnings)")
        #expect(taxonomy.validate().isEmpty, "\(taxonomy.validate())")
    }

    @Test func norwayHasFourRegionsWithTheirBirths() throws {
        let norway = taxonomy.regions(inCountry: "NO")
        #expect(norway.map(\.code) == ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"])
        let expected = ["NO-SOROST": 29_300, "NO-VEST": 11_500, "NO-MIDT": 6_950, "NO-NORD": 4_300]
        for region in norway {
            #expect(region.births.value == expected[region.code])
            #expect(region.births.year == 2023)
            #expect(region.births.estimate, "DOMAIN.md marks the regional births [E]")
            #expect(!region.births.source.isEmpty)
        }
        let vest = try #require(taxonomy.region("NO-VEST"))
        #expect(vest.centre.contains("RKBU Vest"))
        #expect(vest.counties == ["Rogaland", "Vestland"])
        #expect(try #require(taxonomy.region("NO-SOROST")).counties.count == 8)
    }

    @Test func nationalFiguresArePublished() throws {
        let norway = try #require(taxonomy.country("NO"))
        #expect(
            norway.births == Taxonomy.Figure(value: 51_980, year: 2023, source: norway.births.source, estimate: false)
        )
        #expect(norway.births.source.contains("SSB"))
        let sweden = try #require(taxonomy.country("SE"))
        #expect(sweden.births.value == 98_451)
        #expect(sweden.births.year == 2024)
        #expect(!sweden.births.estimate)
    }

    @Test func swedenHasSixHealthcareRegions() {
        let sweden = taxonomy.regions(inCountry: "SE")
        #expect(sweden.count == 6)
        #expect(sweden.map(\.births.value).reduce(0, +) == 98_500)
        #expect(sweden.allSatisfy { $0.code.hasPrefix("SE-") && $0.births.year == 2024 && $0.births.estimate })
        #expect(taxonomy.region("SE-STHLM-GOTLAND")?.births.value == 26_200)
    }

    @Test func everyHospitalTrustIsANode() {
        #expect(taxonomy.nodes(inRegion: "NO-SOROST").count == 8)
        #expect(
            taxonomy.nodes(inRegion: "NO-VEST").map(\.code) == [
                "NO-VEST-STAVANGER", "NO-VEST-FONNA", "NO-VEST-BERGEN", "NO-VEST-FORDE",
            ]
        )
        #expect(taxonomy.nodes(inRegion: "NO-MIDT").count == 3)
        #expect(taxonomy.nodes(inRegion: "NO-NORD").count == 4)
        #expect(taxonomy.node("NO-VEST-FONNA")?.town == "Haugesund")
        #expect(taxonomy.node("NO-VEST-FORDE")?.town == "Førde")
        #expect(taxonomy.node("NO-NORD-BODO")?.name == "Nordlandssykehuset")
        // The default nodes of the shipped daemon files and the test network exist.
        for code in ["NO-SOROST-OUS", "NO-VEST-BERGEN", "NO-MIDT-STOLAV", "NO-NORD-UNN", "NO-NORD-BODO"] {
            #expect(taxonomy.node(code) != nil, "\(code)")
        }
    }

    @Test func vocabulariesMatchTheDomain() {
        #expect(taxonomy.codes(of: .kind).count == 10)
        #expect(taxonomy.contains("INFANT_DAY", in: .kind))
        #expect(taxonomy.codes(of: .targetGroup).count == 17)
        #expect(taxonomy.contains("HICONF", in: .targetGroup))
        #expect(taxonomy.contains("PRISON", in: .targetGroup))
        #expect(taxonomy.exclusiveTargetGroups == ["ALL"])
        #expect(taxonomy.codes(of: .tier) == ["U", "S", "I", "T", "NA"])
        #expect(taxonomy.codes(of: .ageBand) == ["PREG", "M0_3", "M3_12", "Y1_3", "Y3_6"])
        #expect(taxonomy.codes(of: .profession).count == 16)
        #expect(taxonomy.professionGroups == ["PHYSICIAN_ANY": ["GP", "PAED", "OBGYN", "PSYCHIATRIST"]])
        #expect(taxonomy.codes(of: .funding) == ["PERMANENT", "TEMPORARY_PROJECT"])
    }

    @Test func programmesMatchTheCatalogue() throws {
        #expect(taxonomy.programmes.count == 15)
        #expect(
            Set(taxonomy.codes(of: .programme)) == [
                "NBO", "CPP", "NFP", "MARTE_MEO", "TIK", "COS_V", "COS_VG", "COS_P", "ABC", "MAMMA_MIA", "EPDS", "ICDP",
                "VIPP", "MTB", "MITP",
            ]
        )
        let epds = try #require(taxonomy.programme("EPDS"))
        #expect(epds.tool)
        #expect(taxonomy.programmes.filter(\.tool).map(\.code) == ["EPDS"])
        let nfp = try #require(taxonomy.programme("NFP"))
        #expect(nfp.ratings.map(\.system) == ["EIF", "BLUEPRINTS"])
        #expect(nfp.ageBands == ["PREG", "M0_3", "M3_12", "Y1_3"])
        let icdp = try #require(taxonomy.programme("ICDP"))
        #expect(icdp.ratings.first?.scaleVersion == "3rd update")
        #expect(taxonomy.programme("MARTE_MEO")?.ratings.first?.date == "2020")
        #expect(taxonomy.programme("COS_V")?.ageBands == ["M3_12", "Y1_3"])
        #expect(taxonomy.programme("CPP")?.tiers == ["I", "T"])
    }
}
