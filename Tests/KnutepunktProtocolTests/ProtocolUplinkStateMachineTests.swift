import KnutepunktDomain
import KnutepunktTesting
import Testing

@testable import KnutepunktProtocol

@Suite struct ProtocolUplinkStateMachineTests {
    typealias Action = UplinkStateMachine.Action

    let t0 = ContinuousClock.now
    /// A small window and batch keep the expected actions readable.
    let configuration = UplinkStateMachine.Configuration(window: 10, batchSize: 4)

    func at(_ milliseconds: Int) -> ContinuousClock.Instant {
        t0 + .milliseconds(milliseconds)
    }

    func machine(lastAssigned: UInt64 = 0, settled: UInt64 = 0) -> UplinkStateMachine {
        UplinkStateMachine(
            nodeID: "NORD-01",
            software: "knutepunkt/test",
            configuration: configuration,
            lastAssigned: lastAssigned,
            settledThrough: settled
        )
    }

    var hello: Action { .send(.hello(.init(version: .current, nodeID: "NORD-01", software: "knutepunkt/test"))) }

    func welcome(_ settled: UInt64, minor: UInt8 = ProtocolVersion.current.minor) -> WireMessage {
        .welcome(.init(version: .init(major: 1, minor: minor), settledThrough: settled, hubID: "HUB"))
    }

    /// A machine that has greeted and been welcomed at t0 (the window is filled then).
    func ready(lastAssigned: UInt64 = 0, settled: UInt64 = 0) -> (UplinkStateMachine, [Action]) {
        var uplink = machine(lastAssigned: lastAssigned, settled: settled)
        _ = uplink.connected(now: t0)
        let actions = uplink.received(welcome(settled), now: t0)
        return (uplink, actions)
    }

    // MARK: Greeting

    @Test func startsDisconnectedWithNothingTimed() {
        var uplink = machine()
        #expect(uplink.phase == .disconnected)
        #expect(uplink.nextDeadline == nil)
        #expect(uplink.tick(now: at(10_000)).isEmpty)
        #expect(uplink.appended(through: 3, now: t0).isEmpty)
        #expect(uplink.lastAssigned == 3)
    }

    @Test func connectedSendsHelloAndGreets() {
        var uplink = machine()
        #expect(uplink.connected(now: t0) == [hello])
        #expect(uplink.phase == .greeting(since: t0))
        #expect(uplink.nextDeadline == at(1000))
    }

    @Test func helloIsRetriedThenTheSocketIsReopenedAfterHubTimeout() {
        var uplink = machine()
        _ = uplink.connected(now: t0)
        #expect(uplink.tick(now: at(999)).isEmpty)
        #expect(uplink.tick(now: at(1000)) == [hello])
        #expect(uplink.tick(now: at(2000)) == [hello])
        #expect(uplink.nextDeadline == at(3000))
        #expect(uplink.tick(now: at(3000)) == [.reconnect])
        #expect(uplink.phase == .disconnected)
        #expect(uplink.nextDeadline == nil)

        // The shell reopens the socket and says so: greeting starts over.
        #expect(uplink.connected(now: at(3050)) == [hello])
        #expect(uplink.phase == .greeting(since: at(3050)))
    }

    @Test func unansweredGreetingsBackOffUpToTheCeilingAndWelcomeResetsIt() {
        var uplink = UplinkStateMachine(
            nodeID: "NORD-01",
            software: "knutepunkt/test",
            configuration: .init(window: 10, batchSize: 4, hubTimeout: .seconds(3), maxReconnectBackoff: .seconds(10)),
            lastAssigned: 0,
            settledThrough: 0
        )
        var now = t0
        var waits: [Duration] = []
        for _ in 0..<5 {
            _ = uplink.connected(now: now)
            let deadline = now + uplink.greetingTimeout
            waits.append(uplink.greetingTimeout)
            // HELLO retries come first; the reconnect only at the (backed-off) greeting deadline.
            while let due = uplink.nextDeadline, due < deadline {
                #expect(!uplink.tick(now: due).contains(.reconnect))
            }
            #expect(uplink.tick(now: deadline) == [.reconnect])
            now = deadline
        }
        #expect(waits == [.seconds(3), .seconds(6), .seconds(10), .seconds(10), .seconds(10)])
        #expect(uplink.unansweredGreetings == 5)

        _ = uplink.connected(now: now)
        _ = uplink.received(welcome(0), now: now)
        #expect(uplink.unansweredGreetings == 0)
        // A session that goes silent reconnects after hubTimeout and greets with the base wait again.
        #expect(uplink.tick(now: now + .seconds(3)).contains(.reconnect))
        _ = uplink.connected(now: now + .seconds(3))
        #expect(uplink.greetingTimeout == .seconds(3))
    }

