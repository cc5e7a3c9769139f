import Foundation
import KnutepunktConfig
import KnutepunktDomain
import Testing

/// Broken taxonomy files: each mistake is reported as a ConfigError naming the file, the key and the fix.
@Suite struct TaxonomyFileErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var code: ConfigError.Code
        var key: String?
        /// Words the message must contain.
        var message: String = ""
        /// Words the fix must contain.
        var fix: String = ""

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "misspelt key",
            text: SmallTaxonomy.replacing("    centre: RKBU", with: "    centr: RKBU"),
            code: .unknownKey,
            key: "regions[0].centr",
            message: "did you mean \"centre\"?",
            fix: "centre"
        ),
        Case(
            name: "misspelt top-level key",
            text: SmallTaxonomy.replacing("ageBands:\n", with: "agebands:\n"),
            code: .unknownKey,
            key: "agebands",
            message: "did you mean \"ageBands\"?"
        ),
        Case(
            name: "births without a source",
            text: SmallTaxonomy.replacing("      source: \"test estimate\"\n", with: ""),
            code: .missingKey,
            key: "regions[0].births.source",
            fix: "source:"
        ),
        Case(
            name: "births with an empty source",
            text: SmallTaxonomy.replacing("source: \"test estimate\"", with: "source: \"\""),
            code: .missingKey,
            key: "regions[0].births.source"
        ),
        Case(
            name: "region without births",
            text: SmallTaxonomy.replacing(
                "    births:\n      value: 1000\n",
                with: "    births_:\n      value: 1000\n"
            ),
            code: .missingKey,
            key: "regions[0].births",
            fix: "value, year, source and estimate"
        ),
        Case(
            name: "node in an unknown region",
            text: SmallTaxonomy.replacing(
                "region: NO-VEST, name: Helse Fonna",
                with: "region: NO-WEST, name: Helse Fonna"
            ),
            code: .unknownReference,
            key: "nodes[0].region",
            message: "NO-WEST",
            fix: "NO-VEST"
        ),
        Case(
            name: "duplicate code",
            text: SmallTaxonomy.replacing(
                "  - {code: TRAINING, name: Training}\n",
                with: "  - {code: TRAINING, name: Training}\n  - {code: TRAINING, name: Training again}\n"
            ),
            code: .duplicate,
            key: "kinds[1].code",
            message: "kinds[0]"
        ),
        Case(
            name: "bad YAML syntax",
            text: SmallTaxonomy.replacing("tiers: [U]", with: "tiers: [U"),
            code: .syntax,
            key: nil,
            message: "not valid YAML at line",
            fix: "near line"
        ),
        Case(
            name: "a text where a list belongs",
            text: SmallTaxonomy.replacing("tiers: [U]", with: "tiers: U"),
            code: .wrongType,
            key: "programmes[0].tiers",
            message: "expected a list"
        ),
        Case(
            name: "a number where a mapping belongs",
            text: SmallTaxonomy.replacing(
                "    births:\n      value: 1000\n      year: 2023\n      source: \"test estimate\"\n      estimate: true\n",
                with: "    births: 1000\n"
            ),
            code: .wrongType,
            key: "regions[0].births",
            message: "mapping"
        ),
        Case(
            name: "not a yes/no",
            text: SmallTaxonomy.replacing("dyadic: true", with: "dyadic: sometimes"),
            code: .wrongType,
            key: "programmes[0].dyadic",
            fix: "true or"
        ),
        Case(
            name: "not a number",
            text: SmallTaxonomy.replacing("value: 1000\n      year", with: "value: many\n      year"),
            code: .invalidValue,
            key: "regions[0].births.value",
            message: "whole number"
        ),
        Case(
            name: "unknown tier",
            text: SmallTaxonomy.replacing("tiers: [U]", with: "tiers: [U, X]"),
            code: .unknownReference,
            key: "programmes[0].tiers[1]",
            message: "unknown tier",
            fix: "U, S"
        ),
        Case(
            name: "unknown age band",
            text: SmallTaxonomy.replacing("ageBands: [M0_3]", with: "ageBands: [M0_6]"),
            code: .unknownReference,
            key: "programmes[0].ageBands[0]",
            message: "age band"
        ),
        Case(
            name: "unknown target group",
            text: SmallTaxonomy.replacing("targetGroups: [PND]", with: "targetGroups: [PPD]"),
            code: .unknownReference,
            key: "programmes[0].targetGroups[0]",
            message: "target group"
        ),
        Case(
            name: "ALL with another group",
            text: SmallTaxonomy.replacing("targetGroups: [PND]", with: "targetGroups: [ALL, PND]"),
            code: .inconsistent,
            key: "programmes[0].targetGroups",
            message: "ALL"
        ),
        Case(
            name: "rating off the system's scale",
            text: SmallTaxonomy.replacing("rating: \"2\"", with: "rating: \"9\""),
            code: .invalidValue,
            key: "programmes[0].ratings[0].rating",
            fix: "1 to 5"
        ),
        Case(
            name: "misspelt rating key",
            text: SmallTaxonomy.replacing("{system: CEBC,", with: "{sytem: CEBC,"),
            code: .unknownKey,
            key: "programmes[0].ratings[0].sytem",
            message: "did you mean \"system\"?"
        ),
        Case(
            name: "unknown profession in a group",
            text: SmallTaxonomy.replacing("[GP]", with: "[GP, DOCTOR]"),
            code: .unknownReference,
            key: "professionGroups.PHYSICIAN_ANY[1]",
            message: "DOCTOR",
            fix: "GP, PHN"
        ),
        Case(
            name: "lower-case code",
            text: SmallTaxonomy.replacing("{code: TRAINING,", with: "{code: training,"),
            code: .invalidValue,
            key: "kinds[0].code",
            fix: "A-Z"
        ),
        Case(
            name: "malformed node code",
            text: SmallTaxonomy.replacing("code: NO-VEST-FONNA", with: "code: NO_VEST_FONNA"),
            code: .invalidValue,
            key: "nodes[0].code",
            fix: "NO-VEST-FONNA"
        ),
        Case(
            name: "region code of another country",
            text: SmallTaxonomy.replacing("country: \"NO\"\n    centre", with: "country: SE\n    centre"),
            code: .inconsistent,
            key: "regions[0].code",
            message: "country SE"
        ),
    ]

    @Test(arguments: cases)
    func brokenFile(_ broken: Case) throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("taxonomy.yaml", broken.text)
        let errors: [ConfigError]
        do {
            _ = try TaxonomyFile.load(path: file)
            Issue.record("\(broken.name): loaded without errors")
            return
        } catch {
            errors = error.errors
        }
        let match = errors.first { $0.code == broken.code && $0.key == broken.key }
        let error = try #require(
            match,
            "\(broken.name): expected \(broken.code) at \(broken.key ?? "nil"), got:\n\(errors)"
        )
        #expect(error.file == file)
        #expect(broken.message.isEmpty || error.message.contains(broken.message), "\(error)")
        #expect(broken.fix.isEmpty || error.fix.contains(broken.fix), "\(error)")
        #expect(!error.fix.isEmpty)
        // The printed line names the file, the key and the fix.
        #expect(error.description.hasPrefix(file + ": " + (broken.key.map { $0 + ": " } ?? "")))
        #expect(error.description.contains(" Fix: "))
    }

    @Test func aKeyTwiceInOneMappingIsNamed() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(
            "taxonomy.yaml",
            SmallTaxonomy.replacing("    country: \"NO\"\n", with: "    country: \"NO\"\n    country: SE\n")
        )
        do {
            _ = try TaxonomyFile.load(path: file)
            Issue.record("loaded a file with a repeated key")
        } catch {
            let only = try #require(error.errors.first)
            #expect(error.errors.count == 1)
            #expect(only.code == .duplicate)
            #expect(only.message.contains("\"country\" appears more than once"))
            #expect(!only.description.contains("\n"), "one line, not the whole file")
        }
    }

    @Test func aSyntaxErrorSaysWhere() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write("taxonomy.yaml", SmallTaxonomy.replacing("tiers: [U]", with: "tiers: [U"))
        let error = try #require(TaxonomyFile.inspect(path: file).errors.first)
        #expect(error.message.hasPrefix("not valid YAML at line "))
        #expect(error.fix.contains("near line"))
        #expect(!error.description.contains("\n"))
    }

    /// A value left blank by a reading error is reported once, not again by every reference to it.
    @Test func aBlankValueIsNotReportedAgainAsABrokenReference() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(
            "taxonomy.yaml",
            SmallTaxonomy.replacing("  - code: NO-VEST\n", with: "  - cod: NO-VEST\n")
        )
        let errors = TaxonomyFile.inspect(path: file).errors
        #expect(errors.map(\.key) == ["regions[0].cod", "regions[0].code"], "\(errors)")
        #expect(errors.first?.message.contains("did you mean \"code\"?") == true)
    }

    @Test func theSmallTaxonomyIsValid() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let taxonomy = try TaxonomyFile.load(path: try folder.write("taxonomy.yaml", SmallTaxonomy.text))
        #expect(taxonomy.regions.map(\.code) == ["NO-VEST"])
        #expect(taxonomy.targetGroups.first?.exclusive == true)
        #expect(taxonomy.programme("NBO")?.evidenceBand == .eb)
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let text = SmallTaxonomy.text
            .replacingOccurrences(of: "    centre: RKBU", with: "    centr: RKBU")
            .replacingOccurrences(of: "      source: \"test estimate\"\n", with: "")
            .replacingOccurrences(of: "dyadic: true", with: "dyadic: sometimes")
            .replacingOccurrences(of: "{code: TRAINING,", with: "{code: training,")
        let file = try folder.write("taxonomy.yaml", text)
        #expect(throws: ConfigErrors.self) { try TaxonomyFile.load(path: file) }
        let keys = TaxonomyFile.inspect(path: file).errors.compactMap(\.key)
        #expect(
            Set(keys).isSuperset(of: [
                "regions[0].centr", "regions[0].births.source", "programmes[0].dyadic", "kinds[0].code",
            ]),
            "\(keys)"
        )
    }

    @Test func aMissingFileIsNamed() {
        let path = "/nonexistent/knutepunkt/taxonomy.yaml"
        do {
            _ = try TaxonomyFile.load(path: path)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.errors.map(\.code) == [.fileNotFound])
            #expect(error.description.hasPrefix(path + ": no such file"))
        }
    }

    @Test func birthsFarFromTheNationalFigureAreAWarning() throws {
        let folder = try ScratchFolder()
        defer { folder.remove() }
        let file = try folder.write(
            "taxonomy.yaml",
            SmallTaxonomy.replacing("births: {value: 1000, year: 2023", with: "births: {value: 1200, year: 2023")
        )
        // Still loads: a warning doesn't make the taxonomy unusable.
        _ = try TaxonomyFile.load(path: file)
        let inspection = TaxonomyFile.inspect(path: file)
        #expect(inspection.errors.isEmpty)
        let warning = try #require(inspection.warnings.first)
        #expect(inspection.warnings.count == 1)
        #expect(warning.key == "countries[0].births.value")
        #expect(warning.code == .inconsistent)
        #expect(warning.message.contains("1000") && warning.message.contains("1200"), "\(warning)")
        #expect(ConfigurationCheck.report(for: file).passed)
    }
}
