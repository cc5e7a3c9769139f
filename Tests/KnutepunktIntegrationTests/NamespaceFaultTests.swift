import Foundation
import KnutepunktTesting
import Testing

/// The kernel's own TCP under faults: the hub and each node in a network namespace of their own, joined by veth
/// pairs (``NetworkLab``), faults made with nftables, tc and the MTU rather than in user space. Each scenario ends
/// with every accepted event stored exactly once and each node's order kept, and prints one `FAULT` line.
///
/// Faults start and end on what happens, not on time: a coordinator is held at a number of accepted events while a
/// fault is put on, and a fault is lifted once the node has said in its log that it noticed (LogWatch, inotify).
@Suite(.serialized, .enabled(if: getuid() == 0, "network namespaces need root (CI runs the tests as root)"))
struct NamespaceFaultTests {
    static let nodes = Array(FaultNetwork.fourRegions.prefix(2))

    /// Publishes `perNode` events per node; each coordinator stops at `holdAt` accepted events until `during`, run
    /// once every coordinator is there, returns. Returns when every event was accepted.
    static func publish(
        _ network: NamespaceNetwork,
        perNode: Int,
        holdAt: Int? = nil,
        during: () async throws -> Void = {}
    ) async throws {
        let directory = network.directory
        if let holdAt { for node in network.nodes { await directory.hold(node.id, at: holdAt) } }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in network.nodes {
                group.addTask { try await FaultNetwork.publish(node, to: perNode, directory: directory) }
            }
            if let holdAt {
                for node in network.nodes { _ = await directory.waitForProgress(node.id, atLeast: holdAt) }
                try await during()
                for node in network.nodes { await directory.release(node.id) }
            }
            for try await _ in group {}
        }
    }

    static func accepted(_ network: NamespaceNetwork, _ perNode: Int) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: network.nodes.map { ($0.id, perNode) })
    }

    /// Random loss, 10 % of the packets each way on every link (`numgen random`), for the whole run: TCP
    /// retransmits, nothing above it notices but the pace.
    @Test(.timeLimit(.minutes(10)))
    func randomLossOnEveryLink() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes) else { return }
        let lab = try #require(network.lab)
        let perNode = 3_000
        var figures = FaultFigures("ns: 10% random loss both ways on 2 links, 2 nodes x 3,000")
        for node in Self.nodes { try await lab.drop(node.id, .both, percent: 10) }
        figures.faults = Self.nodes.count
        let started = ContinuousClock.now
        try await Self.publish(network, perNode: perNode)
        let submitted = ContinuousClock.now
        _ = try await network.hubStatus(waitForTotal: Self.nodes.count * perNode)
        figures.recovered(ContinuousClock.now - submitted)
        figures.recoveryNote = "last submission until the hub held everything, under loss"
        var dropped = 0
        for node in Self.nodes { dropped += await lab.dropped(node.id) }
        figures.notes.append("\(dropped) packets dropped; all stored \(ContinuousClock.now - started) after the first")
        try await network.finish(&figures, accepted: Self.accepted(network, perNode))
    }

    /// A silent partition (every packet dropped both ways, no RST, no ICMP) of one node while its coordinator goes
    /// on: the node notices by its heartbeats, keeps accepting, and delivers everything once the link is back.
    @Test(.timeLimit(.minutes(10)))
    func silentPartitionOfOneNode() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes) else { return }
        let lab = try #require(network.lab)
        let perNode = 3_000
        let cut = Self.nodes[0].id
        var figures = FaultFigures("ns: silent partition of \(cut), 2 nodes x 3,000")
        let log = network.nodeLog(cut)
        let before = LogWatch.size(of: log)
        var partitioned = ContinuousClock.now
        try await Self.publish(network, perNode: perNode, holdAt: 1_000) {
            try await lab.drop(cut, .both)
            partitioned = ContinuousClock.now
            figures.faults += 1
        }
        #expect(await LogWatch.wait(for: "reconnecting to the hub", in: log, after: before), "\(cut) noticed")
        figures.notes.append("\(cut) noticed after \(ContinuousClock.now - partitioned)")
        let healed = ContinuousClock.now
        figures.notes.append("\(await lab.dropped(cut)) packets dropped")
        try await lab.heal(cut)
        _ = try await network.hubStatus(waitForTotal: Self.nodes.count * perNode)
        figures.recovered(ContinuousClock.now - healed)
        figures.recoveryNote = "partition lifted until the hub held everything"
        try await network.finish(&figures, accepted: Self.accepted(network, perNode))
    }

    /// One-way partitions: one node's packets to the hub dropped (the hub hears nothing), the other node's packets
    /// from the hub dropped (events arrive and are stored, the ACKs never come back, so the node sends them again).
    @Test(.timeLimit(.minutes(10)))
    func oneWayPartitions() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes) else { return }
        let lab = try #require(network.lab)
        let perNode = 3_000
        let (deaf, mute) = (Self.nodes[0].id, Self.nodes[1].id)
        var figures = FaultFigures("ns: one-way partitions (\(deaf) to hub, hub to \(mute)), 2 nodes x 3,000")
        let sizes = [deaf, mute].map { LogWatch.size(of: network.nodeLog($0)) }
        var cut = ContinuousClock.now
        try await Self.publish(network, perNode: perNode, holdAt: 1_000) {
            try await lab.drop(deaf, .towardsHub)
            try await lab.drop(mute, .towardsNode)
            cut = ContinuousClock.now
            figures.faults += 2
        }
        for (node, size) in zip([deaf, mute], sizes) {
            #expect(
                await LogWatch.wait(for: "reconnecting to the hub", in: network.nodeLog(node), after: size),
                "\(node) noticed"
            )
            figures.notes.append("\(node) noticed after \(ContinuousClock.now - cut)")
        }
        let stored = try await network.hubStatus().events.total
        figures.notes.append("stored while cut: \(stored) (the ACK-less node's events arrive)")
        let healed = ContinuousClock.now
        try await lab.heal(deaf)
        try await lab.heal(mute)
        _ = try await network.hubStatus(waitForTotal: Self.nodes.count * perNode)
        figures.recovered(ContinuousClock.now - healed)
        figures.recoveryNote = "both lifted until the hub held everything"
        try await network.finish(&figures, accepted: Self.accepted(network, perNode))
    }

    /// A thin uplink: one node's traffic to the hub through tc's token bucket filter at 1 Mbit/s.
    @Test(.timeLimit(.minutes(10)))
    func bandwidthLimitedUplink() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes) else { return }
        let lab = try #require(network.lab)
        let perNode = 3_000
        let thin = Self.nodes[0].id
        var figures = FaultFigures("ns: \(thin) limited to 1 Mbit/s (tbf), 2 nodes x 3,000")
        try await lab.limitBandwidth(thin, rate: "1mbit")
        figures.faults = 1
        let started = ContinuousClock.now
        try await Self.publish(network, perNode: perNode)
        let submitted = ContinuousClock.now
        _ = try await network.hubStatus(waitForTotal: Self.nodes.count * perNode)
        let took = ContinuousClock.now - started
        figures.recovered(ContinuousClock.now - submitted)
        figures.recoveryNote = "last submission until the hub held everything"
        let seconds = Double(took.milliseconds) / 1000
        figures.notes.append(
            "all stored in \(String(format: "%.1f", seconds)) s: \(Int(Double(perNode) / seconds)) events/s from \(thin)"
        )
        try await lab.unlimitBandwidth(thin)
        try await network.finish(&figures, accepted: Self.accepted(network, perNode))
    }

    /// An MTU black hole: the path drops every packet from one node larger than 576 bytes, silently (no ICMP
    /// "fragmentation needed"), while handshakes and heartbeats pass. TCP's full-size segments vanish, the stream
    /// stalls, the node notices the silence and reconnects; when the path carries full-size packets again it
    /// delivers everything once.
    @Test(.timeLimit(.minutes(10)))
    func mtuBlackHole() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes) else { return }
        let lab = try #require(network.lab)
        let perNode = 3_000
        let holed = Self.nodes[0].id
        var figures = FaultFigures("ns: MTU black hole (> 576 bytes dropped) on \(holed), 2 nodes x 3,000")
        let log = network.nodeLog(holed)
        let before = LogWatch.size(of: log)
        var holeAt = ContinuousClock.now
        try await Self.publish(network, perNode: perNode, holdAt: 1_000) {
            try await lab.blackHole(holed, largerThan: 576)
            holeAt = ContinuousClock.now
            figures.faults += 1
        }
        #expect(await LogWatch.wait(for: "reconnecting to the hub", in: log, after: before), "\(holed) noticed")
        figures.notes.append("\(holed) noticed after \(ContinuousClock.now - holeAt)")
        figures.notes.append("\(await lab.dropped(holed)) large packets dropped")
        let healed = ContinuousClock.now
        try await lab.heal(holed)
        _ = try await network.hubStatus(waitForTotal: Self.nodes.count * perNode)
        figures.recovered(ContinuousClock.now - healed)
        figures.recoveryNote = "path restored until the hub held everything"
        try await network.finish(&figures, accepted: Self.accepted(network, perNode))
    }

    /// Latency and jitter like Bodø–Oslo: each node reaches the hub through a FaultProxy inside the hub's namespace,
    /// listening on the node's link, delaying every chunk 15 ms and then 40 ms (jitter between stages); one link
    /// also gets its connections reset once. (A user-space proxy sees a TCP byte stream, so it cannot reorder
    /// packets; the kernel has no netem here to do it.)
    @Test(.timeLimit(.minutes(10)))
    func latencyAndJitterThroughAProxyBetweenNamespaces() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes, proxied: true) else { return }
        let perNode = 3_000
        var figures = FaultFigures("ns: proxy in the hub's namespace, delay 15 ms then 40 ms, a reset; 2 nodes x 3,000")
        let proxies = await network.proxies
        for proxy in proxies.values { proxy.mode = .delay(.milliseconds(15)) }
        figures.faults += proxies.count
        let directory = network.directory
        for node in Self.nodes { await directory.hold(node.id, at: 1_500) }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in Self.nodes {
                group.addTask { try await FaultNetwork.publish(node, to: perNode, directory: directory) }
            }
            for node in Self.nodes { _ = await directory.waitForProgress(node.id, atLeast: 1_500) }
            for proxy in proxies.values { proxy.mode = .delay(.milliseconds(40)) }
            let first = try #require(proxies[Self.nodes[0].id])
            let connections = first.counters.connections
            first.resetAll()
            figures.faults += proxies.count + 1
            #expect(
                await first.wait(limit: .seconds(60)) { $0.connections > connections },
                "the reset node connected again"
            )
            for node in Self.nodes { await directory.release(node.id) }
            for try await _ in group {}
        }
        let submitted = ContinuousClock.now
        _ = try await network.hubStatus(waitForTotal: Self.nodes.count * perNode)
        figures.recovered(ContinuousClock.now - submitted)
        figures.recoveryNote = "last submission until the hub held everything"
        let forwarded = proxies.values.reduce(0) { $0 + $1.counters.forwardedBytes }
        figures.notes.append("\(forwarded) bytes through the proxies, all in \(ContinuousClock.now - started)")
        try await network.finish(&figures, accepted: Self.accepted(network, perNode))
    }
}
