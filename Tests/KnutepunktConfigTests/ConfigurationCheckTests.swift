import Foundation
import KnutepunktConfig
import Testing

/// What `knutepunkt config check` reports per file.
@Suite struct ConfigurationCheckTests {
    static var shippedYAMLFiles: [String] {
        let folder = URL(fileURLWithPath: RepositoryFiles.configs).resolvingSymlinksInPath().path
        let found = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        return found.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
            "\(RepositoryFiles.configs)/\($0)"
        }
    }

    @Test func everyShippedFilePasses() throws {
        let files = Self.shippedYAMLFiles
        // The shipped daemon files name CURVE key files that no repository holds (`make test` and `make run`
        // generate them, as ops would with `knutepunkt keys ensure`); generate any missing ones here too, so this
        // test passes under a bare `swift test` and still checks everything else about the files.
        _ = try KeyReferences.ensure(configurations: files.filter { !$0.hasSuffix("taxonomy.yaml") })
        // taxonomy.yaml and the five local daemon files at least (other folders may add more).
        #expect(files.count >= 6)
        #expect(files.contains { $0.hasSuffix("/Configs/taxonomy.yaml") })
        for file in files {
            let report = ConfigurationCheck.report(for: file)
            #expect(report.errors.isEmpty, "\(file): \(report.errors)")
            #expect(report.warnings.isEmpty, "\(file): \(report.warnings)")
            // The keys are in place now; what waits is the example hub address of the production node file, which an
            // installation replaces.
            let waiting = report.pending.map { "\($0.key ?? "") \($0.code)" }
            #expect(waiting == (file.hasSuffix("production/node.yaml") ? ["node.hub placeholder"] : []), "\(file)")
        }
    }

    @Test func aBrokenTaxonomyGivesLocatedLines() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(
            "taxonomy.yaml",
            SmallTaxonomy.replacing("region: NO-VEST, name: Helse Fonna", with: "regoin: NO-VEST, name: Helse Fonna")
        )
        let lines = ConfigurationCheck.problems(in: file)
        #expect(
            lines == [
                "\(file): nodes[0].regoin: unknown key; did you mean \"region\"? Fix: Allowed keys here: code, region, name, town, retired, active, closed",
                "\(file): nodes[0].region: missing. Fix: Add region: to nodes[0]",
            ]
        )
    }

    @Test func aTaxonomyIsRecognisedByItsKeysWhateverItsName() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let good = try folder.write("codes.yaml", SmallTaxonomy.text)
        #expect(ConfigurationCheck.report(for: good).passed)
        let bad = try folder.write("codes-bad.yaml", SmallTaxonomy.replacing("tiers: [U]", with: "tiers: [Q]"))
        #expect(ConfigurationCheck.problems(in: bad).count == 1)
    }

    @Test func badSyntaxIsReportedWithTheFile() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("node.yaml", "node:\n  id: [NO-VEST\n")
        let lines = ConfigurationCheck.problems(in: file)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("\(file): not valid YAML") == true, "\(lines)")
    }
}
