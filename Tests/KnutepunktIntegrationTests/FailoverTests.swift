import Foundation
import KnutepunktClient
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// A node configured with a primary and a backup hub (`hubs:`), each hub with its own store: it fails over when the
/// primary dies and back when it returns, and each hub ends with every event exactly once (the node sends each hub
/// what that hub's WELCOME says it lacks).
@Suite(.serialized)
struct FailoverTests {
    @Test(.timeLimit(.minutes(8)))
    func nodeFailsOverToTheBackupHubAndBack() async throws {
        let node = FaultNetwork.fourRegions[1]
        let network = try await FaultNetwork.start(
            nodes: [node],
            nodeExtra: "  failbackAfter: 2s\n",
            startNodes: false
        )
        var figures = FaultFigures("failover: primary SIGKILL, backup takes over, primary back; 1 node x 3,000")
        let net = network.net
        let primary = await network.listenEndpoint

        // The backup hub: the same grants and keys, its own store and ports.
        let backupStore = net.folder.file("backup/hub.sqlite")
        let backupConfig = net.folder.file("hub-backup.yaml")
        var text = try String(contentsOfFile: net.hubConfigPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "sqlite:\(net.hubStorePath)", with: "sqlite:\(backupStore)")
        text = text.replacingOccurrences(of: "listen: \(primary)", with: "listen: tcp://127.0.0.1:*")
        try text.write(toFile: backupConfig, atomically: true, encoding: .utf8)
        let backupHub = try DaemonProcess(
            name: "backup-hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", backupConfig],
            logFile: net.folder.file("backup-hub.log")
        )
        let backupEndpoints = try await backupHub.ready()
        let backupListen = try #require(backupEndpoints["listen"])
        let backupControl = try #require(backupEndpoints["control"])
        func backupTotal(atLeast total: Int) async throws -> Int {
            let report = try await ControlClient.withConnection(
                to: backupControl,
                timeout: .seconds(60),
                curve: network.viewer
            ) {
                try $0.status(StatusRequest(waitForTotal: total, timeoutMillis: 60_000))
            }
            guard case .hub(let hub, _) = report else { return -1 }
            return hub.events.total
        }

        try await network.startNode(node.id, hubs: [primary, backupListen])
        let directory = network.directory
        var accepted = try await FaultNetwork.publish(node, to: 1_000, directory: directory)
        #expect(try await network.hubStatus(waitForTotal: accepted).events.total == accepted)

        await network.killHub()
        let killed = ContinuousClock.now
        figures.faults += 1
        accepted = try await FaultNetwork.publish(node, from: accepted, to: 2_000, directory: directory)
        // The backup had nothing: its WELCOME says 0, so the node sends it everything it retains.
        #expect(try await backupTotal(atLeast: accepted) == accepted)
        let failover = ContinuousClock.now - killed
        figures.recovered(failover)

        let restarted = ContinuousClock.now
        try await network.startHub()
        accepted = try await FaultNetwork.publish(node, from: accepted, to: 3_000, directory: directory)
        // After failbackAfter (2 s here) the node greets the primary again, which asks for what it missed. Only the
        // node can have brought the primary the events published after its restart, so this is the failback. (Where
        // the node is at this instant is not asserted: a 1 s hub timeout on a loaded machine may move it again.)
        #expect(try await network.hubStatus(waitForTotal: accepted).events.total == accepted)
        let failback = ContinuousClock.now - restarted
        let now = try await network.nodeStatus(node.id).hub.endpoint
        figures.notes.append("node now on the \(now == primary ? "primary" : "backup")")
        #expect(try await backupTotal(atLeast: 2_000) >= 2_000)
        #expect(await backupHub.stop() == 0)
        figures.recoveryNote = "primary killed until the backup held everything"
        figures.notes.append("failover \(failover), failback (primary restart until it held everything) \(failback)")

        // The backup holds what reached it while it was current: a prefix of the node's events, each once.
        let backupHeld = try SQLiteHubStore.open(path: backupStore)
        let backupCount = try backupHeld.counts().total
        try backupHeld.close()
        #expect(backupCount >= 2_000)
        var backupFigures = FaultFigures("failover: the backup hub's store")
        try FaultNetwork.check(
            store: backupStore,
            nodes: [node.id],
            accepted: [node.id: backupCount],
            into: &backupFigures
        )
        figures.notes.append(
            "backup store \(backupCount) events, lost \(backupFigures.lost), duplicated \(backupFigures.duplicated)"
        )
        #expect(backupFigures.duplicated == 0)
        #expect(backupFigures.lost == 0 && backupFigures.orderBroken == 0)
        try await network.finish(&figures, accepted: [node.id: accepted])
    }
}
