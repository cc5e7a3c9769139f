import Testing

@testable import KnutepunktProtocol

@Suite struct ProtocolSimulationTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func everyEventIsStoredExactlyOnceInOrderOverALossyChannel(seed: UInt64) {
        var simulation = LossySimulation(eventCount: 5000, seed: seed)
        let finished = simulation.run(maxSteps: 60_000)  // 10 simulated minutes
        #expect(
            finished,
            "stored \(simulation.stored.count), node settled \(simulation.nodeSettled) after \(simulation.step) steps"
        )
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(5))")
        #expect(simulation.stored == Array(1...5000))
        #expect(simulation.stored.allSatisfy { simulation.storedPayloads[$0] == LossySimulation.payload($0) })
        // NACKs are sent once and may be lost, so the node knows at most what the hub refused.
        #expect(simulation.nodeRejected.isSubset(of: simulation.hubRejected))
        #expect(!simulation.nodeRejected.isEmpty)
        // The run must have exercised the recovery paths, or it proves little.
        #expect(simulation.failedCommits > 0)
    }

    @Test func aPerfectChannelNeedsNoRecovery() {
        var simulation = LossySimulation(
            eventCount: 5000,
            seed: 7,
            odds: .init(drop: 0, duplicate: 0, reorder: 0, commitFailure: 0, connectionDeath: 0)
        )
        let finished = simulation.run(maxSteps: 10_000)
        #expect(finished)
        #expect(simulation.reconnects == 0)
        #expect(simulation.problems.isEmpty)
        #expect(simulation.nodeRejected == simulation.hubRejected)
    }

    @Test func aHarshChannelOnlySlowsDeliveryDown() {
        var simulation = LossySimulation(
            eventCount: 5000,
            seed: 99,
            odds: .init(drop: 0.2, duplicate: 0.1, reorder: 0.2, commitFailure: 0.2, connectionDeath: 0.002)
        )
        let finished = simulation.run(maxSteps: 60_000)
        #expect(finished, "stored \(simulation.stored.count) after \(simulation.step) steps")
        #expect(simulation.violations.isEmpty, "\(simulation.violations.prefix(5))")
        #expect(simulation.stored == Array(1...5000))
        #expect(simulation.reconnects > 0)
    }
}
