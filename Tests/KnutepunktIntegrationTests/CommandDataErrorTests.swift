import Foundation
import KnutepunktTesting
import Testing

/// What a coordinator sees when the input, not the command line, is wrong: the problem without the usage text, and
/// an exit status of its own (65 data, 66 no input, 78 configuration), distinct from a usage error's 64.
@Suite(.serialized)
struct CommandDataErrorTests {
    @Test(.timeLimit(.minutes(1)))
    func dataErrorsSayWhereWithoutTheUsageText() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (config, _) = try CommandLineTests.writeNodeConfig(in: folder)

        // A JSON syntax error, placed by line and column (a byte offset means nothing to a person).
        let broken = folder.file("event.json")
        try "{\n  \"kind\": \"TRAINING\",\n  \"date\": 2026-01-02\n}\n".write(
            toFile: broken,
            atomically: true,
            encoding: .utf8
        )
        let syntax = try await CommandRun.knutepunkt(["publish", "--config", config, broken])
        #expect(syntax.status == 65)
        #expect(syntax.errors.contains("line 3, column 15"), "\(syntax.errors)")
        #expect(!syntax.errors.contains("USAGE") && !syntax.errors.contains("Usage"), "\(syntax.errors)")

        let notEvents = folder.file("list.json")
        try "[1, 2]".write(toFile: notEvents, atomically: true, encoding: .utf8)
        let missing = try await CommandRun.knutepunkt(["publish", "--config", config, folder.file("nothing.json")])
        #expect(missing.status == 66 && missing.errors.hasPrefix("error: cannot read"))
        #expect(!missing.errors.contains("USAGE"))

        let badConfig = folder.file("bad.yaml")
        try "node:\n  id: x\n".write(toFile: badConfig, atomically: true, encoding: .utf8)
        let configuration = try await CommandRun.knutepunkt(["publish", "--config", badConfig, broken])
        #expect(configuration.status == 78 && configuration.errors.contains("configuration problems"))
        #expect(!configuration.errors.contains("USAGE"))

        // A usage error is still one: 64, with the usage text.
        let usage = try await CommandRun.knutepunkt(["publish", "--config", config, "--no-such-option", broken])
        #expect(usage.status == 64 && usage.errors.contains("Usage"), "\(usage.errors)")
    }

    @Test(.timeLimit(.minutes(1)))
    func theImportCheckGivesTheSpreadsheetHints() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (config, _) = try CommandLineTests.writeNodeConfig(in: folder)
        let file = folder.file("activities.csv")
        try """
        date;kind;target_groups;tier;age_bands;professions;participants;families;sessions;funding;municipality
        15.10.2026;Spedbarnsdag;PND,PAR_MH;U;M0_3;Helsesøster;1 200;0;1;PERMANENT;301

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try await CommandRun.knutepunkt(["import", "--config", config, file])
        #expect(run.status == 2)
        for hint in [
            "hint: write dates as YYYY-MM-DD", "hint: use the code, not the name: Spedbarnsdag → INFANT_DAY",
            "hint: separate the items of a list with |", "hint: write whole numbers without spaces",
            "hint: municipality codes have 4 digits", "Helsesøster → PHN",
        ] {
            #expect(run.output.contains(hint), "\(hint)\n\(run.output)")
        }
    }
}
