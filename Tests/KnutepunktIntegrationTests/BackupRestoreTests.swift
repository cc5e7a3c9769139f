import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

/// `knutepunkt hub backup` while the hub runs, more events, `knutepunkt hub restore` of the older copy: the nodes
/// learn from WELCOME what the restored hub lacks and send it again from the delivered events they retain.
@Suite(.serialized)
struct BackupRestoreTests {
    @Test(.timeLimit(.minutes(8)))
    func restoringAnOlderBackupEndsWithEveryEventExactlyOnce() async throws {
        let nodes = Array(FaultNetwork.fourRegions.prefix(2))
        let network = try await FaultNetwork.start(nodes: nodes)
        var figures = FaultFigures("backup, 2,000 more, restore the older copy; 2 nodes x 3,000")
        let directory = network.directory
        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in nodes {
                group.addTask { try await FaultNetwork.publish(node, to: 1_000, directory: directory) }
            }
            for try await _ in group {}
        }
        _ = try await network.hubStatus(waitForTotal: 2_000)
        // Online: coordinators keep publishing while the copy is taken.
        let backup = network.net.folder.file("hub-backup.sqlite")
        let copied: CommandRun = try await withThrowingTaskGroup(of: CommandRun?.self) { group in
            for node in nodes {
                group.addTask {
                    _ = try await FaultNetwork.publish(node, from: 1_000, to: 1_500, directory: directory)
                    return nil
                }
            }
            group.addTask {
                try await CommandRun.knutepunkt([
                    "hub", "backup", "--config", network.net.hubConfigPath, "--out", backup,
                ])
            }
            var run: CommandRun?
            for try await result in group { if let result { run = result } }
            return try #require(run)
        }
        #expect(copied.status == 0, "\(copied.errors)")
        figures.notes.append(copied.output.trimmingCharacters(in: .whitespacesAndNewlines))
        let inBackup = try SQLiteHubStore.open(path: backup)
        let backedUp = try inBackup.counts().total
        try inBackup.close()
        #expect(backedUp >= 2_000 && backedUp <= 3_000)

        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in nodes {
                group.addTask { try await FaultNetwork.publish(node, from: 1_500, to: 3_000, directory: directory) }
            }
            for try await _ in group {}
        }
        _ = try await network.hubStatus(waitForTotal: 6_000)
        #expect(await network.stopHub() == 0)

        let restored = try await CommandRun.knutepunkt([
            "hub", "restore", "--config", network.net.hubConfigPath, "--from", backup,
        ])
        #expect(restored.status == 0, "\(restored.errors)")
        figures.faults = 1
        let restarted = ContinuousClock.now
        try await network.startHub()
        let report = try await network.hubStatus(waitForTotal: 6_000)
        #expect(report.events.total == 6_000)
        figures.recovered(ContinuousClock.now - restarted)
        figures.recoveryNote = "restored hub's start until it held every event again"
        figures.notes.append("the backup held \(backedUp); the nodes sent the other \(6_000 - backedUp) again")
        try await network.finish(&figures, accepted: Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, 3_000) }))
    }
}
