import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// A real hub (in this process, real sockets on loopback) against hand-driven peers: it validates again, NACKs what
/// it refuses with the right reason, stores nothing twice, and no broken or hostile peer stalls the others.
@Suite(.serialized)
struct HubRobustnessTests {
    static func event(
        _ index: Int,
        region: String = "NO-VEST",
        node: String = "NO-VEST-BERGEN",
        kind: String = "TRAINING"
    )
        -> [UInt8]
    {
        Array(EventFixtures.event(source: "RAW", index: index, region: region, node: node, kind: kind).utf8)
    }

    @Test(.timeLimit(.minutes(6)))
    func validEventsAreAckedAndRefusedOnesNackedWithTheirReason() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let messages = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { peer.close() }
                guard let welcome = try peer.greet(as: "NO-VEST"), welcome.settledThrough == 0 else {
                    throw PeerFailure("no WELCOME with settled-through 0 from a fresh hub")
                }
                let payloads = [
                    Self.event(0),
                    Self.event(1, kind: "VISIT"),  // unknown kind
                    Self.event(2, region: "NO-NORD", node: "NO-NORD-BODO"),  // another node's region
                    Array("{not json".utf8),
                    Self.event(0),  // the id of sequence 1 again, under sequence 5
                    Self.event(3),
                    // A Swedish personnummer (Luhn-valid, 1985-04-12) in the note: a node must never send it, and the
                    // hub refuses it again without repeating it.
                    Array(
                        EventFixtures.event(
                            source: "RAW",
                            index: 4,
                            region: "NO-VEST",
                            node: "NO-VEST-BERGEN",
                            note: "mor 850412-3459 deltok"
                        ).utf8
                    ),
                ]
                try peer.send(.events(.init(firstSequence: 1, payloads: payloads)))
                return try peer.receive(until: {
                    if case .ack(let through) = $0 { through == 7 } else { false }
                })
            }
        }
        let nacks = messages.compactMap { message -> (UInt64, ReasonCode)? in
            if case .nack(let nack) = message { (nack.sequence, nack.reason) } else { nil }
        }
        #expect(nacks.map(\.0) == [2, 3, 4, 5, 7])
        #expect(
            nacks.map(\.1) == [.invalidEvent, .foreignRegion, .malformedPayload, .duplicateEventID, .personalData]
        )
        let personal = messages.compactMap { message -> String? in
            if case .nack(let nack) = message, nack.reason == .personalData { nack.detail } else { nil }
        }
        #expect(personal.first?.contains("PII_SE_PNR") == true || personal.first?.contains("personnummer") == true)
        #expect(personal.allSatisfy { !$0.contains("850412") && !$0.contains("3459") }, "the number is never repeated")
        #expect(messages.last == .ack(settledThrough: 7))

        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        let keys = try store.storedKeys()
        #expect(keys.map(\.sequence) == [1, 6])
        #expect(try store.counts().rejected == 5)
    }

    @Test(.timeLimit(.minutes(6)))
    func aRetransmissionIsNeverStoredTwiceAndAGapAsksForAResend() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let seen = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await onSocketThread { () -> [WireMessage] in
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { peer.close() }
                guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                var seen: [WireMessage] = []
                try peer.send(.events(.init(firstSequence: 1, payloads: (0..<3).map { Self.event($0) })))
                seen += try peer.receive(until: { $0 == .ack(settledThrough: 3) })
                // The same three again (a go-back after a lost ACK): only an ACK comes back.
                try peer.send(.events(.init(firstSequence: 1, payloads: (0..<3).map { Self.event($0) })))
                seen += try peer.receive(until: { $0 == .ack(settledThrough: 3) })
                // Sequence 5 before 4: the hub drops it and asks for 4.
                try peer.send(.events(.init(firstSequence: 5, payloads: [Self.event(4)])))
                seen += try peer.receive(until: { $0 == .resend(from: 4) })
                try peer.send(.events(.init(firstSequence: 4, payloads: [Self.event(3), Self.event(4)])))
                seen += try peer.receive(until: { $0 == .ack(settledThrough: 5) })
                return seen
            }
        }
        #expect(seen.filter { $0 == .ack(settledThrough: 3) }.count == 2)
        #expect(seen.contains(.resend(from: 4)))
        #expect(seen.last == .ack(settledThrough: 5))
        #expect(!seen.contains { if case .nack = $0 { true } else { false } })
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.storedKeys().map(\.sequence) == [1, 2, 3, 4, 5])
    }

    @Test(.timeLimit(.minutes(6)))
    func malformedAndHostilePeersNeitherCrashTheHubNorStallOthers() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let (errors, acks) = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await onSocketThread { () -> ([ReasonCode], [UInt64]) in
                let context = try ZMQContext()
                defer { context.terminate() }
                let good = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { good.close() }
                guard try good.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }

                // Each broken message from its own peer, so the hub's one-ERROR-per-second holdoff does not hide
                // an answer.
                let broken: [[[UInt8]]] = [
                    [[0x00]],  // no signature
                    [[0x4B, 0x50, 0x01, 0x7E]],  // unknown command
                    [[0x4B, 0x50, 0x09, 0x01], [9, 0], Array("NO-VEST".utf8), []],  // major version 9
                    [[0x4B, 0x50, 0x01, 0x03], [0, 0, 0, 0, 0, 0, 0, 1], Array("{}".utf8)],  // EVENT before HELLO
                    [[0x4B, 0x50, 0x01, 0x03], [0, 1]],  // EVENT cut short
                    [[0x4B, 0x50, 0x01, 0x01], [1, 0], Array("no such node!".utf8), []],  // bad node id
                    [[0x4B, 0x50, 0x01, 0x01], [1, 0], Array("NO-MARS".utf8), []],  // no grant
                    [[0x4B, 0x50, 0x01, 0x04], [0, 0, 0, 0, 0, 0, 0, 1]],  // ACK is the hub's to send
                ]
                var errors: [ReasonCode] = []
                for frames in broken {
                    let peer = try RawPeer(connectTo: endpoints.listen, context: context)
                    defer { peer.close() }
                    try peer.sendRaw(frames)
                    if case .error(let error)? = try peer.receive() { errors.append(error.reason) }
                }
                // A peer that dies in the middle of a ZMTP frame: half a message never reaches the hub.
                try HalfMessage.send(to: endpoints.listen)
                // An oversized message: libzmq drops it and the connection (maxMessageBytes is 1 MiB here).
                let big = try RawPeer(connectTo: endpoints.listen, context: context)
                // Some linger, so that closing does not discard the message before it is on the wire.
                try big.socket.setOption(.linger, .seconds(1))
                try big.sendRaw(
                    WireCodec.encode(.hello(.init(nodeID: "NO-NORD", software: ""))) + [
                        [UInt8](repeating: 7, count: 2 << 20)
                    ]
                )
                big.close()

                // The good node is served throughout.
                var acks: [UInt64] = []
                for round in 0..<5 {
                    let first = UInt64(round * 10 + 1)
                    try good.send(
                        .events(.init(firstSequence: first, payloads: (0..<10).map { Self.event(round * 10 + $0) }))
                    )
                    for message in try good.receive(until: { $0 == .ack(settledThrough: first + 9) }) {
                        if case .ack(let through) = message { acks.append(through) }
                    }
                }
                return (errors, acks)
            }
        }
        #expect(
            errors == [
                .malformedMessage, .unknownCommand, .versionUnsupported, .helloRequired, .malformedMessage,
                .malformedMessage, .unknownNode, .unknownCommand,
            ]
        )
        #expect(acks == [10, 20, 30, 40, 50])
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.counts().total == 50)
    }
}

