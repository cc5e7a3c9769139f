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
    /// A hub configuration over a store in `folder` holding the sample data set.
    static func hubWithSample(in folder: TemporaryDirectory) throws -> String {
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        let sample = SampleActivities(
            taxonomy: InProcessDaemons.taxonomy,
            start: LocalDate.today().adding(days: -364),
            seed: 2026
        )
        for region in ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"] {
            var batch = HubBatch()
            for (index, event) in sample.activities(region: region).enumerated() {
                batch.events.append(
                    HubEventRecord(
                        source: region,
                        sequence: UInt64(index + 1),
                        event: event,
                        payload: event.canonicalJSON()
                    )
                )
            }
            _ = try store.commit(batch, receivedAt: Date())
        }
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

    @Test(.timeLimit(.minutes(1)))
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
        #expect(second.output.contains("changed"))
        #expect(try await CommandRun.knutepunkt(["gaps", "--config", config]).status == 0)
    }

    @Test(.timeLimit(.minutes(1)))
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