    @Test func afterARestoredHubTheNodeResendsThenFollowsTheHubsAcks() {
        var uplink = machine(lastAssigned: 120, settled: 100)
        _ = uplink.connected(now: t0)
        _ = uplink.received(welcome(80), now: at(10))
        // The restored hub settles what it lacked: each ACK is recorded (the outbox never lowers its own record).
        #expect(uplink.received(.ack(settledThrough: 90), now: at(20)).first == .markSettled(through: 90))
        #expect(uplink.received(.ack(settledThrough: 120), now: at(30)).first == .markSettled(through: 120))
        #expect(uplink.settledThrough == 120)
        #expect(uplink.nextToSend == 121)
    }

    @Test func messagesOtherThanWelcomeAreIgnoredWhileGreeting() {
        var uplink = machine(lastAssigned: 5)
        _ = uplink.connected(now: t0)
        #expect(uplink.received(.ack(settledThrough: 3), now: at(10)).isEmpty)
        #expect(uplink.received(.resend(from: 1), now: at(20)).isEmpty)
        #expect(uplink.received(.heartbeat, now: at(30)).isEmpty)
        #expect(uplink.settledThrough == 0)
        #expect(uplink.lastHeard == at(30))
        // HELLO_REQUIRED answers something sent before our HELLO; the HELLO is already on its way.
        #expect(uplink.received(.error(.init(reason: .helloRequired, detail: "")), now: at(40)).isEmpty)
        // NACKs are kept whenever they come: the hub sends each only once.
        #expect(
            uplink.received(.nack(.init(sequence: 2, reason: .personalData, detail: "name")), now: at(50))
                == [.markRejected(sequence: 2, reason: .personalData, detail: "name")]
        )
    }

    @Test(arguments: [ReasonCode.unknownNode, .versionUnsupported, .notAuthorized])
    func refusedHelloIsRetriedSlowlyWithoutReconnecting(reason: ReasonCode) {
        var uplink = machine()
        _ = uplink.connected(now: t0)
        let actions = uplink.received(.error(.init(reason: reason, detail: "no")), now: at(100))
        guard case .protocolProblem(let text)? = actions.first, actions.count == 1 else {
            Issue.record("expected one protocolProblem, got \(actions)")
            return
        }
        #expect(text.contains(reason.name))
        #expect(uplink.nextDeadline == at(5100))
        // Past hubTimeout, but the hub did answer: no reconnect.
        #expect(uplink.tick(now: at(3500)).isEmpty)
        #expect(uplink.tick(now: at(5100)) == [hello])
        // Unanswered from here on: the normal greeting timeout applies again.
        #expect(uplink.tick(now: at(8100)) == [.reconnect])
    }

    @Test func welcomeWithAnotherMajorIsARefusal() {
        var uplink = machine()
        _ = uplink.connected(now: t0)
        let actions = uplink.received(
            .welcome(.init(version: .init(major: 2, minor: 0), settledThrough: 0, hubID: "HUB")),
            now: at(10)
        )
        #expect(actions.count == 1)
        #expect(uplink.phase == .greeting(since: at(10)))
    }

    // MARK: Sending

    @Test func welcomeOpensTheSessionAndFillsTheWindowInBatches() {
        let (uplink, actions) = ready(lastAssigned: 25)
        #expect(uplink.phase == .ready)
        #expect(uplink.version == .current)
        #expect(actions == [.sendEvents(1...4), .sendEvents(5...8), .sendEvents(9...10)])
        #expect(uplink.nextToSend == 11)
    }

    @Test func appendedEventsAreSentOnlyWhenReady() {
        var uplink = machine()
        _ = uplink.connected(now: t0)
        #expect(uplink.appended(through: 2, now: t0).isEmpty)
        #expect(uplink.received(welcome(0), now: at(10)) == [.sendEvents(1...2)])
        #expect(uplink.appended(through: 3, now: at(20)) == [.sendEvents(3...3)])
        #expect(uplink.appended(through: 30, now: at(30)) == [.sendEvents(4...7), .sendEvents(8...10)])
        // The window is full: more events wait for ACKs.
        #expect(uplink.appended(through: 31, now: at(40)).isEmpty)
    }

    @Test func ackAdvancesSettlementAndRefillsTheWindow() {
        var (uplink, _) = ready(lastAssigned: 25)
        #expect(
            uplink.received(.ack(settledThrough: 4), now: at(100))
                == [.markSettled(through: 4), .sendEvents(11...14)]
        )
        #expect(uplink.settledThrough == 4)
        #expect(uplink.lastAckAt == at(100))
        // Stale and repeated ACKs carry nothing new.
        #expect(uplink.received(.ack(settledThrough: 4), now: at(110)).isEmpty)
        #expect(uplink.received(.ack(settledThrough: 2), now: at(120)).isEmpty)
        #expect(
            uplink.received(.ack(settledThrough: 25), now: at(130))
                == [.markSettled(through: 25)]
        )
        #expect(uplink.nextToSend == 26)
    }

    @Test func ackBeyondWhatWasSentMovesNextToSendForward() {
        // The hub held 11...20 pending from an earlier connection; its commit settles them before we resend them.
        var (uplink, _) = ready(lastAssigned: 25)
        #expect(
            uplink.received(.ack(settledThrough: 20), now: at(10))
                == [.markSettled(through: 20), .sendEvents(21...24), .sendEvents(25...25)]
        )
        #expect(uplink.nextToSend == 26)
    }

    @Test func goBackNWhenAcksStopAdvancing() {
        var (uplink, _) = ready(lastAssigned: 12)
        #expect(uplink.nextDeadline == at(1000))  // heartbeat is due before the retransmission timer.
        _ = uplink.received(.heartbeat, now: at(900))
        _ = uplink.received(.ack(settledThrough: 2), now: at(1000))  // progress restarts the timer
        #expect(uplink.tick(now: at(2999)) == [.send(.heartbeat)])
        _ = uplink.received(.heartbeat, now: at(2999))
        #expect(uplink.tick(now: at(3000)) == [.sendEvents(3...6), .sendEvents(7...10), .sendEvents(11...12)])
        #expect(uplink.nextDeadline == at(4000))
    }

    @Test func noRetransmissionWithNothingInFlight() {
        var (uplink, actions) = ready(lastAssigned: 4)
        #expect(actions == [.sendEvents(1...4)])
        _ = uplink.received(.ack(settledThrough: 4), now: at(500))
        #expect(uplink.tick(now: at(1000)) == [.send(.heartbeat)])
        _ = uplink.received(.heartbeat, now: at(1000))
        #expect(uplink.tick(now: at(2600)) == [.send(.heartbeat)])
    }

    @Test func resendGoesBackToTheRequestedSequence() {
        var (uplink, _) = ready(lastAssigned: 10)
        #expect(uplink.received(.resend(from: 3), now: at(100)) == [.sendEvents(3...6), .sendEvents(7...10)])
        // The hub repeats its RESEND while our answer is on the way: don't resend the window again.
        #expect(uplink.received(.resend(from: 3), now: at(600)).isEmpty)
        // Still no progress after retransmitTimeout: the repeat counts again.
        #expect(uplink.received(.resend(from: 3), now: at(2100)) == [.sendEvents(3...6), .sendEvents(7...10)])
        // A RESEND for another sequence is acted on at once.
        #expect(uplink.received(.resend(from: 9), now: at(2200)) == [.sendEvents(9...10)])
    }

    @Test func staleOrImpossibleResendsChangeNothing() {
        var (uplink, _) = ready(lastAssigned: 10)
        _ = uplink.received(.ack(settledThrough: 5), now: at(100))
        #expect(uplink.received(.resend(from: 4), now: at(110)).isEmpty)
        let actions = uplink.received(.resend(from: 12), now: at(120))
        #expect(actions.count == 1)
        if case .protocolProblem = actions.first {} else { Issue.record("expected protocolProblem, got \(actions)") }
        #expect(uplink.nextToSend == 11)
    }

    @Test func nackMarksTheEventRejected() {
        var (uplink, _) = ready(lastAssigned: 10)
        #expect(
            uplink.received(.nack(.init(sequence: 7, reason: .invalidEvent, detail: "kind: UNKNOWN_CODE")), now: at(10))
                == [.markRejected(sequence: 7, reason: .invalidEvent, detail: "kind: UNKNOWN_CODE")]
        )
        // Settlement still comes by ACK.
        #expect(uplink.settledThrough == 0)
    }

    // MARK: Hub state that disagrees with ours

    @Test func welcomeBelowLocalSettlementResendsWhatTheRestoredHubLacks() {
        var uplink = machine(lastAssigned: 120, settled: 100)
        _ = uplink.connected(now: t0)
        let actions = uplink.received(welcome(80), now: at(10))
        guard case .protocolProblem? = actions.first else {
            Issue.record("expected a protocolProblem first, got \(actions)")
            return
        }
        #expect(Array(actions.dropFirst()) == [.sendEvents(81...84), .sendEvents(85...88), .sendEvents(89...90)])
        #expect(uplink.settledThrough == 80)
        #expect(!actions.contains { if case .markSettled = $0 { true } else { false } })
    }

    @Test func welcomeBeyondLastAssignedAdvancesTheNumbering() {
        var uplink = machine(lastAssigned: 5, settled: 5)
        _ = uplink.connected(now: t0)
        let actions = uplink.received(welcome(50), now: at(10))
        #expect(actions.count == 3)
        #expect(Array(actions.dropFirst()) == [.advanceSequence(to: 50), .markSettled(through: 50)])
        #expect(uplink.lastAssigned == 50)
        #expect(uplink.settledThrough == 50)
        #expect(uplink.appended(through: 52, now: at(20)) == [.sendEvents(51...52)])
    }

    /// A new outbox (the old one lost) took two events before any hub welcomed it, numbered 1 and 2, the numbers the
    /// hub has settled for the node's old outbox: they move up after the hub's, and are sent.
    @Test func aNewOutboxsEventsAreNumberedAfterTheHubsAtItsFirstWelcome() {
        var uplink = UplinkStateMachine(
            nodeID: "NORD-01",
            software: "knutepunkt/test",
            configuration: configuration,
            lastAssigned: 2,
            settledThrough: 0,
            greetedBefore: false
        )
        _ = uplink.connected(now: t0)
        let actions = uplink.received(welcome(2), now: at(10))
        guard case .protocolProblem? = actions.first else {
            Issue.record("expected a protocolProblem first, got \(actions)")
            return
        }
        #expect(
            Array(actions.dropFirst()) == [
                .advanceSequence(to: 2), .greeted, .markSettled(through: 2), .sendEvents(3...4),
            ]
        )
        #expect(uplink.lastAssigned == 4)
        // A later WELCOME of the same outbox is an ordinary one: what the hub settled was this outbox's.
        _ = uplink.connected(now: at(20))
        #expect(uplink.received(welcome(4), now: at(30)) == [.markSettled(through: 4)])
    }

    @Test func welcomeAboveLocalSettlementIsRecorded() {
        var uplink = machine(lastAssigned: 20, settled: 5)
        _ = uplink.connected(now: t0)
        #expect(
            uplink.received(welcome(8), now: at(10))
                == [.markSettled(through: 8), .sendEvents(9...12), .sendEvents(13...16), .sendEvents(17...18)]
        )
    }

    @Test func ackBeyondLastAssignedIsTreatedLikeAWelcomeAdvance() {
        var (uplink, _) = ready(lastAssigned: 3)
        let actions = uplink.received(.ack(settledThrough: 9), now: at(10))
        #expect(actions.count == 3)
        #expect(Array(actions.dropFirst()) == [.advanceSequence(to: 9), .markSettled(through: 9)])
        #expect(uplink.lastAssigned == 9)
        #expect(uplink.nextToSend == 10)
    }

    @Test func aRetriedHellosSecondWelcomeIsIgnored() {
        var (uplink, _) = ready(lastAssigned: 6)
        #expect(uplink.received(welcome(0), now: at(10)).isEmpty)
        #expect(uplink.nextToSend == 7)
    }

    // MARK: Liveness

    @Test func heartbeatFillsSilenceAndSilentHubMeansReconnect() {
        var (uplink, _) = ready()
        #expect(uplink.nextDeadline == at(1000))
        #expect(uplink.tick(now: at(999)).isEmpty)
        #expect(uplink.tick(now: at(1000)) == [.send(.heartbeat)])
        #expect(uplink.tick(now: at(2000)) == [.send(.heartbeat)])
        #expect(uplink.nextDeadline == at(3000))
        #expect(uplink.tick(now: at(3000)) == [.reconnect])
        #expect(uplink.phase == .disconnected)
        // Whatever still trickles in from the dead connection is ignored.
        #expect(uplink.received(.ack(settledThrough: 1), now: at(3010)).isEmpty)
    }

    @Test func hubHeartbeatsKeepTheSessionAlive() {
        var (uplink, _) = ready()
        for second in 1...10 {
            #expect(uplink.tick(now: at(second * 1000)) == [.send(.heartbeat)])
            #expect(uplink.received(.heartbeat, now: at(second * 1000 + 5)).isEmpty)
        }
        #expect(uplink.phase == .ready)
        #expect(uplink.lastHeard == at(10_005))
    }

    @Test func sendingEventsPostponesTheHeartbeat() {
        var (uplink, _) = ready()
        _ = uplink.appended(through: 1, now: at(800))
        #expect(uplink.tick(now: at(1000)).isEmpty)
        #expect(uplink.nextDeadline == at(1800))
    }

    @Test func helloRequiredWhileReadyGreetsAgainAndResumesFromTheHubsPosition() {
        var (uplink, _) = ready(lastAssigned: 8)
        let actions = uplink.received(.error(.init(reason: .helloRequired, detail: "restarted")), now: at(100))
        #expect(actions.last == hello)
        #expect(uplink.phase == .greeting(since: at(100)))
        #expect(uplink.received(welcome(4), now: at(150)) == [.markSettled(through: 4), .sendEvents(5...8)])
    }

    @Test func refusalWhileReadyReturnsToSlowGreeting() {
        var (uplink, _) = ready(lastAssigned: 8)
        let actions = uplink.received(.error(.init(reason: .unknownNode, detail: "grant withdrawn")), now: at(100))
        #expect(actions.count == 1)
        #expect(uplink.phase == .greeting(since: at(100)))
        #expect(uplink.nextDeadline == at(5100))
    }

    @Test func otherErrorsAreOnlyLogged() {
        var (uplink, _) = ready(lastAssigned: 8)
        let actions = uplink.received(.error(.init(reason: .malformedMessage, detail: "bad")), now: at(100))
        #expect(actions.count == 1)
        #expect(uplink.phase == .ready)
    }

    // MARK: Any input

    @Test func randomInputsKeepTheInvariants() {
        var random = SplitMix64(seed: 0x5550_4C4E)
        var uplink = machine()
        var now = t0
        var assigned: UInt64 = 0
        var sent = 0
        var settlements = 0
        for _ in 0..<20_000 {
            now += .milliseconds(Int.random(in: 0...700, using: &random))
            let settledBefore = uplink.settledThrough
            let actions: [Action]
            var ticked = false
            switch Int.random(in: 0..<10, using: &random) {
            case 0:
                actions = uplink.connected(now: now)
            case 1:
                let base = max(assigned, uplink.lastAssigned)
                assigned = base + min(UInt64.random(in: 0...30, using: &random), WireLimits.maxSequence - base)
                actions = uplink.appended(through: assigned, now: now)
            case 2, 3:
                actions = uplink.tick(now: now)
                ticked = true
            default:
                actions = uplink.received(Self.randomHubMessage(for: uplink, using: &random), now: now)
            }
            #expect(uplink.settledThrough <= uplink.lastAssigned)
            #expect(uplink.nextToSend > uplink.settledThrough)
            #expect(uplink.nextToSend <= uplink.lastAssigned + 1)
            if ticked, let deadline = uplink.nextDeadline {
                // Otherwise the shell's poll loop would spin.
                #expect(deadline > now)
            }
            var settled = settledBefore
            for action in actions {
                switch action {
                case .sendEvents(let range):
                    sent += 1
                    #expect(uplink.phase == .ready)
                    #expect(range.count <= configuration.batchSize)
                    #expect(range.lowerBound > uplink.settledThrough)
                    #expect(range.upperBound <= uplink.lastAssigned)
                    #expect(range.upperBound - uplink.settledThrough <= UInt64(configuration.window))
                case .markSettled(let through):
                    #expect(through > settled)
                    settled = through
                    settlements += 1
                default:
                    break
                }
            }
        }
        // The random walk must reach the interesting states, or it tests little.
        #expect(sent > 1000)
        #expect(settlements > 200)
    }

    static func randomHubMessage(for uplink: UplinkStateMachine, using random: inout SplitMix64) -> WireMessage {
        let candidates: [UInt64] = [
            0, uplink.settledThrough, uplink.settledThrough + 1, uplink.nextToSend, uplink.lastAssigned,
            uplink.lastAssigned + 1,
            UInt64.random(in: 0...min(uplink.lastAssigned, WireLimits.maxSequence - 5) + 5, using: &random),
        ]
        var value = candidates.randomElement(using: &random)!
        if random.chance(0.001) { value = WireLimits.maxSequence }
        let reasons: [ReasonCode] = [.helloRequired, .unknownNode, .malformedMessage, .init(rawValue: 77)]
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return .welcome(.init(version: .current, settledThrough: value, hubID: "HUB"))
        case 1, 2: return .ack(settledThrough: value)
        case 3: return .resend(from: max(value, 1))
        case 4: return .nack(.init(sequence: max(value, 1), reason: .invalidEvent, detail: ""))
        case 5: return .error(.init(reason: reasons.randomElement(using: &random)!, detail: ""))
        case 6: return .events(.init(firstSequence: 1, payloads: [[]]))
        default: return .heartbeat
        }
    }
}