/// Writes a ZMTP 3.0 greeting, a READY and half of a two-part message over plain TCP, then hangs up.
enum HalfMessage {
    static func send(to endpoint: String) throws {
        let address = endpoint.dropFirst("tcp://".count)
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw DaemonProcessError(message: "not a tcp endpoint: \(endpoint)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonProcessError(message: "socket() failed") }
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw DaemonProcessError(message: "connect() failed") }
        var bytes: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0]
        bytes += Array("NULL".utf8) + [UInt8](repeating: 0, count: 16) + [0] + [UInt8](repeating: 0, count: 31)
        let ready = [5] + Array("READY".utf8) + [11] + Array("Socket-Type".utf8) + [0, 0, 0, 6] + Array("DEALER".utf8)
        bytes += [0x04, UInt8(ready.count)] + ready
        // First part complete (the KPN header, MORE set), second part announced as 100 bytes, only 10 sent.
        bytes += [0x01, 4, 0x4B, 0x50, 0x01, 0x03]
        bytes += [0x00, 100] + [UInt8](repeating: 0x41, count: 10)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw DaemonProcessError(message: "write() failed") }
    }
}

/// What the hub publishes: every stored event, once, with its region as topic.
@Suite(.serialized)
struct HubPublishingTests {
    @Test(.timeLimit(.minutes(6)))
    func storedEventsArePublishedOnceWithTheirRegionAsTopic() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let received = try await InProcessDaemons.withHub(configuration) { endpoints in
            try await onSocketThread { () -> [(topic: String, id: String)] in
                let context = try ZMQContext()
                defer { context.terminate() }
                let subscriber = try context.makeSocket(.sub)
                defer { subscriber.close() }
                try subscriber.setOption(.subscribe, Array("event.NO-VEST".utf8))
                try subscriber.connect(endpoints.publish)
                let peer = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { peer.close() }
                guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }

                func next(timeout: Duration) throws -> (topic: String, id: String)? {
                    var poller = ZMQPoller()
                    _ = poller.add(subscriber)
                    guard try poller.poll(timeout: timeout).first?.contains(.readable) == true,
                        let message = try subscriber.receive(dontWait: true), message.frames.count == 3,
                        message.frames[2].count == 8,
                        case .object(let event) = try JSONValue.parse(message.frames[1]),
                        case .string(let id)? = event["id"]
                    else { return nil }
                    return (String(decoding: message.frames[0], as: UTF8.self), id)
                }
                // A subscription takes effect a moment after connecting (ZeroMQ's slow joiner): send one new event
                // at a time until one is seen (the poll only paces the probes); every event stored after it must
                // then arrive, once, in order.
                var sequence: UInt64 = 0
                var first: (topic: String, id: String)?
                while first == nil, sequence < 200 {
                    sequence += 1
                    try peer.send(
                        .events(.init(firstSequence: sequence, payloads: [HubRobustnessTests.event(Int(sequence))]))
                    )
                    _ = try peer.receive(until: { $0 == .ack(settledThrough: sequence) })
                    first = try next(timeout: .milliseconds(50))
                }
                guard let first else { throw PeerFailure("nothing published") }
                let start = sequence + 1
                try peer.send(
                    .events(
                        .init(
                            firstSequence: start,
                            payloads: (0..<20).map { HubRobustnessTests.event(Int(start) + $0) }
                        )
                    )
                )
                _ = try peer.receive(until: { $0 == .ack(settledThrough: start + 19) })
                // A duplicate of a stored event is not published again: it is followed by one new event, and the
                // stream, which keeps the hub's order, must go straight from the 20 to that one (no waiting for
                // silence).
                try peer.send(.events(.init(firstSequence: start, payloads: [HubRobustnessTests.event(Int(start))])))
                _ = try peer.receive(until: { $0 == .ack(settledThrough: start + 19) })
                let last = start + 20
                try peer.send(.events(.init(firstSequence: last, payloads: [HubRobustnessTests.event(Int(last))])))
                _ = try peer.receive(until: { $0 == .ack(settledThrough: last) })
                let lastID = EventFixtures.id("RAW", Int(last))
                var seen = [first]
                while seen.count < 300, seen.last?.id != lastID, let event = try next(timeout: .seconds(30)) {
                    seen.append(event)
                }
                // What was published after `first`, from the 20 on (a probe published late comes before them).
                let firstOfTwenty = EventFixtures.id("RAW", Int(start))
                return Array(seen.drop { $0.id != firstOfTwenty })
            }
        }
        #expect(received.count == 21, "the 20 events and the one after the duplicate, the duplicate not again")
        #expect(received.allSatisfy { $0.topic == "event.NO-VEST" })
        let firstIndex = try #require(
            received.first.map { id in
                (0..<300).first { EventFixtures.id("RAW", $0) == id.id }
            } ?? nil
        )
        #expect(received.map(\.id) == (firstIndex..<(firstIndex + 21)).map { EventFixtures.id("RAW", $0) })
    }
}
