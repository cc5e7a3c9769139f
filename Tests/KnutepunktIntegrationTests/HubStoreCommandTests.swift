import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The ops and report commands over a hub's store, run as the real `knutepunkt` executable.
@Suite(.serialized)
struct HubStoreCommandTests {
    /// A hub configuration over a store in `folder` holding the sample data set and its monthly returns.
    static func hubWithSample(in folder: TemporaryDirectory) throws -> String {
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        let sample = SampleActivities(
            taxonomy: InProcessDaemons.taxonomy,
            start: LocalDate.today().adding(days: -364),
            seed: 2026
        )
        try SampleGapReportTests.store(sample, asOf: LocalDate.today(), in: store)
        try store.close()
        let path = folder.file("hub.yaml")
        try """
        hub:
          id: NO-HUB
          listen: tcp://127.0.0.1:*
          publish: tcp://127.0.0.1:*
          control: tcp://127.0.0.1:*
          storage: sqlite:\(folder.file("hub.sqlite"))
          taxonomy: \(Repository.taxonomyPath)
          nodes:
            - id: NO-VEST
              region: NO-VEST
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(.timeLimit(.minutes(5)))
    func rebuildAggregatesFindsTheCountersKeptWhileStoringRight() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try Self.hubWithSample(in: folder)
        let events = try SQLiteHubStore.open(path: folder.file("hub.sqlite")).activityCountCoverage().stored

        let first = try await CommandRun.knutepunkt(["hub", "rebuild-aggregates", "--config", config])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("\(events) stored events, \(events) counted"))
        #expect(first.output.contains("unchanged"))

        // Counters lost (a store from before they existed): the rebuild restores them.
        try SQLiteTestAccess.execute("DELETE FROM activity_counts", in: folder.file("hub.sqlite"))
        let refused = try await CommandRun.knutepunkt(["gaps", "--config", config])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("rebuild-aggregates"), "\(refused.errors)")
        let second = try await CommandRun.knutepunkt(["hub", "rebuild-aggregates", "--config", config])
        #expect(second.status == 0)
        #expect(second.output.contains("  changed") && !second.output.contains("unchanged"), "\(second.output)")
        #expect(try await CommandRun.knutepunkt(["gaps", "--config", config]).status == 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func gapsExportsCSVAndJSONWithoutSmallCounts() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try Self.hubWithSample(in: folder)

        let csv = try await CommandRun.knutepunkt(["gaps", "--config", config, "--csv", "--rule", "G1"])
        #expect(csv.status == 0, "\(csv.output)")
        let lines = csv.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("rank,group,region,rule,name,severity,target_group,") == true)
        #expect(lines.contains { $0.contains(",NO-NORD,G1,ABSENT_SERVICE,RED,HICONF,") })
        #expect(lines.dropFirst().allSatisfy { $0.contains(",G1,") })

        let json = try await CommandRun.knutepunkt(["gaps", "--config", config, "--json", "--region", "NO-NORD"])
        #expect(json.status == 0)
        struct Report: Decodable { var findings: [GapRecord] }
        let records = try JSONDecoder().decode(Report.self, from: Data(json.output.utf8)).findings
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { $0.region == nil || $0.region == "NO-NORD" })
        // No count of 1…4 events or families leaves in an export.
        for record in records {
            for name in ["events", "observed", "families", "temporaryEvents", "before", "recent"] {
                if let value = record.inputs[name] { #expect(!SmallCells.isSmall(Int(value)), "\(record.key) \(name)") }
            }
        }
        #expect(records.contains { $0.withheld != nil }, "the small northern sample has withheld counts")

        let both = try await CommandRun.knutepunkt(["gaps", "--config", config, "--json", "--csv"])
        #expect(both.status != 0)
        #expect(both.errors.contains("choose one of --json, --csv and --excel"))
    }
}

/// The report commands behave alike: every format, the same order in each, unknown filters refused with a
/// "did you mean".
@Suite(.serialized)
struct ReportCommandTests {
    @Test(.timeLimit(.minutes(6)))
    func everyReportCommandWritesEveryFormatInOneOrder() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try HubStoreCommandTests.hubWithSample(in: folder)

        // gaps: the text's groups, the JSON's findings and the CSV's rows list the gaps in one order.
        let json = try await CommandRun.knutepunkt(["gaps", "--config", config, "--json"])
        #expect(json.status == 0, "\(json.errors)")
        struct Report: Decodable {
            struct Group: Decodable { var keys: [String] }
            var groups: [Group]
            var findings: [GapRecord]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(json.output.utf8))
        #expect(report.findings.map(\.key) == report.groups.flatMap(\.keys))
        let csv = try await CommandRun.knutepunkt(["gaps", "--config", config, "--csv"])
        let rows = csv.output.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false)
        }
        #expect(rows.map { Int($0[0]) } == Array(1...report.findings.count).map(Optional.some))
        #expect(rows.map { String($0[3]) } == report.findings.map(\.rule))
        let text = try await CommandRun.knutepunkt(["gaps", "--config", config, "--statistics"])
        #expect(text.output.hasPrefix("Gaps as of "))
        #expect(text.output.contains("National summary by target group"))
        #expect(text.output.contains("inputs: "))
        let nb = try await CommandRun.knutepunkt(["gaps", "--config", config, "--language", "nb"])
        #expect(nb.output.contains("Nasjonalt sammendrag per målgruppe") && nb.output.contains("ingen tjeneste i"))

        // Norwegian Excel: a byte order mark, semicolons, decimal commas, CRLF.
        let excel = try await CommandRun.knutepunkt(["coverage", "--config", config, "--excel"])
        #expect(excel.status == 0)
        #expect(excel.output.hasPrefix("\u{FEFF}country;region;target_group;events;families;rate_per_1000_births;"))
        #expect(excel.output.contains("\r\nNO;NO-SOROST;ALL;"))
        #expect(excel.output.range(of: #";[0-9]+,[0-9]{2};"#, options: .regularExpression) != nil)
        let coverage = try await CommandRun.knutepunkt(["coverage", "--config", config, "--csv", "--region", "NO-NORD"])
        let coverageRows = coverage.output.split(separator: "\n").dropFirst()
        #expect(coverageRows.count == 17 && coverageRows.allSatisfy { $0.hasPrefix("NO,NO-NORD,") })
        let coverageJSON = try await CommandRun.knutepunkt(["coverage", "--config", config, "--json"])
        #expect(coverageJSON.status == 0 && coverageJSON.output.contains("\"band\" : \"absent\""))
        for format in ["--json", "--csv", "--excel"] {
            let programmes = try await CommandRun.knutepunkt(["programmes", "--config", config, format])
            #expect(programmes.status == 0 && programmes.output.contains("NFP"), "programmes \(format)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func unknownRegionsAndRulesAreRefusedWithADidYouMean() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let config = try HubStoreCommandTests.hubWithSample(in: folder)
        let region = try await CommandRun.knutepunkt(["gaps", "--config", config, "--region", "NO-NROD"])
        #expect(region.status != 0)
        #expect(region.errors.contains("unknown region NO-NROD; did you mean NO-NORD?"), "\(region.errors)")
        let coverage = try await CommandRun.knutepunkt(["coverage", "--config", config, "--region", "no-vest"])
        #expect(coverage.errors.contains("did you mean NO-VEST?"), "\(coverage.errors)")
        let rule = try await CommandRun.knutepunkt(["gaps", "--config", config, "--rule", "ABSENT_SERVCE"])
        #expect(rule.status != 0)
        #expect(rule.errors.contains("unknown rule ABSENT_SERVCE; did you mean ABSENT_SERVICE?"), "\(rule.errors)")
        // Lower case is understood.
        #expect(try await CommandRun.knutepunkt(["gaps", "--config", config, "--rule", "g1"]).status == 0)
    }
}
