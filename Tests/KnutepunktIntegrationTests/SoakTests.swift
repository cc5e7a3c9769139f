import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// The long run (`make soak SOAK_SECONDS=600 SOAK_NODES=8`): many nodes publishing while the hub and the nodes are
/// killed with SIGKILL at random for a set time; then every accepted event must be stored exactly once, in order.
/// Runs only when KNUTEPUNKT_SOAK_SECONDS is set, so not in `make test`.
@Suite(.serialized)
struct SoakTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seconds = Int(environment["KNUTEPUNKT_SOAK_SECONDS"] ?? "")
    static let nodeCount = Int(environment["KNUTEPUNKT_SOAK_NODES"] ?? "") ?? 8
    static let seed = UInt64(environment["KNUTEPUNKT_SOAK_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)

    @Test(.enabled(if: seconds != nil, "set KNUTEPUNKT_SOAK_SECONDS (make soak)"))
    func randomCrashesForASetTime() async throws {
        let duration = Duration.seconds(Self.seconds ?? 0)
        let regions = FaultNetwork.fourRegions
        let nodes: [FaultNetwork.Node] = (0..<Self.nodeCount).map { index in
            let region = regions[index % regions.count]
            return (String(format: "SOAK-%02d", index + 1), region.region, region.defaultNode)
        }
        print("SOAK \(Self.nodeCount) nodes for \(duration), seed \(Self.seed) (KNUTEPUNKT_SOAK_SEED reproduces it)")
        let network = try await FaultNetwork.start(nodes: nodes)
        var figures = FaultFigures("soak: \(Self.nodeCount) nodes, \(duration) of random SIGKILLs")
        let directory = network.directory
        let deadline = ContinuousClock.now + duration
        var random = SampleRandom(seed: Self.seed)
        var hubKills = 0
        var nodeKills = 0
        let accepted = try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for node in nodes {
                group.addTask {
                    var published = 0
                    while ContinuousClock.now < deadline {
                        published = try await FaultNetwork.publish(
                            node,
                            from: published,
                            to: published + 100,
                            directory: directory
                        )
                    }
                    return (node.id, published)
                }
            }
            // Chaos: every 0.5 to 3 s, kill the hub (one time in four) or a random node, and start it again after
            // 0 to 2 s.
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500 + Int(random.next() % 2_500)))
                let pause = Duration.milliseconds(Int(random.next() % 2_000))
                if random.next() % 4 == 0 {
                    await network.killHub()
                    hubKills += 1
                    try await Task.sleep(for: pause)
                    try await network.startHub()
                } else {
                    let victim = nodes[Int(random.next() % UInt64(nodes.count))]
                    await network.killNode(victim.id)
                    nodeKills += 1
                    try await Task.sleep(for: pause)
                    try await network.startNode(victim.id)
                }
            }
            var accepted: [String: Int] = [:]
            for try await (id, count) in group { accepted[id] = count }
            return accepted
        }
        let total = accepted.values.reduce(0, +)
        let drained = ContinuousClock.now
        #expect(try await network.hubStatus(waitForTotal: total, seconds: 300).events.total == total)
        figures.faults = hubKills + nodeKills
        figures.recovered(ContinuousClock.now - drained)
        figures.recoveryNote = "end of the run until the hub held everything"
        figures.notes.append("hub kills \(hubKills), node kills \(nodeKills), seed \(Self.seed)")
        try await network.finish(&figures, accepted: accepted)
    }
}
