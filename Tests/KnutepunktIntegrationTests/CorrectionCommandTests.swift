import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import Testing

/// Corrections and withdrawals as a coordinator makes them: the real `knutepunkt` executable against a real node and
/// hub. Publishing a file again, correcting an event, a conflicting and a stale correction, a withdrawal, the node's
/// list of events and the hub's history; a spreadsheet imported again after a row changed.
@Suite(.serialized)
struct CorrectionCommandTests {
    /// A hub on a store in `folder` (plaintext), a node of NO-VEST connected to it, and their configuration files.
    static func withNetwork<T: Sendable>(
        _ folder: TemporaryDirectory,
        _ body: @Sendable (_ node: String, _ hub: String) async throws -> T
    ) async throws -> T {
        let hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        let hubPath = folder.file("hub.yaml")
        try """
        hub:
          id: TEST-HUB
          listen: tcp://127.0.0.1:*
          publish: tcp://127.0.0.1:*
          control: tcp://127.0.0.1:*
          storage: sqlite:\(folder.file("hub.sqlite"))
          taxonomy: \(Repository.taxonomyPath)
          nodes:
            - id: NO-VEST
              region: NO-VEST
        """.write(toFile: hubPath, atomically: true, encoding: .utf8)
        return try await InProcessDaemons.withHub(hubConfiguration) { endpoints in
            let nodePath = folder.file("node.yaml")
            try """
            node:
              id: NO-VEST
              region: NO-VEST
              hub: \(endpoints.listen)
              control: ipc://\(folder.file("control.sock"))
              outbox: \(folder.file("outbox.sqlite"))
              taxonomy: \(Repository.taxonomyPath)
              defaultNode: NO-VEST-BERGEN
            """.write(toFile: nodePath, atomically: true, encoding: .utf8)
            guard case (.node(let node), _) = try DaemonConfiguration.load(path: nodePath) else {
                throw PeerFailure("not a node configuration")
            }
            return try await InProcessDaemons.withNode(node) { _ in try await body(nodePath, hubPath) }
        }
    }

