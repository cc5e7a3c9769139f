import Foundation
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// `knutepunkt taxonomy diff|publish|status` and `knutepunkt status` as an operator runs them (Deploy/README.md, "A new
/// taxonomy"): the real executables, a hub whose taxonomy file is a copy in the test's folder, and a node following it.
/// A new code and new births are published and reach the running node without a restart; a renamed code is refused
/// and the version in force stays.
@Suite(.serialized)
struct TaxonomyCommandTests {
    /// Runs `knutepunkt arguments…` until its output contains `text` (a node takes an announced version a moment after
    /// it is published); returns the last run.
    static func run(_ arguments: [String], until text: String) async throws -> CommandRun {
        var run = try await CommandRun.knutepunkt(arguments)
        for _ in 0..<300 where !run.output.contains(text) {
            run = try await CommandRun.knutepunkt(arguments)
        }
        return run
    }

    @Test(.timeLimit(.minutes(8)))
    func aNewVersionIsDiffedPublishedAndFollowedAndARenameIsRefused() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try ReferenceDataTests.shipped.write(toFile: folder.file("taxonomy.yaml"), atomically: true, encoding: .utf8)
        let hubFile = folder.file("hub.yaml")
        try """
        hub:
          id: TEST-HUB
          listen: tcp://127.0.0.1:*
          publish: tcp://127.0.0.1:*
          control: ipc://\(folder.file("hub-control.sock"))
          storage: sqlite:\(folder.file("hub.sqlite"))
          taxonomy: taxonomy.yaml
          nodes:
            - {id: NO-VEST, region: NO-VEST}
        """.write(toFile: hubFile, atomically: true, encoding: .utf8)
        let hub = try DaemonProcess(
            name: "hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", hubFile, "--insecure"],
            logFile: folder.file("hub.log")
        )
        let listen = try #require(try await hub.ready()["listen"])
        let nodeFile = folder.file("node.yaml")
        // The node's own copy of the shipped file: it validates against the hub's version once one is announced.
        try """
        node:
          id: NO-VEST
          region: NO-VEST
          hub: \(listen)
          control: ipc://\(folder.file("node-control.sock"))
          outbox: \(folder.file("outbox.sqlite"))
          taxonomy: \(Repository.taxonomyPath)
          defaultNode: NO-VEST-FONNA
        """.write(toFile: nodeFile, atomically: true, encoding: .utf8)
        let node = try DaemonProcess(
            name: "node",
            executable: Repository.executable,
            arguments: ["node", "--config", nodeFile, "--insecure"],
            logFile: folder.file("node.log")
        )
        _ = try await node.ready()

        let hubStatus = try await CommandRun.knutepunkt(["taxonomy", "status", "--config", hubFile])
        #expect(hubStatus.output.hasPrefix("hub TEST-HUB: taxonomy version 1, fingerprint "), "\(hubStatus.output)")
        let nodeStatus = try await Self.run(["taxonomy", "status", "--config", nodeFile], until: "taxonomy version 1")
        #expect(nodeStatus.output.hasPrefix("node NO-VEST: taxonomy version 1"), "\(nodeStatus.output)")

        // A new kind and official births: diff says what would change and sends nothing on; publish takes it.
        let next = folder.file("taxonomy-next.yaml")
        try ReferenceDataTests.versionTwo.write(toFile: next, atomically: true, encoding: .utf8)
        let diff = try await CommandRun.knutepunkt(["taxonomy", "diff", "--config", hubFile, next])
        #expect(diff.status == 0)
        #expect(diff.output.contains("against the hub's version 1:"), "\(diff.output)")
        #expect(diff.output.contains("+ kind ASSESSMENT"))
        #expect(diff.output.contains("~ births NO-VEST: 11500 (2023, estimate) → 11620 (2024, published)"))
        let publish = try await CommandRun.knutepunkt(["taxonomy", "publish", "--config", hubFile, next])
        #expect(publish.status == 0, "\(publish.output)\(publish.errors)")
        #expect(publish.output.hasPrefix("published taxonomy version 2:"), "\(publish.output)")
        #expect(publish.output.contains("copied \(next) to"), "the hub's file follows, so a restart keeps it")
        #expect(
            try String(contentsOfFile: folder.file("taxonomy.yaml"), encoding: .utf8) == ReferenceDataTests.versionTwo
        )
        // The running node follows, without a restart, and says so in its status.
        let followed = try await Self.run(["status", "--config", nodeFile], until: "taxonomy: taxonomy version 2")
        #expect(followed.output.contains("taxonomy: taxonomy version 2, fingerprint "), "\(followed.output)")

        // A code renamed (PILOT becomes PILOTING): refused by diff and publish; version 2 stays in force.
        let renamed = folder.file("taxonomy-renamed.yaml")
        try ReferenceDataTests.versionTwo.replacingOccurrences(of: "{code: PILOT,", with: "{code: PILOTING,")
            .write(toFile: renamed, atomically: true, encoding: .utf8)
        let refusedDiff = try await CommandRun.knutepunkt(["taxonomy", "diff", "--config", hubFile, renamed])
        #expect(refusedDiff.status == 1)
        #expect(refusedDiff.output.contains("NOT ALLOWED: kind PILOT is missing"), "\(refusedDiff.output)")
        let refused = try await CommandRun.knutepunkt(["taxonomy", "publish", "--config", hubFile, renamed])
        #expect(refused.status == 1)
        #expect(refused.output.hasPrefix("not published; version 2 stays in force:"), "\(refused.output)")
        let after = try await CommandRun.knutepunkt(["taxonomy", "status", "--config", hubFile])
        #expect(after.output.hasPrefix("hub TEST-HUB: taxonomy version 2"), "\(after.output)")

        #expect(await node.stop() == 0)
        #expect(await hub.stop() == 0)
    }
}
