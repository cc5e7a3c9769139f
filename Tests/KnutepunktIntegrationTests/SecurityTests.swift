import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// Attacks on a real hub process with CURVE and its ZAP handler, on loopback: only configured keys get in, a key
/// speaks only for its own node and region, and a key removed from the configuration stops working on SIGHUP.
@Suite(.serialized)
struct SecurityTests {
    static func event(_ index: Int, region: String, node: String, source: String = "SEC") -> [UInt8] {
        let day = LocalDate.today().adding(days: -3).iso
        return Array(
            EventFixtures.event(source: source, index: index, region: region, node: node)
                .replacingOccurrences(
                    of: #""date":"[0-9-]+""#,
                    with: "\"date\":\"\(day)\"",
                    options: .regularExpression
                )
                .utf8
        )
    }

    /// A node's key pair from the test network's files.
    static func keys(_ net: LoopbackNetwork, _ name: String) throws -> ZMQCurveClient {
        guard case .success(let secret) = CurveKeyFile.read(net.keyPath(name, secret: true)),
            case .success(let hub) = CurveKeyFile.read(net.keyPath("hub", secret: false))
        else { throw PeerFailure("test keys missing") }
        return ZMQCurveClient(
            serverKey: hub,
            keys: ZMQCurveKeyPair(publicKey: try ZMQCurveKeyPair.publicKey(fromSecret: secret), secretKey: secret)
        )
    }

    static func status(_ net: LoopbackNetwork, control: String) async throws -> HubStatusReport {
        let curve = try net.hubViewerCurve
        let report = try await ControlClient.withConnection(to: control, timeout: .seconds(60), curve: curve) {
            try $0.status()
        }
        guard case .hub(let hub, _) = report else { throw PeerFailure("not a hub status") }
        return hub
    }

