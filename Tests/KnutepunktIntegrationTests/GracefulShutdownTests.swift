import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

/// SIGTERM: a node stops taking submissions, gives what is in flight a bounded time to be acknowledged, and exits;
/// the hub commits and acknowledges the batch it holds and exits. Nothing a coordinator was told "accepted" is lost.
@Suite(.serialized)
struct GracefulShutdownTests {
    /// How long a daemon may take to exit after SIGTERM (the node's grace is 2 s).
    static let exitBound: Duration = .seconds(5)

    @Test(.timeLimit(.minutes(8)))
    func nodeAndHubStopGracefullyAndLoseNothing() async throws {
        let node = FaultNetwork.fourRegions[1]
        let network = try await FaultNetwork.start(nodes: [node])
        var figures = FaultFigures("SIGTERM: node with a backlog, then the hub mid-stream")
        let directory = network.directory
        var accepted = try await FaultNetwork.publish(node, to: 1_000, directory: directory)
        _ = try await network.hubStatus(waitForTotal: accepted)

        // The node stops with events in flight: the hub is frozen while they are accepted, and thawed as the node
        // is told to stop, so that the node's grace period has something to flush.
        await network.signalHub(SIGSTOP)
        accepted = try await FaultNetwork.publish(node, from: accepted, to: 2_000, directory: directory)
        let backlog = try await network.nodeStatus(node.id).outbox.backlog
        #expect(backlog > 0)
        await network.signalHub(SIGCONT)
        let stopping = ContinuousClock.now
        let nodeStatus = await network.stopNode(node.id)
        let nodeExit = ContinuousClock.now - stopping
        figures.faults += 1
        #expect(nodeStatus == 0)
        #expect(nodeExit < Self.exitBound, "the node took \(nodeExit) to stop")
        let outbox = try OutboxStore.open(path: network.net.outboxPath(node.id))
        let left = try outbox.summary().backlog
        try outbox.close()
        figures.notes.append("node: \(backlog) unacknowledged at SIGTERM, \(left) left at exit, exit in \(nodeExit)")

        // The hub stops mid-stream: whatever the node was told is delivered is in the hub's store.
        try await network.startNode(node.id)
        await directory.hold(node.id, at: 3_000)
        let resumeAt = accepted
        async let publishing = FaultNetwork.publish(node, from: resumeAt, to: 4_000, directory: directory)
        _ = await directory.waitForProgress(node.id, atLeast: 3_000)
        let hubStopping = ContinuousClock.now
        let hubStatus = await network.stopHub()
        let hubExit = ContinuousClock.now - hubStopping
        figures.faults += 1
        #expect(hubStatus == 0)
        #expect(hubExit < Self.exitBound, "the hub took \(hubExit) to stop")
        let delivered = try await network.nodeStatus(node.id).outbox.deliveredThrough
        let store = try SQLiteHubStore.open(path: network.net.hubStorePath)
        let settled = try store.settledProgress()[node.id] ?? 0
        let stored = try store.counts().total
        try store.close()
        #expect(delivered <= settled, "the node was told \(delivered) are delivered, the hub committed \(settled)")
        figures.notes.append("hub: exit in \(hubExit), committed \(settled), node told delivered \(delivered)")

        await directory.release(node.id)
        let restarted = ContinuousClock.now
        try await network.startHub()
        accepted = try await publishing
        #expect(try await network.hubStatus(waitForTotal: accepted).events.total == accepted)
        #expect(stored <= accepted)
        figures.recovered(ContinuousClock.now - restarted)
        figures.recoveryNote = "hub restart until it held every event"
        try await network.finish(&figures, accepted: [node.id: accepted])
    }
}
