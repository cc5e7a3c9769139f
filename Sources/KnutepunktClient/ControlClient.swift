import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktZMQ

/// Talks the control protocol (KPC/1) to a node or the hub: submit events, ask for status.
///
/// Blocking by design and bound to the thread that made it (it owns a ZeroMQ socket). Async callers use
/// ``ControlClient/withConnection(to:timeout:_:)``, which runs the work on a dedicated thread so the cooperative pool
/// never blocks on a socket.
package final class ControlClient {
    package let endpoint: String
    package let timeout: Duration
    /// CURVE towards a hub that requires it (nil: plaintext, as a node's local control socket speaks).
    package let curve: ZMQCurveClient?
    private let context: ZMQContext
    private var socket: ZMQSocket

    /// Opens a connection (ZeroMQ connects lazily: a missing daemon shows up as a timeout on the first request).
    package init(endpoint: String, timeout: Duration = .seconds(5), curve: ZMQCurveClient? = nil) throws(ClientError) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.curve = curve
        do {
            context = try ZMQContext()
            socket = try Self.makeSocket(context, endpoint, curve)
        } catch {
            throw ClientError(code: .transport, message: "cannot open a socket to \(endpoint): \(error)")
        }
    }

    private static func makeSocket(
        _ context: ZMQContext,
        _ endpoint: String,
        _ curve: ZMQCurveClient?
    ) throws
        -> ZMQSocket
    {
        let socket = try context.makeSocket(.dealer)
        do {
            try socket.setOption(.maxMessageSize, Int64(256 << 20))
            if let curve { try socket.configureCurveClient(curve) }
            try socket.connect(endpoint)
            return socket
        } catch {
            socket.close()
            throw error
        }
    }

    /// Closes the socket and the context.
    package func close() {
        socket.close()
        context.terminate()
    }

    /// Runs `body` with a connected client on a dedicated thread and closes the client afterwards.
    package static func withConnection<T: Sendable>(
        to endpoint: String,
        timeout: Duration = .seconds(5),
        curve: ZMQCurveClient? = nil,
        _ body: @escaping @Sendable (ControlClient) throws -> T
    ) async throws -> T {
        let box = ResultBox<T>()
        let thread = ZMQThread.start(name: "knutepunkt-client") {
            do {
                let client = try ControlClient(endpoint: endpoint, timeout: timeout, curve: curve)
                defer { client.close() }
                box.set(.success(try body(client)))
            } catch {
                box.set(.failure(error))
            }
        }
        await thread.join()
        return try box.get()
    }

    /// Sends one request and waits up to `wait` (default: the client's timeout) for its answer.
    package func request(
        _ command: ControlCommand,
        body: [UInt8],
        wait: Duration? = nil
    ) throws(ClientError) -> ControlMessage {
        let frames = [[UInt8]()] + ControlCodec.encode(ControlMessage(command: command, body: body))
        let deadline = ContinuousClock.now + (wait ?? timeout)
        try send(frames, before: ContinuousClock.now + timeout)
        while true {
            let remaining = deadline - ContinuousClock.now
            var poller = ZMQPoller()
            _ = poller.add(socket)
            let ready: [ZMQPollEvents]
            do {
                ready = remaining > .zero ? try poller.poll(timeout: remaining) : []
            } catch {
                throw ClientError(code: .transport, message: "waiting for \(endpoint) failed: \(error)")
            }
            guard ready.first?.contains(.readable) == true else {
                // A late answer must not be taken for the next request's: start over on a fresh socket.
                resetSocket()
                throw ClientError(
                    code: .notRunning,
                    message:
                        "no answer from \(endpoint) within \(Self.describe(wait ?? timeout)); is the daemon running? "
                        + "Start it with `knutepunkt node --config FILE` (or `hub`), and check the endpoint in the file"
                )
            }
            let message: ZMQMessage?
            do {
                message = try socket.receive(dontWait: true)
            } catch {
                throw ClientError(code: .transport, message: "receiving from \(endpoint) failed: \(error)")
            }
            guard var frames = message?.frames else { continue }
            if frames.first?.isEmpty == true { frames.removeFirst() }
            let reply: ControlMessage
            do {
                reply = try ControlCodec.decode(frames)
            } catch {
                throw ClientError(
                    code: .badReply,
                    message: "\(endpoint) answered something that is not KPC/1: \(error)"
                )
            }
            if reply.command == .error {
                let failure = try? JSONBody.decode(ControlFailure.self, from: reply.body)
                throw ClientError(
                    code: .refused,
                    message: failure.map { "\($0.code): \($0.message)" } ?? "the daemon refused the request"
                )
            }
            return reply
        }
    }

    /// Sends without blocking past `deadline`: a DEALER with no peer (the daemon is down, or its CURVE handshake
    /// refused this key) would otherwise wait in `zmq_send` forever.
    private func send(_ frames: [[UInt8]], before deadline: ContinuousClock.Instant) throws(ClientError) {
        do {
            while try !socket.send(frames, dontWait: true) {
                let remaining = deadline - ContinuousClock.now
                var poller = ZMQPoller()
                _ = poller.add(socket, events: .writable)
                let ready = remaining > .zero ? try poller.poll(timeout: remaining) : []
                if ready.first?.contains(.writable) == true { continue }
                resetSocket()
                throw ClientError(
                    code: .notRunning,
                    message: "cannot reach \(endpoint) within \(Self.describe(timeout)); is the daemon running, and "
                        + "does it admit this key (hub.curve.viewers)? Check the endpoint in the file"
                )
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: .transport, message: "cannot send to \(endpoint): \(error)")
        }
    }

    private func resetSocket() {
        socket.close()
        if let fresh = try? Self.makeSocket(context, endpoint, curve) { socket = fresh }
    }

    private static func describe(_ duration: Duration) -> String {
        let millis = duration.milliseconds
        return millis % 1000 == 0 ? "\(millis / 1000) s" : "\(millis) ms"
    }

    /// Submits events (JSON objects, serialised) and returns one result per event, in order. Answered only after
    /// the node has the accepted ones durably in its outbox.
    ///
    /// - Parameters:
    ///   - submittedBy: who submits (the node writes it into every version it accepts).
    ///   - correctChanged: an event the node holds with other content becomes a correction of its latest version
    ///     (spreadsheet imports) instead of being refused with CONFLICTING_CONTENT.
    package func submit(
        _ events: [[UInt8]],
        submittedBy: String? = nil,
        correctChanged: Bool = false,
        trace: [String: String] = [:]
    ) throws(ClientError) -> [SubmitResult] {
        // `{"events": [...], "submittedBy": …}`, the events spliced in as they are.
        var body = Array("{\"events\":[".utf8)
        for (index, event) in events.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: event)
        }
        body.append(UInt8(ascii: "]"))
        if let submittedBy {
            body += Array(",\"submittedBy\":".utf8) + JSONValue.string(submittedBy).serialized()
        }
        if correctChanged { body += Array(",\"correctChanged\":true".utf8) }
        if !trace.isEmpty {
            let fields = JSONValue.object(JSONObject(trace.keys.sorted().map { ($0, JSONValue.string(trace[$0]!)) }))
            body += Array(",\"trace\":".utf8) + fields.serialized()
        }
        body.append(UInt8(ascii: "}"))
        return try submitResults(try request(.submit, body: body), expected: events.count)
    }

    /// Withdraws an event: the node appends its next version, a withdrawal with `reason`.
    package func withdraw(_ withdrawal: WithdrawRequest) throws(ClientError) -> SubmitResult {
        let results = try submitResults(try request(.withdraw, body: JSONBody.encode(withdrawal)), expected: 1)
        return results[0]
    }

    /// Takes a step in a region's month at the hub (PERIOD), or only looks at it; a refused step throws with the hub's
    /// reason.
    package func period(_ wanted: PeriodRequest) throws(ClientError) -> PeriodResult {
        let reply = try request(.period, body: JSONBody.encode(wanted))
        guard reply.command == .periodResult else {
            throw ClientError(code: .badReply, message: "expected PERIOD_RESULT, got \(reply.command)")
        }
        do {
            return try JSONBody.decode(PeriodResult.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the hub's answer: \(error)")
        }
    }

    /// Makes or reopens a local node's monthly return (RETURN); the node answers with one result.
    package func makeReturn(_ monthly: ReturnRequest) throws(ClientError) -> SubmitResult {
        let results = try submitResults(try request(.monthlyReturn, body: JSONBody.encode(monthly)), expected: 1)
        return results[0]
    }

    /// The monthly returns the node holds (RETURNS): the latest version of each, with its delivery state.
    package func returns() throws(ClientError) -> ReturnList {
        let reply = try request(.returns, body: Array("{}".utf8))
        guard reply.command == .returnList else {
            throw ClientError(code: .badReply, message: "expected RETURN_LIST, got \(reply.command)")
        }
        do {
            return try JSONBody.decode(ReturnList.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the node's answer: \(error)")
        }
    }

    /// Lists the node's events (the latest version of each) with their delivery state.
    package func events(_ wanted: EventsRequest) throws(ClientError) -> EventList {
        let reply = try request(.events, body: JSONBody.encode(wanted))
        guard reply.command == .eventList else {
            throw ClientError(code: .badReply, message: "expected EVENT_LIST, got \(reply.command)")
        }
        do {
            return try JSONBody.decode(EventList.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the node's answer: \(error)")
        }
    }

    /// Every version of one event the node holds, oldest first, with its content and delivery state.
    package func history(of id: String) throws(ClientError) -> NodeEventHistory {
        let reply = try request(.history, body: JSONBody.encode(HistoryRequest(id: id)))
        guard reply.command == .eventHistory else {
            throw ClientError(code: .badReply, message: "expected EVENT_HISTORY, got \(reply.command)")
        }
        do {
            return try JSONBody.decode(NodeEventHistory.self, from: reply.body)
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the node's answer: \(error)")
        }
    }

    private func submitResults(_ reply: ControlMessage, expected count: Int) throws(ClientError) -> [SubmitResult] {
        let events = Array(repeating: 0, count: count)
        guard reply.command == .submitResult else {
            throw ClientError(code: .badReply, message: "expected SUBMIT_RESULT, got \(reply.command)")
        }
        do {
            let results = try JSONBody.decode([SubmitResult].self, from: reply.body)
            guard results.count == events.count else {
                throw ClientError(code: .badReply, message: "\(results.count) results for \(events.count) events")
            }
            return results
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(code: .badReply, message: "cannot read the node's answer: \(error)")
        }
    }

    /// Asks for status; with a wait condition the daemon answers when it holds or when the wait is over.
    package func status(_ wanted: StatusRequest = StatusRequest()) throws(ClientError) -> StatusReport {
        let reply = try request(
            .status,
            body: JSONBody.encode(wanted),
            wait: wanted.waits ? wanted.timeout + timeout : nil
        )
        guard reply.command == .statusReply else {
            throw ClientError(code: .badReply, message: "expected STATUS_REPLY, got \(reply.command)")
        }
        if let hub = try? JSONBody.decode(HubStatusReport.self, from: reply.body), hub.role == "hub" {
            return .hub(hub, raw: reply.body)
        }
        if let node = try? JSONBody.decode(NodeStatusReport.self, from: reply.body), node.role == "node" {
            return .node(node, raw: reply.body)
        }
        throw ClientError(code: .badReply, message: "cannot read the status answer")
    }
}

/// A daemon's status answer.
package enum StatusReport: Sendable {
    case node(NodeStatusReport, raw: [UInt8])
    case hub(HubStatusReport, raw: [UInt8])
}