    static func event(participants: Int, date: String, basedOn: Int? = nil, id: String? = nil) -> String {
        var members: [String] = []
        if let id { members.append("\"id\": \"\(id)\"") }
        if let basedOn { members.append("\"based_on\": \(basedOn)") }
        members += [
            "\"kind\": \"TRAINING\"", "\"date\": \"\(date)\"", "\"target_groups\": [\"PND\"]",
            "\"programmes\": [\"COS_P\"]", "\"tier\": \"S\"", "\"age_bands\": [\"M3_12\"]",
            "\"professions\": [\"PHN\", \"GP\"]", "\"participants\": \(participants)", "\"families\": 0",
            "\"sessions\": 2", "\"funding\": \"PERMANENT\"",
        ]
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func drained(_ node: String) async throws {
        let status = try await CommandRun.knutepunkt(["status", "--config", node, "--wait-drained", "--wait", "60"])
        #expect(status.status == 0, "\(status.output)\(status.errors)")
    }

    static func show(_ title: String, _ run: CommandRun) {
        print("── \(title) (exit \(run.status))\n\(run.output)\(run.errors)")
    }

    @Test(.timeLimit(.minutes(6)))
    func aCoordinatorCorrectsWithdrawsAndPublishesAgainWithoutDuplicates() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.file("events.json")
        try "[\(Self.event(participants: 14, date: "2026-03-12")), \(Self.event(participants: 9, date: "2026-03-13"))]"
            .write(toFile: file, atomically: true, encoding: .utf8)
        try await Self.withNetwork(folder) { node, hub in
            // Events without ids get lasting ones, written into the file before anything is sent.
            let first = try await CommandRun.knutepunkt(["publish", "--config", node, file])
            Self.show("publish", first)
            #expect(first.status == 0)
            #expect(first.output.contains("gave 2 events an id and wrote it into \(file)"))
            let written = try JSONValue.parse(Array(try String(contentsOfFile: file, encoding: .utf8).utf8))
            let ids = try #require(written.arrayValue?.compactMap { $0["id"]?.stringValue })
            #expect(ids.count == 2)
            try await Self.drained(node)

            // The same file again: recognised, nothing stored twice.
            let again = try await CommandRun.knutepunkt(["publish", "--config", node, file])
            Self.show("publish the same file again", again)
            #expect(again.status == 0)
            #expect(
                again.output.components(separatedBy: "(already at the hub; identical, nothing new stored)").count == 3
            )

            // The same id with other content and no based_on: refused, naming the version.
            let changed = folder.file("changed.json")
            try Self.event(participants: 16, date: "2026-03-12", id: ids[0]).write(
                toFile: changed,
                atomically: true,
                encoding: .utf8
            )
            let conflict = try await CommandRun.knutepunkt(["publish", "--config", node, changed])
            Self.show("publish a changed event without based_on", conflict)
            #expect(conflict.status == 2)
            #expect(conflict.output.contains("is already at version 1 at this node with other content"))
            #expect(conflict.output.contains("participants 14 → 16"))
            #expect(conflict.output.contains("[CONFLICTING_CONTENT]"))

            // The correction: based on version 1.
            try Self.event(participants: 16, date: "2026-03-12", basedOn: 1, id: ids[0]).write(
                toFile: changed,
                atomically: true,
                encoding: .utf8
            )
            let correction = try await CommandRun.knutepunkt(["publish", "--config", node, changed])
            Self.show("publish the correction", correction)
            #expect(correction.status == 0)
            #expect(correction.output.contains("version 2 (correction of version 1)"))
            #expect(correction.output.contains("changed: participants 14 → 16"))

            // Someone else's correction of version 1, made before they saw version 2: stale.
            let stale = folder.file("stale.json")
            try Self.event(participants: 18, date: "2026-03-12", basedOn: 1, id: ids[0]).write(
                toFile: stale,
                atomically: true,
                encoding: .utf8
            )
            let staleRun = try await CommandRun.knutepunkt(["publish", "--config", node, stale])
            Self.show("publish a correction of an older version", staleRun)
            #expect(staleRun.status == 2)
            #expect(staleRun.output.contains("is at version 2 at this node; this correction is based on version 1"))
            #expect(staleRun.output.contains("[STALE_VERSION]"))

            let withdrawal = try await CommandRun.knutepunkt(
                ["withdraw", "--config", node, ids[1], "--reason", "entered twice"]
            )
            Self.show("withdraw", withdrawal)
            #expect(withdrawal.status == 0)
            #expect(withdrawal.output.contains("version 2 (withdrawal of version 1)"))
            try await Self.drained(node)

            let listing = try await CommandRun.knutepunkt(["events", "--config", node])
            Self.show("events", listing)
            #expect(listing.output.contains("withdrawn: entered twice"))
            let withdrawn = try await CommandRun.knutepunkt([
                "events", "--config", node, "--state", "withdrawn", "--json",
            ])
            let list = try JSONValue.parse(Array(withdrawn.output.utf8))
            #expect(list["events"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[1]])

            let history = try await CommandRun.knutepunkt(["history", "--config", hub, ids[0]])
            Self.show("history", history)
            #expect(history.status == 0)
            #expect(history.output.contains("event \(ids[0]): 2 versions, latest 2"))
            #expect(history.output.contains("version 2  corrects version 1  [latest]"))
            #expect(history.output.contains("changed: participants 14 → 16"))
            #expect(history.output.contains("submitted by \(EventIdentityUser.name)"))
        }
        // What counts at the hub: the corrected event, not the withdrawn one; counters equal a rebuild.
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.counts().total == 1)
        #expect(try store.counts().withdrawn == 1)
        #expect(try store.counts().versions == 4)
        let counters = try store.activityCounters()
        #expect(counters.cells.values.map(\.participants) == [16])
        try store.rebuildActivityCounts(validator: EventValidator(taxonomy: InProcessDaemons.taxonomy), today: .today())
        #expect(try store.activityCounters() == counters)
    }

    @Test(.timeLimit(.minutes(6)))
    func aSpreadsheetImportedAgainCorrectsChangedRowsAndStoresNothingTwice() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let csv = folder.file("activities.csv")
        let rows = """
            date;kind;target_groups;programmes;tier;age_bands;professions;participants;families;sessions;funding
            2026-01-15;DELIVERY;PAR_MH;COS_P;S;M3_12;PHN|PSYCH;8;8;8;PERMANENT
            2026-02-20;TRAINING;PND;EPDS;U;PREG|M0_3;MIDWIFE|PHN|GP;22;0;1;TEMPORARY_PROJECT

            """
        try rows.write(toFile: csv, atomically: true, encoding: .utf8)
        try await Self.withNetwork(folder) { node, hub in
            let first = try await CommandRun.knutepunkt(["import", "--config", node, csv, "--commit"])
            Self.show("import", first)
            #expect(first.status == 0)
            #expect(first.output.contains("gave 2 rows an id and wrote it into \(csv) (column id)"))
            #expect(first.output.contains("imported 2 new rows"))
            let withIDs = try String(contentsOfFile: csv, encoding: .utf8)
            #expect(withIDs.hasPrefix("id;date;kind"))
            try await Self.drained(node)

            // The coordinator fixes a figure in the spreadsheet and imports it again.
            try withIDs.replacingOccurrences(of: ";22;0;1;", with: ";24;0;1;").write(
                toFile: csv,
                atomically: true,
                encoding: .utf8
            )
            let second = try await CommandRun.knutepunkt(["import", "--config", node, csv, "--commit"])
            Self.show("import after a change", second)
            #expect(second.status == 0)
            #expect(second.output.contains("participants 22 → 24"))
            #expect(
                second.output.contains("imported 0 new rows (queued for the hub); 1 corrected; 1 were already there")
            )
            try await Self.drained(node)
            _ = hub
        }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.counts().total == 2)
        #expect(try store.counts().versions == 3)
        #expect(try store.activityCounters().cells.values.map(\.participants).sorted() == [8, 24])
    }
}