    static func startHub(_ net: LoopbackNetwork) async throws -> (DaemonProcess, [String: String]) {
        let hub = try DaemonProcess(
            name: "hub",
            executable: Repository.executable,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        return (hub, try await hub.ready())
    }

    @Test(.timeLimit(.minutes(6)))
    func onlyAConfiguredKeyGetsAnEventStoredAndOnlyForItsOwnNodeAndRegion() async throws {
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        try net.writeHubConfig()
        let (hub, endpoints) = try await Self.startHub(net)
        defer { Task { await hub.stop() } }
        let listen = try #require(endpoints["listen"])
        let vest = try Self.keys(net, "NO-VEST")
        let stranger = ZMQCurveClient(serverKey: vest.serverKey, keys: try ZMQCurveKeyPair.generate())

        let publish = try #require(endpoints["publish"])
        let viewer = try net.hubViewerCurve
        let (viewerTopics, strangerTopics) = try await onSocketThread {
            let context = try ZMQContext()
            defer { context.terminate() }
            // Two subscribers to the hub's PUB stream, joined first: the hub's own key (a viewer) and an unknown one.
            func subscriber(_ curve: ZMQCurveClient) throws -> ZMQSocket {
                let socket = try context.makeSocket(.sub)
                try socket.configureCurveClient(curve)
                try socket.setOption(.subscribe, Array("event.".utf8))
                try socket.connect(publish)
                return socket
            }
            let watching = try subscriber(viewer)
            defer { watching.close() }
            let snooping = try subscriber(stranger)
            defer { snooping.close() }
            // An unknown key: the ZAP handler refuses the handshake, so nothing it sends reaches the hub.
            let intruder = try RawPeer(connectTo: listen, context: context, curve: stranger)
            defer { intruder.close() }
            // Offered, not sent: once the refusal has closed its connection the DEALER has no peer to queue for,
            // and a blocking send would wait for ever. Either way nothing reaches the hub.
            _ = try intruder.offer(.hello(.init(nodeID: "NO-VEST", software: "intruder")))
            _ = try intruder.offer(
                .events(
                    .init(
                        firstSequence: 1,
                        payloads: [Self.event(1, region: "NO-VEST", node: "NO-VEST-BERGEN", source: "X")]
                    )
                )
            )
            if let answer = try intruder.receive(timeout: .seconds(2)) {
                throw PeerFailure("an unknown key got an answer: \(answer)")
            }
            // Plaintext: the handshake cannot even start against a CURVE server.
            let plain = try RawPeer(connectTo: listen, context: context)
            defer { plain.close() }
            _ = try plain.offer(.hello(.init(nodeID: "NO-VEST", software: "plaintext")))
            _ = try plain.offer(
                .events(
                    .init(
                        firstSequence: 1,
                        payloads: [Self.event(2, region: "NO-VEST", node: "NO-VEST-BERGEN", source: "X")]
                    )
                )
            )
            if let answer = try plain.receive(timeout: .seconds(2)) {
                throw PeerFailure("a plaintext peer got an answer: \(answer)")
            }

            // NO-VEST's key, claiming to be NO-NORD: refused by name.
            let impostor = try RawPeer(connectTo: listen, context: context, curve: vest)
            defer { impostor.close() }
            try impostor.send(.hello(.init(nodeID: "NO-NORD", software: "impostor")))
            guard case .error(let refusal) = try impostor.receive() else {
                throw PeerFailure("no ERROR for a wrong node")
            }
            guard refusal.reason == .notAuthorized, refusal.detail.contains("belongs to node NO-VEST") else {
                throw PeerFailure("unexpected refusal \(refusal)")
            }

            // The real NO-VEST: its events are stored; one claiming NO-NORD's region is NACKed.
            let node = try RawPeer(connectTo: listen, context: context, curve: vest)
            defer { node.close() }
            guard try node.greet(as: "NO-VEST") != nil else { throw PeerFailure("NO-VEST was not welcomed") }
            try node.send(
                .events(
                    .init(
                        firstSequence: 1,
                        payloads: [
                            Self.event(1, region: "NO-VEST", node: "NO-VEST-BERGEN"),
                            Self.event(2, region: "NO-NORD", node: "NO-NORD-BODO"),
                            Self.event(3, region: "NO-VEST", node: "NO-VEST-BERGEN"),
                        ]
                    )
                )
            )
            let answers = try node.receive(until: { $0 == .ack(settledThrough: 3) })
            let nacks = answers.compactMap { message -> WireMessage.Nack? in
                if case .nack(let nack) = message { return nack } else { return nil }
            }
            guard nacks.map(\.sequence) == [2], nacks.first?.reason == .foreignRegion else {
                throw PeerFailure("expected a FOREIGN_REGION NACK for sequence 2, got \(answers)")
            }
            /// Up to `count` topics; `wait` bounds a failure (fewer come), it is not how the reading ends.
            func topics(_ socket: ZMQSocket, count: Int, wait: Duration) throws -> [String] {
                var seen: [String] = []
                for _ in 0..<count {
                    var poller = ZMQPoller()
                    _ = poller.add(socket)
                    guard try poller.poll(timeout: wait).first?.contains(.readable) == true,
                        let message = try socket.receive(dontWait: true)
                    else { break }
                    seen.append(String(decoding: message.frames[0], as: UTF8.self))
                }
                return seen
            }
            // The viewer's two events are published together, after the commit; by the time it has them, anything
            // the unknown key could have been sent is there too (its connection never got past ZAP).
            let viewed = try topics(watching, count: 2, wait: .seconds(30))
            return (
                viewed + (try topics(watching, count: 1, wait: .zero)), try topics(snooping, count: 10, wait: .zero)
            )
        }
        #expect(viewerTopics == ["event.NO-VEST", "event.NO-VEST"], "the viewer gets the two stored events")
        #expect(strangerTopics.isEmpty, "an unknown key gets nothing from the PUB stream")

        let status = try await Self.status(net, control: try #require(endpoints["control"]))
        #expect(status.events.total == 2, "only NO-VEST's own two events are stored")
        #expect(status.events.byRegion == ["NO-VEST": 2])
        let security = try #require(status.security)
        #expect(security.mode == "curve")
        // The unknown key on the ROUTER and on the PUB; the plaintext peer never reaches the ZAP handler (its
        // handshake fails on the mechanism).
        #expect(security.refused["connection refused"] == 2, "\(security.refused)")
        #expect(security.refused["wrong node"] == 1)
        #expect(security.refused["foreign region"] == 1)
        let log = try String(contentsOfFile: net.folder.file("hub.log"), encoding: .utf8)
        #expect(log.contains("connection refused") && log.contains("127.0.0.1"), "the refusal names the peer address")
    }

    @Test(.timeLimit(.minutes(6)))
    func aNodeRotatesItsKeyAndARemovedKeyIsCutOffOnReload() async throws {
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: net.folder.file("keys"), name: "NO-VEST-2")
        let both = [net.keyPath("NO-VEST", secret: false), net.keyPath("NO-VEST-2", secret: false)]
        try net.writeHubConfig(listen: "tcp://127.0.0.1:*", publicKeys: ["NO-VEST": both])
        let (hub, endpoints) = try await Self.startHub(net)
        defer { Task { await hub.stop() } }
        let listen = try #require(endpoints["listen"])
        // Keep the listen port across the rewrite, so the file stays a faithful description of the running hub.
        try net.writeHubConfig(listen: listen, publicKeys: ["NO-VEST": both])
        let old = try Self.keys(net, "NO-VEST")
        let new = try Self.keys(net, "NO-VEST-2")

        let onlyNew = [net.keyPath("NO-VEST-2", secret: false)]
        try await onSocketThread {
            let context = try ZMQContext()
            defer { context.terminate() }
            // While rotating, both keys work.
            let oldPeer = try RawPeer(connectTo: listen, context: context, curve: old)
            defer { oldPeer.close() }
            guard try oldPeer.greet(as: "NO-VEST") != nil else { throw PeerFailure("old key not welcomed") }
            try oldPeer.send(
                .events(.init(firstSequence: 1, payloads: [Self.event(1, region: "NO-VEST", node: "NO-VEST-BERGEN")]))
            )
            _ = try oldPeer.receive(until: { $0 == .ack(settledThrough: 1) })
            let newPeer = try RawPeer(connectTo: listen, context: context, curve: new)
            defer { newPeer.close() }
            guard try newPeer.greet(as: "NO-VEST") != nil else { throw PeerFailure("new key not welcomed") }

            // The rotation is done: the old key leaves the configuration; SIGHUP makes the running hub take it.
            try net.writeHubConfig(listen: listen, publicKeys: ["NO-VEST": onlyNew])
            hub.signal(SIGHUP)

            // The old key's open connection is refused at its next message once the reload is in (bounded wait).
            var refused: WireMessage.SessionError?
            // (Until then the hub answers HELLO_REQUIRED: the new key's connection has taken over NO-VEST's session.)
            for _ in 0..<100 where refused?.reason != .notAuthorized {
                try oldPeer.send(.heartbeat)
                if case .error(let error) = try oldPeer.receive(timeout: .milliseconds(500)) { refused = error }
                // Paces the probes: waits (bounded) for anything more from the hub before the next one.
                if case .error(let error) = try oldPeer.receive(timeout: .milliseconds(50)) { refused = error }
            }
            guard let refused, refused.reason == .notAuthorized else {
                throw PeerFailure(
                    "the removed key's connection still works after SIGHUP: \(String(describing: refused))"
                )
            }
            try oldPeer.send(
                .events(.init(firstSequence: 2, payloads: [Self.event(9, region: "NO-VEST", node: "NO-VEST-BERGEN")]))
            )
            // And a fresh connection with it is refused by the ZAP handler.
            let probe = try RawPeer(connectTo: listen, context: context, curve: old)
            defer { probe.close() }
            _ = try probe.offer(.hello(.init(nodeID: "NO-VEST", software: "old key again")))
            if let answer = try probe.receive(timeout: .seconds(1)) {
                throw PeerFailure("a fresh connection with the removed key got \(answer)")
            }

            // The new key goes on as NO-VEST.
            guard try newPeer.greet(as: "NO-VEST") != nil else { throw PeerFailure("new key not welcomed again") }
            try newPeer.send(
                .events(.init(firstSequence: 2, payloads: [Self.event(2, region: "NO-VEST", node: "NO-VEST-BERGEN")]))
            )
            _ = try newPeer.receive(until: { $0 == .ack(settledThrough: 2) })
        }
        let status = try await Self.status(net, control: try #require(endpoints["control"]))
        #expect(status.events.total == 2, "the old key's event after the reload was not stored")
        #expect(status.security?.refused["connection refused", default: 0] ?? 0 >= 1)
        #expect(status.security?.refused["key revoked", default: 0] ?? 0 >= 1)
        #expect(hub.isRunning, "the reload did not restart or stop the hub")
        let log = try String(contentsOfFile: net.folder.file("hub.log"), encoding: .utf8)
        #expect(log.contains("configuration reloaded") && log.contains("keys.removed=1"), "\(log.suffix(2000))")
    }

    /// A node flooding the hub beyond its rate limit is told RATE_LIMITED and its excess is not settled (it sends it
    /// again later); another node is not harmed.
    @Test(.timeLimit(.minutes(5)))
    func aFloodingNodeIsRateLimitedAndOthersAreNotHarmed() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var configuration = InProcessDaemons.hubConfiguration(folder: folder)
        configuration.nodeEventsPerSecond = 20
        let (flooderSettled, limited, quietSettled) = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let flooder = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { flooder.close() }
                guard try flooder.greet(as: "NO-NORD") != nil else { throw PeerFailure("no WELCOME") }
                // 10 messages of 20 events at once: 200 events against a budget of 20 per second.
                for message in 0..<10 {
                    let payloads = (0..<20).map {
                        Self.event(message * 20 + $0, region: "NO-NORD", node: "NO-NORD-BODO", source: "FLOOD")
                    }
                    try flooder.send(.events(.init(firstSequence: UInt64(message * 20 + 1), payloads: payloads)))
                }
                // The hub handles one connection's messages in order and answers a HEARTBEAT at once, as it does an
                // over-budget EVENT: when the HEARTBEAT comes back, every RATE_LIMITED is in. ACKs follow commits,
                // so the first (at least the first message's 20 events) may come after it.
                try flooder.send(.heartbeat)
                var settled: UInt64 = 0
                var limited = 0
                var answered = false
                for answer in try flooder.receive(
                    until: { answer in
                        if answer == .heartbeat { answered = true }
                        if case .ack(let through) = answer { settled = max(settled, through) }
                        return answered && settled >= 20
                    },
                    limit: 200
                ) {
                    if case .error(let error) = answer, error.reason == .rateLimited { limited += 1 }
                }
                // Meanwhile a quiet node reports normally.
                let quiet = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { quiet.close() }
                guard try quiet.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                try quiet.send(
                    .events(
                        .init(
                            firstSequence: 1,
                            payloads: (0..<5).map { Self.event($0, region: "NO-VEST", node: "NO-VEST-BERGEN") }
                        )
                    )
                )
                let quietAnswers = try quiet.receive(until: { $0 == .ack(settledThrough: 5) })
                let quietSettled = quietAnswers.contains { $0 == .ack(settledThrough: 5) }
                return (settled, limited, quietSettled)
            }
        }
        // The budget (20 events, plus what refills while the test reads answers) lets one or two messages through.
        #expect((20...60).contains(flooderSettled), "settled through \(flooderSettled) of 200")
        #expect(limited >= 7, "the messages over the budget are answered RATE_LIMITED (\(limited))")
        #expect(quietSettled, "the other node's events are stored and acknowledged at once")
    }
}
