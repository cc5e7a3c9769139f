import KnutepunktDomain
import KnutepunktTesting

@testable import KnutepunktProtocol

/// One node and the hub, wired through an in-memory channel that drops, duplicates, delays and reorders messages,
/// with a hub "store" whose commits sometimes fail and a connection that sometimes dies silently.
///
/// Both state machines run exactly as the real shells drive them: every message goes through ``WireCodec`` both
/// ways, timers fire only at the machines' own `nextDeadline`, and time moves in 10 ms steps. The hub commits as its
/// reactor does, two deep: a sealed batch commits (or fails) a few steps after it was sealed, while new events go
/// into the open batch.
struct LossySimulation {
    struct Odds {
        var drop = 0.03
        var duplicate = 0.02
        var reorder = 0.03
        var commitFailure = 0.05
        var connectionDeath = 0.0005
    }

    private enum Direction { case toHub, toNode }

    private struct InFlight {
        var deliverAt: Int
        var order: Int
        var direction: Direction
        var connection: Int
        var frames: [[UInt8]]
    }

    let eventCount: Int
    let odds: Odds
    private var random: SplitMix64
    private let t0 = ContinuousClock.now
    private(set) var step = 0

    private var node: UplinkStateMachine
    private var hub: HubSessionStateMachine
    private static let nodeID = "NORD-01"

    // The node's outbox.
    private var assigned: UInt64 = 0
    private(set) var nodeSettled: UInt64 = 0
    private(set) var nodeRejected: Set<UInt64> = []
    private var nodeConnection = 0
    private var reconnectPending = false

    // The channel.
    private var inFlight: [InFlight] = []
    private var sendOrder = 0
    private var deadConnection: Int?

    // The hub's store: what is durably stored or refused, in commit order, and the open transaction.
    private(set) var stored: [UInt64] = []
    private(set) var storedPayloads: [UInt64: [UInt8]] = [:]
    private(set) var hubRejected: Set<UInt64> = []
    private var openBatch: [HubSessionStateMachine.Ingest] = []
    /// The batch being committed, and the step its commit ends.
    private var sealedBatch: (ingests: [HubSessionStateMachine.Ingest], endsAt: Int)?

    // What went wrong, for the test to report.
    private(set) var violations: [String] = []
    private(set) var problems: [String] = []
    private(set) var reconnects = 0
    private(set) var failedCommits = 0

    init(eventCount: Int, seed: UInt64, odds: Odds = Odds()) {
        self.eventCount = eventCount
        self.odds = odds
        random = SplitMix64(seed: seed)
        node = UplinkStateMachine(nodeID: Self.nodeID, software: "sim", lastAssigned: 0, settledThrough: 0)
        hub = HubSessionStateMachine(
            configuration: .init(hubID: "HUB"),
            grants: [Self.nodeID: .init(region: "Nord")],
            settled: [:]
        )
    }

    static func payload(_ sequence: UInt64) -> [UInt8] {
        Array("{\"seq\":\(sequence)}".utf8)
    }

    var isDone: Bool {
        stored.count == eventCount && nodeSettled == UInt64(eventCount)
    }

    private var now: ContinuousClock.Instant { t0 + .milliseconds(10 * step) }

    /// Runs until every event is settled at both ends, or `maxSteps` pass. Returns whether it finished.
    mutating func run(maxSteps: Int) -> Bool {
        nodePerform(node.connected(now: now))
        while step < maxSteps {
            step += 1
            deliver()
            if reconnectPending {
                reconnectPending = false
                nodePerform(node.connected(now: now))
            }
            if let due = node.nextDeadline, now >= due { nodePerform(node.tick(now: now)) }
            if let due = hub.nextDeadline, now >= due { hubPerform(hub.tick(now: now)) }
            if assigned < UInt64(eventCount) {
                assigned = min(UInt64(eventCount), assigned + UInt64.random(in: 0...40, using: &random))
                nodePerform(node.appended(through: assigned, now: now))
            }
            if let sealed = sealedBatch, step >= sealed.endsAt { commit() }
            if sealedBatch == nil, step % 3 == 0 {
                hub.sealBatch()
                sealedBatch = (openBatch, step + Int.random(in: 1...6, using: &random))
                openBatch = []
            }
            if random.chance(odds.connectionDeath) { deadConnection = nodeConnection }
            if isDone { return true }
        }
        return false
    }

    // MARK: Channel