extension CorrectionCommandTests {
    /// A node whose outbox was replaced does not know what the hub holds: the hub decides, and its refusal names the
    /// current version; an identical event is delivered (already at the hub); following the refusal's advice works.
    @Test(.timeLimit(.minutes(6)))
    func theHubNamesTheCurrentVersionToANodeThatLostItsOutbox() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let x = EventFixtures.id("LOST", 1)
        let y = EventFixtures.id("LOST", 2)
        @Sendable func event(_ id: String, participants: Int, basedOn: Int? = nil) -> [UInt8] {
            Array(Self.event(participants: participants, date: "2026-03-12", basedOn: basedOn, id: id).utf8)
        }
        try await Self.withNetwork(folder) { node, _ in
            guard case (.node(let configuration), _) = try DaemonConfiguration.load(path: node) else { return }
            _ = try await ControlClient.withConnection(to: configuration.controlEndpoint, timeout: .seconds(60)) {
                _ = try $0.submit([event(x, participants: 14), event(y, participants: 9)])
                return try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 30_000))
            }
        }
        // The same node again, with an empty outbox.
        try FileManager.default.removeItem(atPath: folder.file("outbox.sqlite"))
        try? FileManager.default.removeItem(atPath: folder.file("outbox.sqlite-wal"))
        try? FileManager.default.removeItem(atPath: folder.file("outbox.sqlite-shm"))
        let (listed, fixed) = try await Self.withNetwork(folder) { node, _ in
            guard case (.node(let configuration), _) = try DaemonConfiguration.load(path: node) else {
                throw PeerFailure("not a node configuration")
            }
            return try await ControlClient.withConnection(to: configuration.controlEndpoint, timeout: .seconds(60)) {
                client in
                _ = try client.submit([event(x, participants: 16), event(y, participants: 9)])
                _ = try client.status(StatusRequest(waitForDrained: true, timeoutMillis: 30_000))
                let listed = try client.events(EventsRequest())
                let fixed = try client.submit([event(x, participants: 16, basedOn: 1)])
                _ = try client.status(StatusRequest(waitForDrained: true, timeoutMillis: 30_000))
                return (listed, fixed)
            }
        }
        let byID = Dictionary(uniqueKeysWithValues: listed.events.map { ($0.id, $0) })
        print("refused by the hub: \(byID[x]?.reason ?? "")")
        #expect(byID[x]?.state == "refused")
        #expect(
            byID[x]?.reason?.hasPrefix(
                "CONFLICTING_CONTENT: event \(x) is already at version 1 at the hub with other content; yours differs in "
                    + "participants 14 → 16. Nothing was stored. To correct it, publish the whole event with \"based_on\": 1"
            ) == true
        )
        #expect(byID[y]?.state == "delivered")
        #expect(fixed.first?.version == 2)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        let history = try store.history(of: try #require(UUID(uuidString: x)))
        #expect(history.map(\.version) == [1, 2])
        #expect(try store.counts().total == 2)
        #expect(try store.activityCounters().cells.values.map(\.participants).reduce(0, +) == 9 + 16)
    }
}

/// The operating-system user the tool records as the submitter.
enum EventIdentityUser {
    static var name: String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? ""
    }
}
