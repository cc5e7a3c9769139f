import KnutepunktConfig
import KnutepunktGaps
import Testing

@Suite struct GapThresholdsFileTests {
    @Test func theShippedThresholdsAreDomainDefaults() throws {
        let taxonomy = try TaxonomyFile.load(path: RepositoryFiles.taxonomy)
        let loaded = try GapThresholdsFile.load(path: "\(RepositoryFiles.configs)/gaps.yaml", taxonomy: taxonomy)
        #expect(loaded == GapThresholds.standard)
        #expect(ConfigurationCheck.problems(in: "\(RepositoryFiles.configs)/gaps.yaml").isEmpty)
    }

    @Test func mistakesAreReportedWithKeyAndFix() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(
            "gaps.yaml",
            """
            gaps:
              rateAmberFactor: 0.4
              rateRedFactor: 0.5
              staleDay: 90
              professionCoverageRed: lots
              requiredProfessions: [MIDWIFE, PHYSICIAN]
            """
        )
        let taxonomy = try TaxonomyFile.load(path: RepositoryFiles.taxonomy)
        let errors = try #require(throws: ConfigErrors.self) {
            try GapThresholdsFile.load(path: file, taxonomy: taxonomy)
        }.errors
        let byKey = Dictionary(errors.map { ($0.key ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byKey["gaps.staleDay"]?.message.contains("did you mean \"staleDays\"") == true)
        #expect(byKey["gaps.professionCoverageRed"]?.code == .invalidValue)
        #expect(byKey["gaps.rateRedFactor"]?.code == .inconsistent)
        #expect(byKey["gaps.requiredProfessions[1]"]?.fix.contains("PHYSICIAN_ANY") == true)
    }
}
