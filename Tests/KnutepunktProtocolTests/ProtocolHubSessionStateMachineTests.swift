import KnutepunktDomain
import KnutepunktTesting
import Testing

@testable import KnutepunktProtocol

@Suite struct ProtocolHubSessionStateMachineTests {
    typealias Hub = HubSessionStateMachine
    typealias Action = Hub.Action

    let t0 = ContinuousClock.now
    let peerA: Hub.Peer = [0x00, 0x41]
    let peerB: Hub.Peer = [0x00, 0x42]

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        t0 + .milliseconds(milliseconds)
    }

    func hub(settled: [String: UInt64] = [:], supported: ProtocolVersion = .current) -> Hub {
        Hub(
            configuration: .init(hubID: "HUB-NASJONAL", supported: supported),
            grants: ["NORD-01": .init(region: "Nord"), "VEST-02": .init(region: "Vest")],
            settled: settled
        )
    }

    func hello(_ node: String = "NORD-01", version: ProtocolVersion = .current) -> WireMessage {
        .hello(.init(version: version, nodeID: node, software: "test"))
    }

    func events(_ first: UInt64, _ count: Int) -> WireMessage {
        .events(
            .init(firstSequence: first, payloads: (0..<count).map { [UInt8(truncatingIfNeeded: first) &+ UInt8($0)] })
        )
    }

    func ingest(_ sequence: UInt64, node: String = "NORD-01", region: String = "Nord") -> Action {
        .ingest(.init(nodeID: node, region: region, sequence: sequence, payload: [UInt8(truncatingIfNeeded: sequence)]))
    }

    func welcome(_ settled: UInt64, minor: UInt8 = ProtocolVersion.current.minor) -> WireMessage {
        .welcome(.init(version: .init(major: 1, minor: minor), settledThrough: settled, hubID: "HUB-NASJONAL"))
    }

    /// Whether the only reply among `actions` is an ERROR of `reason` to `peer` (an admission refusal also reports
    /// itself as `.refused`, for the shell to count).
    func error(_ reason: ReasonCode, in actions: [Action], to peer: Hub.Peer) -> Bool {
        let replies = actions.filter { if case .refused = $0 { false } else { true } }
        guard replies.count == 1, case .reply(let target, .error(let error)) = replies[0] else { return false }
        return target == peer && error.reason == reason
    }

    /// A hub with NORD-01's session open on peer A.
    func withSession(settled: UInt64 = 0) -> Hub {
        var hub = hub(settled: ["NORD-01": settled])
        _ = hub.received(hello(), from: peerA, now: t0)
        return hub
    }

    // MARK: Greeting

    @Test func helloOpensASessionAndWelcomesWithCommittedProgress() {
        var hub = hub(settled: ["NORD-01": 41])
        let actions = hub.received(hello(), from: peerA, now: t0)
        #expect(actions == [.sessionOpened(nodeID: "NORD-01", peer: peerA), .reply(peerA, welcome(41))])
        #expect(hub.sessions.map(\.nodeID) == ["NORD-01"])
        #expect(hub.sessions.first?.region == "Nord")
        #expect(hub.sessions.first?.settledThrough == 41)
        #expect(hub.settledThrough(node: "VEST-02") == 0)
    }

    @Test(arguments: [(UInt8(0), UInt8(0), UInt8(0)), (3, 1, 1), (1, 4, 1), (2, 2, 2)])
    func theLowerMinorIsChosen(node: UInt8, hubMinor: UInt8, chosen: UInt8) {
        var hub = hub(supported: .init(major: 1, minor: hubMinor))
        let actions = hub.received(hello(version: .init(major: 1, minor: node)), from: peerA, now: t0)
        #expect(actions.last == .reply(peerA, welcome(0, minor: chosen)))
    }

    @Test func unknownNodeIsRefused() {
        var hub = hub()
        let actions = hub.received(hello("SOR-09"), from: peerA, now: t0)
        #expect(error(.unknownNode, in: actions, to: peerA))
        #expect(hub.sessions.isEmpty)
    }

    @Test(arguments: [UInt8(0), 2, 255])
    func otherMajorVersionsAreRefused(major: UInt8) {
        var hub = hub()
        let actions = hub.received(hello(version: .init(major: major, minor: 0)), from: peerA, now: t0)
        #expect(error(.versionUnsupported, in: actions, to: peerA))
        #expect(hub.sessions.isEmpty)
    }

    @Test func eventsAndHeartbeatsNeedASession() {
        var hub = hub()
        #expect(error(.helloRequired, in: hub.received(events(1, 1), from: peerA, now: t0), to: peerA))
        #expect(error(.helloRequired, in: hub.received(.heartbeat, from: peerB, now: t0), to: peerB))
    }

    @Test func heartbeatIsAnswered() {
        var hub = withSession()
        #expect(hub.received(.heartbeat, from: peerA, now: at(500)) == [.reply(peerA, .heartbeat)])
        #expect(hub.sessions.first?.lastHeard == at(500))
    }

    @Test(arguments: [
        WireMessage.ack(settledThrough: 1), .resend(from: 1),
        .nack(.init(sequence: 1, reason: .invalidEvent, detail: "")),
        .error(.init(reason: .malformedMessage, detail: "")),
        .welcome(.init(version: .current, settledThrough: 0, hubID: "X")),
    ])
    func hubCommandsFromANodeAreUnknownCommands(message: WireMessage) {
        var hub = withSession()
        #expect(error(.unknownCommand, in: hub.received(message, from: peerA, now: at(10)), to: peerA))
    }

    @Test func aNewerPeerReplacesTheOlderOne() {
        var hub = withSession(settled: 7)
        let actions = hub.received(hello(), from: peerB, now: at(100))
        #expect(
            actions == [
                .sessionClosed(nodeID: "NORD-01", reason: "replaced by a newer connection"),
                .sessionOpened(nodeID: "NORD-01", peer: peerB),
                .reply(peerB, welcome(7)),
            ]
        )
        #expect(hub.sessions.map(\.peer) == [peerB])
        #expect(error(.helloRequired, in: hub.received(events(8, 1), from: peerA, now: at(110)), to: peerA))
    }

    @Test func aRepeatedHelloOnTheSamePeerKeepsTheSession() {
        var hub = withSession()
        #expect(hub.received(hello(), from: peerA, now: at(100)) == [.reply(peerA, welcome(0))])
        #expect(hub.sessions.first?.openedAt == t0)
    }

    @Test func aPeerSwitchingNodeIDsClosesItsFormerSession() {
        var hub = withSession()
        let actions = hub.received(hello("VEST-02"), from: peerA, now: at(100))
        #expect(actions.first == .sessionClosed(nodeID: "NORD-01", reason: "its connection said HELLO as VEST-02"))
        #expect(hub.sessions.map(\.nodeID) == ["VEST-02"])
    }

    // MARK: Events

    @Test func eventsAreIngestedInOrderAndAckedAfterTheCommit() {
        var hub = withSession()
        #expect(hub.received(events(1, 3), from: peerA, now: at(10)) == [ingest(1), ingest(2), ingest(3)])
        #expect(hub.settledThrough(node: "NORD-01") == 0)
        #expect(hub.batchCommitted(now: at(20)) == [.reply(peerA, .ack(settledThrough: 3))])
        #expect(hub.settledThrough(node: "NORD-01") == 3)
        // Nothing new: nothing to ACK.
        #expect(hub.batchCommitted(now: at(30)).isEmpty)
    }

    @Test func ingestsCarryTheGrantsRegion() {
        var hub = hub()
        _ = hub.received(hello("VEST-02"), from: peerB, now: t0)
        #expect(hub.received(events(1, 1), from: peerB, now: at(10)) == [ingest(1, node: "VEST-02", region: "Vest")])
    }

    @Test func duplicatesAreSkippedButAcked() {
        var hub = withSession(settled: 3)
        // Only committed duplicates: ACK at once, as there may be no commit coming.
        #expect(hub.received(events(2, 2), from: peerA, now: at(10)) == [.reply(peerA, .ack(settledThrough: 3))])
        // Overlapping: the new ones are ingested, the old ones skipped.
        #expect(hub.received(events(2, 4), from: peerA, now: at(20)) == [ingest(4), ingest(5)])
        // Duplicates of pending events wait for the commit that makes them durable.
        #expect(hub.received(events(4, 2), from: peerA, now: at(30)).isEmpty)
        #expect(hub.batchCommitted(now: at(40)) == [.reply(peerA, .ack(settledThrough: 5))])
    }

    @Test func aGapAsksForAResendWithHoldoff() {
        var hub = withSession(settled: 10)
        #expect(hub.received(events(13, 2), from: peerA, now: at(0)) == [.reply(peerA, .resend(from: 11))])
        #expect(hub.received(events(15, 2), from: peerA, now: at(499)).isEmpty)
        #expect(hub.received(events(17, 2), from: peerA, now: at(500)) == [.reply(peerA, .resend(from: 11))])
        // The missing events arrive: ingested; then the next gap is a different one, reported at once.
        #expect(hub.received(events(11, 2), from: peerA, now: at(600)) == [ingest(11), ingest(12)])
        #expect(hub.received(events(20, 1), from: peerA, now: at(610)) == [.reply(peerA, .resend(from: 13))])
        // Nothing was ingested or duplicated by a gap alone: the commit ACKs only what was ingested.
        #expect(hub.batchCommitted(now: at(620)) == [.reply(peerA, .ack(settledThrough: 12))])
    }

    @Test func aFailedBatchRevertsToCommittedProgress() {
        var hub = withSession(settled: 2)
        #expect(hub.received(events(3, 3), from: peerA, now: at(10)) == [ingest(3), ingest(4), ingest(5)])
        #expect(hub.batchFailed(now: at(20)).isEmpty)
        #expect(hub.settledThrough(node: "NORD-01") == 2)
        // The node's next events show the hole the failure left.
        #expect(hub.received(events(6, 1), from: peerA, now: at(30)) == [.reply(peerA, .resend(from: 3))])
        #expect(hub.received(events(3, 4), from: peerA, now: at(40)) == [ingest(3), ingest(4), ingest(5), ingest(6)])
        #expect(hub.batchCommitted(now: at(50)) == [.reply(peerA, .ack(settledThrough: 6))])
    }

    // MARK: Pipelined commits

    @Test func eventsIngestedWhileABatchCommitsWaitForTheirOwnCommit() {
        var hub = withSession()
        #expect(hub.received(events(1, 3), from: peerA, now: at(10)) == [ingest(1), ingest(2), ingest(3)])
        hub.sealBatch()
        #expect(hub.isBatchSealed)
        // The next events go into the open batch while the sealed one commits.
        #expect(hub.received(events(4, 2), from: peerA, now: at(20)) == [ingest(4), ingest(5)])
        // The sealed batch's commit acknowledges only what it held.
        #expect(hub.sealedBatchCommitted(now: at(30)) == [.reply(peerA, .ack(settledThrough: 3))])
        #expect(hub.settledThrough(node: "NORD-01") == 3)
        #expect(!hub.isBatchSealed)
        hub.sealBatch()
        #expect(hub.sealedBatchCommitted(now: at(40)) == [.reply(peerA, .ack(settledThrough: 5))])
        // Nothing new: nothing to ACK.
        #expect(hub.batchCommitted(now: at(50)).isEmpty)
    }

    @Test func aWelcomeDuringACommitReportsOnlyWhatIsDurable() {
        var hub = withSession(settled: 2)
        _ = hub.received(events(3, 3), from: peerA, now: at(10))
        hub.sealBatch()
        // The node reconnects mid-commit: it must resend from 3, as nothing after 2 is durable yet.
        #expect(hub.received(hello(), from: peerB, now: at(20)).last == .reply(peerB, welcome(2)))
        // Its resends of the sealed events are duplicates, acknowledged once they are durable.
        #expect(hub.received(events(3, 3), from: peerB, now: at(30)).isEmpty)
        #expect(hub.sealedBatchCommitted(now: at(40)) == [.reply(peerB, .ack(settledThrough: 5))])
        // The ACK owed for the resends goes out with the next (empty) commit.
        #expect(hub.batchCommitted(now: at(50)) == [.reply(peerB, .ack(settledThrough: 5))])
    }

    @Test func aFailedSealedBatchDropsTheOpenBatchToo() {
        var hub = withSession(settled: 2)
        _ = hub.received(events(3, 2), from: peerA, now: at(10))
        hub.sealBatch()
        #expect(hub.received(events(5, 2), from: peerA, now: at(20)) == [ingest(5), ingest(6)])
        #expect(hub.sealedBatchFailed(now: at(30)).isEmpty)
        #expect(hub.settledThrough(node: "NORD-01") == 2)
        // Both batches are gone: the node's next event shows the hole from 3 on.
        #expect(hub.received(events(7, 1), from: peerA, now: at(40)) == [.reply(peerA, .resend(from: 3))])
        #expect(
            hub.received(events(3, 5), from: peerA, now: at(50))
                == [ingest(3), ingest(4), ingest(5), ingest(6), ingest(7)]
        )
        #expect(hub.batchCommitted(now: at(60)) == [.reply(peerA, .ack(settledThrough: 7))])
    }

    @Test func theAckGoesToTheNodesCurrentPeer() {
        var hub = withSession()
        _ = hub.received(events(1, 2), from: peerA, now: at(10))
        _ = hub.received(hello(), from: peerB, now: at(20))
        #expect(hub.batchCommitted(now: at(30)) == [.reply(peerB, .ack(settledThrough: 2))])
    }

    @Test func progressSurvivesTheSessionForTheNextWelcome() {
        var hub = withSession()
        _ = hub.received(events(1, 2), from: peerA, now: at(10))
        _ = hub.tick(now: at(20_000))
        // Committed after the session closed: no one to ACK, but WELCOME reports it.
        #expect(hub.batchCommitted(now: at(20_010)).isEmpty)
        #expect(hub.received(hello(), from: peerB, now: at(20_020)).last == .reply(peerB, welcome(2)))
    }

    // MARK: Liveness and errors

    @Test func silentSessionsTimeOut() {
        var hub = withSession()
        _ = hub.received(hello("VEST-02"), from: peerB, now: at(5000))
        #expect(hub.nextDeadline == at(10_000))
        #expect(hub.tick(now: at(9999)).isEmpty)
        #expect(hub.tick(now: at(10_000)) == [.sessionClosed(nodeID: "NORD-01", reason: "silent for 10.0 seconds")])
        #expect(hub.sessions.map(\.nodeID) == ["VEST-02"])
        _ = hub.received(.heartbeat, from: peerB, now: at(14_000))
        #expect(hub.tick(now: at(15_000)).isEmpty)
        #expect(hub.nextDeadline == at(24_000))
    }

    @Test func anUnreachablePeerClosesItsSession() {
        var hub = withSession()
        #expect(hub.peerUnreachable(peerA) == [.sessionClosed(nodeID: "NORD-01", reason: "peer unreachable")])
        #expect(hub.sessions.isEmpty)
        #expect(hub.peerUnreachable(peerA).isEmpty)
    }

    @Test func malformedMessagesAreAnsweredAtMostOncePerHoldoffPerPeer() {
        var hub = withSession()
        let garbage = WireError(code: .badFrameLength, detail: "ACK settled-through must be 8 bytes, got 3")
        let first = hub.malformed(garbage, from: peerA, now: at(100))
        #expect(error(.malformedMessage, in: first, to: peerA))
        #expect(hub.malformed(garbage, from: peerA, now: at(200)).isEmpty)
        #expect(error(.malformedMessage, in: hub.malformed(garbage, from: peerB, now: at(200)), to: peerB))
        #expect(error(.malformedMessage, in: hub.malformed(garbage, from: peerA, now: at(1100)), to: peerA))
        // Garbage from a session still shows its node is alive.
        #expect(hub.sessions.first?.lastHeard == at(1100))
        let version = WireError(code: .unsupportedVersion, detail: "major version 2")
        #expect(error(.versionUnsupported, in: hub.malformed(version, from: peerB, now: at(5000)), to: peerB))
    }

    // MARK: Any input

    @Test func randomInputsStoreEachNodesEventsOnceAndInOrder() {
        var random = SplitMix64(seed: 0x4855_4221)
        var hub = hub(settled: ["NORD-01": 5])
        var stored: [String: UInt64] = ["NORD-01": 5, "VEST-02": 0]
        var openBatch: [Hub.Ingest] = []
        var lastAck: [String: UInt64] = [:]
        let peers: [Hub.Peer] = [peerA, peerB, [0x00, 0x43]]
        var now = t0
        for _ in 0..<20_000 {
            now += .milliseconds(Int.random(in: 0...300, using: &random))
            let peer = peers.randomElement(using: &random)!
            let node = ["NORD-01", "VEST-02", "SOR-09"].randomElement(using: &random)!
            let base = stored[node, default: 0] + openBatchCount(openBatch, node)
            let actions: [Action]
            switch Int.random(in: 0..<12, using: &random) {
            case 0:
                actions = hub.received(hello(node), from: peer, now: now)
            case 1:
                actions = hub.tick(now: now)
            case 2:
                openBatch = []
                actions = hub.batchFailed(now: now)
            case 3:
                for ingest in openBatch {
                    #expect(ingest.sequence == stored[ingest.nodeID, default: 0] + 1, "stored out of order or twice")
                    stored[ingest.nodeID] = ingest.sequence
                }
                openBatch = []
                actions = hub.batchCommitted(now: now)
            case 4:
                actions = hub.received(.heartbeat, from: peer, now: now)
            case 5:
                actions = hub.peerUnreachable(peer)
            default:
                // Around what the hub expects next: duplicates, overlaps, the exact next one, and gaps.
                let first = UInt64(max(1, Int(base) + Int.random(in: -3...3, using: &random)))
                actions = hub.received(events(first, Int.random(in: 1...5, using: &random)), from: peer, now: now)
            }
            for action in actions {
                switch action {
                case .ingest(let ingest):
                    #expect(grantsRegion(ingest.nodeID) == ingest.region)
                    openBatch.append(ingest)
                case .reply(let target, .ack(let through)):
                    // An ACK never claims more than is durably stored, and never goes backwards on one peer.
                    guard let owner = hub.sessions.first(where: { $0.peer == target })?.nodeID else {
                        Issue.record("ACK to a peer without a session")
                        continue
                    }
                    #expect(through == stored[owner, default: 0])
                    #expect(through >= lastAck[owner, default: 0])
                    lastAck[owner] = through
                case .reply(_, .welcome(let welcome)):
                    #expect(welcome.settledThrough == stored[node, default: 0])
                default:
                    break
                }
            }
            for session in hub.sessions {
                #expect(session.settledThrough == stored[session.nodeID, default: 0])
            }
        }
        #expect(stored["NORD-01"]! > 5)
        #expect(stored["VEST-02"]! > 0)
    }

    func openBatchCount(_ batch: [Hub.Ingest], _ node: String) -> UInt64 {
        UInt64(batch.filter { $0.nodeID == node }.count)
    }

    func grantsRegion(_ node: String) -> String? {
        ["NORD-01": "Nord", "VEST-02": "Vest"][node]
    }
}
