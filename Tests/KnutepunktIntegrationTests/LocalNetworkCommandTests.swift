import Foundation
import KnutepunktTesting
import Testing

/// `knutepunkt network` as `make run` starts it on a fresh checkout: no keys, no data yet.
@Suite struct LocalNetworkCommandTests {
    /// A copy of Configs/ whose loopback ports are ipc:// sockets in `folder` (no port to pick), whose HTTP servers
    /// take any free port, and whose data lives in `folder`, laid out as in the repository so every relative path in the shipped files holds.
    static func copyOfTheShippedLocalNetwork(in folder: TemporaryDirectory) throws -> String {
        let manager = FileManager.default
        let configs = folder.file("Configs")
        let local = folder.file("Configs/local")
        try manager.createDirectory(atPath: local, withIntermediateDirectories: true)
        for name in ["taxonomy.yaml", "gaps.yaml"] {
            try manager.copyItem(atPath: "\(Repository.root)/Configs/\(name)", toPath: "\(configs)/\(name)")
        }
        let shipped = "\(Repository.root)/Configs/local"
        let pattern = try Regex(#"tcp://127\.0\.0\.1:([0-9]+)"#)
        let httpPattern = try Regex(#"http: 127\.0\.0\.1:[0-9]+"#)
        for name in try manager.contentsOfDirectory(atPath: shipped) where name.hasSuffix(".yaml") {
            let text = try String(contentsOfFile: "\(shipped)/\(name)", encoding: .utf8)
            let rewritten = text.replacing(httpPattern, with: "http: 127.0.0.1:0").replacing(pattern) { match in
                "ipc://\(folder.file("port-\(match.output[1].substring ?? "").sock"))"
            }
            try rewritten.write(toFile: "\(local)/\(name)", atomically: true, encoding: .utf8)
        }
        return local
    }

    @Test(.timeLimit(.minutes(8)))
    func theFirstRunGeneratesTheKeysPublishesTheSampleAndPrintsTheGapReport() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configs = try Self.copyOfTheShippedLocalNetwork(in: folder)
        #expect(!FileManager.default.fileExists(atPath: folder.file(".data/local/keys/hub.key")))

        let run = try await CommandRun.knutepunkt([
            "network", "--configs", configs, "--logs", folder.file("logs"), "--exit-after-summary",
        ])

        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        #expect(run.output.contains("generated 5 CURVE key pairs (first run)"))
        #expect(FileManager.default.fileExists(atPath: folder.file(".data/local/keys/hub.key")))
        for node in ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"] {
            let lines = run.output.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix(node) && $0.contains(" published ") }, "\(node) published nothing")
        }
        // The monthly returns were made, and their completeness is shown before the gaps: most on time, some late,
        // the silent node's missing (overdue) once it fell silent.
        let lines = run.output.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("NO-VEST") && $0.hasSuffix(" monthly returns") })
        let returns = try #require(run.output.range(of: "monthly returns as of "), "no completeness table")
        let gapReport = try #require(run.output.range(of: "Gaps as of "), "no gap report")
        #expect(returns.lowerBound < gapReport.lowerBound)
        let grid = run.output[returns.lowerBound..<gapReport.lowerBound]
        let finnmark = try #require(grid.split(separator: "\n").first { $0.hasPrefix("NO-NORD-FINNMARK") })
        #expect(finnmark.contains("MISSING"), "\(finnmark)")
        #expect(grid.contains("✓") && grid.contains(/\+[0-9]+/), "on time and late returns")
        // The gap report ends the run: the known gaps of the seeds are there.
        #expect(run.output.contains("HICONF"))
        #expect(run.output.contains("PRISON"))
        #expect(run.output.contains("G6"))
        #expect(run.output.contains("D1"))
    }
}
