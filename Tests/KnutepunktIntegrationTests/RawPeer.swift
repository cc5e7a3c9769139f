import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktZMQ
import Synchronization

/// A hand-driven DEALER that speaks KPN/1 frame by frame, so tests can play a well-behaved node, a broken one or a
/// hostile one against a real hub. Used only from the thread ``onSocketThread(_:)`` runs it on.
final class RawPeer {
    let context: ZMQContext
    let socket: ZMQSocket

    init(connectTo endpoint: String, context: ZMQContext, curve: ZMQCurveClient? = nil) throws {
        self.context = context
        socket = try context.makeSocket(.dealer)
        try socket.setOption(.maxMessageSize, Int64(64 << 20))
        // A send that cannot be queued (a refused handshake leaves the DEALER without a peer) fails after this
        // instead of blocking the test's thread for ever.
        try socket.setOption(.sendTimeout, .seconds(60))
        if let curve { try socket.configureCurveClient(curve) }
        try socket.connect(endpoint)
    }

    func close() { socket.close() }

    func send(_ message: WireMessage) throws {
        try socket.send(WireCodec.encode(message))
    }

    /// Sends if the message can be queued now; false if it cannot (no peer: the handshake was refused).
    func offer(_ message: WireMessage) throws -> Bool {
        try socket.send(WireCodec.encode(message), dontWait: true)
    }

    func sendRaw(_ frames: [[UInt8]]) throws {
        try socket.send(frames)
    }

    /// The next message from the hub, or nil if none comes within `timeout`.
    func receive(timeout: Duration = .seconds(10)) throws -> WireMessage? {
        var poller = ZMQPoller()
        _ = poller.add(socket)
        guard try poller.poll(timeout: timeout).first?.contains(.readable) == true,
            let message = try socket.receive(dontWait: true)
        else { return nil }
        return try WireCodec.decode(message.frames)
    }

    /// Receives until `stop` says so (returns every message seen), giving up after `limit` messages or a quiet
    /// `timeout`.
    func receive(
        until stop: (WireMessage) -> Bool,
        limit: Int = 1000,
        timeout: Duration = .seconds(10)
    ) throws
        -> [WireMessage]
    {
        var seen: [WireMessage] = []
        for _ in 0..<limit {
            guard let message = try receive(timeout: timeout) else { break }
            seen.append(message)
            if stop(message) { break }
        }
        return seen
    }

    /// Receives on every peer at once until `stop` has said so for each, behaving as a node must while it waits
    /// (docs/protocol.md, "Heartbeating and liveness" and rule 7): HEARTBEAT after a heartbeat interval without
    /// sending anything, and `respond(index, nil)` after a retransmission timeout without a message other than
    /// HEARTBEAT, for the test to greet again or resend. `respond(index, message)` sees every other message first.
    /// Returns every message other than HEARTBEAT that each peer saw, in the order of `peers`. Gives up on a peer
    /// after `limit` messages, and on all of them once `timeout` passes without any such message (a bound on
    /// failure).
    static func receiveAll(
        _ peers: [RawPeer],
        until stop: (WireMessage) -> Bool,
        respond: (Int, WireMessage?) throws -> Void = { _, _ in },
        limit: Int = 10_000,
        heartbeat: Duration = .seconds(1),
        retransmission: Duration = .seconds(2),
        timeout: Duration = .seconds(90)
    ) throws -> [[WireMessage]] {
        var seen = Array(repeating: [WireMessage](), count: peers.count)
        var done = Array(repeating: false, count: peers.count)
        let clock = ContinuousClock()
        var lastSent = Array(repeating: clock.now, count: peers.count)
        var lastHeard = Array(repeating: clock.now, count: peers.count)
        var lastProgress = clock.now
        // Bounded: every turn takes at least one message or waits a heartbeat interval; at most `limit` messages
        // per peer count, the hub answers at most one HEARTBEAT per peer per interval, and `timeout` without a
        // counted message ends the loop.
        let intervals = Int(timeout / heartbeat) + 1
        let turns = peers.count * (limit + 2 * intervals) + intervals
        for _ in 0..<turns {
            let waiting = peers.indices.filter { !done[$0] }
            if waiting.isEmpty || clock.now - lastProgress >= timeout { break }
            for index in waiting where clock.now - lastHeard[index] >= retransmission {
                lastHeard[index] = clock.now
                try respond(index, nil)
                lastSent[index] = clock.now
            }
            for index in waiting where clock.now - lastSent[index] >= heartbeat {
                try peers[index].send(.heartbeat)
                lastSent[index] = clock.now
            }
            var poller = ZMQPoller()
            for index in waiting { _ = poller.add(peers[index].socket) }
            let ready = try poller.poll(timeout: heartbeat)
            for (slot, index) in waiting.enumerated() where ready[slot].contains(.readable) {
                guard let message = try peers[index].socket.receive(dontWait: true) else { continue }
                let decoded = try WireCodec.decode(message.frames)
                if decoded == .heartbeat { continue }
                lastProgress = clock.now
                lastHeard[index] = clock.now
                seen[index].append(decoded)
                if stop(decoded) || seen[index].count >= limit {
                    done[index] = true
                } else {
                    try respond(index, decoded)
                }
            }
        }
        return seen
    }

    /// HELLO, then the WELCOME (skipping heartbeats); nil if the hub refused or said nothing.
    func greet(as nodeID: String) throws -> WireMessage.Welcome? {
        try send(.hello(.init(nodeID: nodeID, software: "raw-peer")))
        for message in try receive(until: { if case .heartbeat = $0 { false } else { true } }, limit: 10) {
            if case .welcome(let welcome) = message { return welcome }
        }
        return nil
    }
}

/// Runs blocking socket work on a dedicated thread (never on the cooperative pool) and returns its result.
func onSocketThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let thread = ZMQThread.start(name: "test-peer") {
        let outcome = Result { try body() }
        result.withLock { $0 = outcome }
    }
    await thread.join()
    return try result.withLock { $0 }!.get()
}

/// A peer-side check failed; thrown from socket threads, where `#expect` has no test to report to.
struct PeerFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