    private mutating func send(_ message: WireMessage, _ direction: Direction, connection: Int) {
        guard connection != deadConnection, !random.chance(odds.drop) else { return }
        let copies = random.chance(odds.duplicate) ? 2 : 1
        for _ in 0..<copies {
            let delay = random.chance(odds.reorder) ? Int.random(in: 2...6, using: &random) : 1
            sendOrder += 1
            inFlight.append(
                InFlight(
                    deliverAt: step + delay,
                    order: sendOrder,
                    direction: direction,
                    connection: connection,
                    frames: WireCodec.encode(message)
                )
            )
        }
    }

    private mutating func deliver() {
        let due = inFlight.filter { $0.deliverAt <= step }.sorted {
            ($0.deliverAt, $0.order) < ($1.deliverAt, $1.order)
        }
        inFlight.removeAll { $0.deliverAt <= step }
        for item in due {
            // A closed socket takes its queue with it (LINGER 0); a dead connection delivers nothing.
            guard item.connection == nodeConnection, item.connection != deadConnection else { continue }
            let message: WireMessage
            do {
                message = try WireCodec.decode(item.frames)
            } catch {
                violations.append("an encoded message did not decode: \(error)")
                continue
            }
            switch item.direction {
            case .toHub: hubPerform(hub.received(message, from: Self.peer(item.connection), now: now))
            case .toNode: nodePerform(node.received(message, now: now))
            }
        }
    }

    private static func peer(_ connection: Int) -> HubSessionStateMachine.Peer {
        withUnsafeBytes(of: UInt32(connection).bigEndian) { Array($0) }
    }

    // MARK: Node shell

    private mutating func nodePerform(_ actions: [UplinkStateMachine.Action]) {
        for action in actions {
            switch action {
            case .reconnect:
                reconnects += 1
                nodeConnection += 1
                reconnectPending = true
            case .send(let message):
                send(message, .toHub, connection: nodeConnection)
            case .sendEvents(let range):
                guard range.upperBound <= assigned, range.count <= 256 else {
                    violations.append("sendEvents(\(range)) outside the outbox or too large")
                    continue
                }
                let batch = WireMessage.EventBatch(firstSequence: range.lowerBound, payloads: range.map(Self.payload))
                send(.events(batch), .toHub, connection: nodeConnection)
            case .markSettled(let through):
                if through <= nodeSettled { violations.append("markSettled(\(through)) does not advance") }
                if through > assigned { violations.append("markSettled(\(through)) beyond the outbox") }
                nodeSettled = through
            case .markRejected(let sequence, _, _):
                nodeRejected.insert(sequence)
            case .markAlreadyStored(let sequence, _):
                nodeRejected.insert(sequence)
            case .greeted:
                break
            case .advanceSequence(let to):
                violations.append("advanceSequence(\(to)) with an intact outbox")
            case .protocolProblem(let text):
                problems.append(text)
            }
        }
    }

    // MARK: Hub shell

    private mutating func hubPerform(_ actions: [HubSessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .reply(let peer, let message):
                // The node's socket for an older connection is gone; ROUTER_MANDATORY reports it.
                if peer == Self.peer(nodeConnection) {
                    send(message, .toNode, connection: nodeConnection)
                } else {
                    hubPerform(hub.peerUnreachable(peer))
                }
            case .ingest(let ingest):
                openBatch.append(ingest)
            case .sessionOpened, .sessionClosed, .refused:
                break
            }
        }
    }

    private mutating func commit() {
        guard let sealed = sealedBatch else { return }
        sealedBatch = nil
        if random.chance(odds.commitFailure) {
            failedCommits += 1
            // The open batch's events follow the failed ones: the shell drops them too.
            openBatch = []
            hubPerform(hub.sealedBatchFailed(now: now))
            return
        }
        var nacks: [WireMessage] = []
        for ingest in sealed.ingests {
            if storedPayloads[ingest.sequence] != nil {
                violations.append("sequence \(ingest.sequence) ingested twice")
                continue
            }
            if ingest.sequence != UInt64(stored.count) + 1 {
                violations.append("sequence \(ingest.sequence) ingested after \(stored.count)")
            }
            stored.append(ingest.sequence)
            storedPayloads[ingest.sequence] = ingest.payload
            // The shell's validation refuses some events; they are settled all the same.
            if ingest.sequence % 97 == 0 {
                hubRejected.insert(ingest.sequence)
                nacks.append(.nack(.init(sequence: ingest.sequence, reason: .invalidEvent, detail: "kind: unknown")))
            }
        }
        let actions = hub.sealedBatchCommitted(now: now)
        if let session = hub.sessions.first {
            hubPerform(nacks.map { .reply(session.peer, $0) })
        }
        hubPerform(actions)
    }
}
