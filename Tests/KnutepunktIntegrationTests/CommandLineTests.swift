import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The coordinator's commands, run as the real `knutepunkt` executable against a real node.
@Suite(.serialized)
struct CommandLineTests {
    /// A node configuration whose control endpoint is an ipc:// socket in `folder` (no port to pick).
    static func writeNodeConfig(
        in folder: TemporaryDirectory
    ) throws -> (path: String, configuration: NodeConfiguration) {
        let path = folder.file("node.yaml")
        try """
        node:
          id: NO-VEST
          region: NO-VEST
          hub: tcp://127.0.0.1:9
          control: ipc://\(folder.file("control.sock"))
          outbox: \(folder.file("outbox.sqlite"))
          taxonomy: \(Repository.taxonomyPath)
          defaultNode: NO-VEST-BERGEN
        """.write(toFile: path, atomically: true, encoding: .utf8)
        guard case (.node(let configuration), _) = try DaemonConfiguration.load(path: path) else {
            throw PeerFailure("not a node configuration")
        }
        return (path, configuration)
    }

    static let spreadsheet = """
        date;kind;node;target_groups;programmes;tier;age_bands;professions;participants;families;sessions;funding;note
        2026-01-15;DELIVERY;NO-VEST-FONNA;PAR_MH;COS_P;S;M3_12|Y1_3;PHN|PSYCH;8;8;8;PERMANENT;COS-P group
        2026-02-03;VISIT;NO-VEST-FORDE;CW_CARE;;I;M3_12;CW|PSYCH;6;0;1;PERMANENT;
        2026-02-20;TRAINING;NO-VEST-BERGEN;PND;EPDS;U;PREG|M0_3;MIDWIFE|PHN|GP;22;0;1;TEMPORARY_PROJECT;EPDS training
        2026-03-05;SCREENING;NO-VEST-STAVANGER;PND;EPDS;X;M0_3;PHN;-31;31;1;PERMANENT;

        """

    /// `--version`: the release, then the commit a release build was given (Deploy/build-commit.sh); a build without
    /// one (these tests') says it is unknown. Scripts read the first word.
    @Test(.timeLimit(.minutes(5)))
    func versionSaysTheReleaseAndTheCommit() async throws {
        let run = try await CommandRun.knutepunkt(["--version"])
        #expect(run.status == 0)
        let line = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.split(separator: " ").first.map(String.init) == KnutepunktVersion.current)
        #expect(
            line.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+ \(commit (unknown|[0-9a-f]{12}(-dirty)?)\)/) != nil,
            "\(line)"
        )
    }

    @Test(.timeLimit(.minutes(5)))
    func importChecksEveryRowAndNamesLineAndColumn() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (config, _) = try Self.writeNodeConfig(in: folder)
        let csv = folder.file("activities.csv")
        try Self.spreadsheet.write(toFile: csv, atomically: true, encoding: .utf8)

        // Without --commit nothing is sent, so no node needs to run.
        let run = try await CommandRun.knutepunkt(["import", "--config", config, csv])
        #expect(run.status == 2)
        #expect(run.output.contains("line 3, column 2 (kind)"))
        #expect(run.output.contains("[UNKNOWN_CODE]"))
        #expect(run.output.contains("line 5, column 6 (tier)"))
        #expect(run.output.contains("line 5, column 9 (participants)"))
        #expect(run.output.contains("4 rows: 2 good, 2 with problems"))
        #expect(run.output.contains("Nothing was imported"))
    }

    @Test(.timeLimit(.minutes(5)))
    func importCommitsTheGoodRowsOnceAndStatusShowsThem() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (config, configuration) = try Self.writeNodeConfig(in: folder)
        let csv = folder.file("activities.csv")
        try Self.spreadsheet.write(toFile: csv, atomically: true, encoding: .utf8)
        let (first, second, status) = try await InProcessDaemons.withNode(configuration) { _ in
            let first = try await CommandRun.knutepunkt(["import", "--config", config, csv, "--commit"])
            let second = try await CommandRun.knutepunkt(["import", "--config", config, csv, "--commit"])
            let status = try await CommandRun.knutepunkt(["status", "--config", config, "--json"])
            return (first, second, status)
        }
        #expect(first.output.contains("imported 2 new rows"))
        #expect(first.status == 2, "bad rows still make the exit status say so")
        #expect(second.output.contains("imported 0 new rows (queued for the hub); 0 corrected; 2 were already there"))
        let report = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        let outbox = report?["outbox"] as? [String: Any]
        #expect(report?["role"] as? String == "node")
        #expect(outbox?["lastSequence"] as? Int == 2)
        #expect(outbox?["backlog"] as? Int == 2)
    }

    @Test(.timeLimit(.minutes(5)))
    func publishPrintsIdsAndExplainsANodeThatIsNotRunning() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (config, configuration) = try Self.writeNodeConfig(in: folder)
        let event = EventFixtures.event(source: "CLI", index: 1, region: "NO-VEST", node: "NO-VEST-FONNA")

        let down = try await CommandRun.knutepunkt(
            ["publish", "--config", config, "--timeout", "1", "-"],
            input: event
        )
        #expect(down.status != 0)
        #expect((down.output + down.errors).contains("is the daemon running?"))

        let (published, again) = try await InProcessDaemons.withNode(configuration) { _ in
            (
                try await CommandRun.knutepunkt(["publish", "--config", config, "-"], input: event),
                try await CommandRun.knutepunkt(["publish", "--config", config, "-"], input: "[\(event)]")
            )
        }
        let id = EventFixtures.id("CLI", 1)
        #expect(published.status == 0)
        #expect(published.output.contains("queued     \(id)  sequence 1"))
        #expect(again.output.contains("(already queued; identical, nothing new stored)"))
    }

    @Test(.timeLimit(.minutes(5)))
    func publishTestMarksEveryEventOfTheFileAsATestEvent() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (config, configuration) = try Self.writeNodeConfig(in: folder)
        let events = (1...2).map {
            EventFixtures.event(source: "CLT", index: $0, region: "NO-VEST", node: "NO-VEST-FONNA")
        }
        let run = try await InProcessDaemons.withNode(configuration) { _ in
            try await CommandRun.knutepunkt(
                ["publish", "--test", "--config", config, "-"],
                input: "[\(events.joined(separator: ","))]"
            )
        }
        #expect(run.status == 0)
        for index in 1...2 {
            #expect(
                run.output.contains(
                    "queued     \(EventFixtures.id("CLT", index))  sequence \(index)  (test event: never counted)"
                ),
                "\(run.output)"
            )
        }
        // What the outbox holds, and sends, says so.
        let outbox = try OutboxStore.open(path: configuration.outboxPath)
        defer { try? outbox.close() }
        let payloads = try outbox.payloads(1...2).map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(payloads.count == 2 && payloads.allSatisfy { $0.hasSuffix(#","test":true}"#) }, "\(payloads)")
    }
}
