import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// The protocol as documented (docs/protocol.md, "Limits" and hub rule 6), against a real hub and node in this
/// process: the canonical form stored whatever the spelling, PAYLOAD_TOO_LARGE for a payload over 65,536 bytes,
/// `hub.maxMessageBytes` per message and not per frame, one reply to every control request, oversized ones too, and a
/// node that cuts its batches to fit the hub's limit.
@Suite(.serialized)
struct MessageLimitsTests {
    /// Sends one KPC/1 request on a DEALER and returns the reply's command and body (nil: no reply within 30 s).
    static func control(_ endpoint: String, _ frames: [[UInt8]]) async throws -> (ControlCommand, String)? {
        try await onSocketThread {
            let context = try ZMQContext()
            defer { context.terminate() }
            let dealer = try context.makeSocket(.dealer)
            defer { dealer.close() }
            try dealer.setOption(.maxMessageSize, Int64(-1))
            try dealer.connect(endpoint)
            _ = try dealer.send(frames)
            var poller = ZMQPoller()
            poller.add(dealer)
            guard try poller.poll(timeout: .seconds(30))[0].contains(.readable),
                let reply = try dealer.receive(dontWait: true)
            else { return nil }
            // A request sent with an empty delimiter gets it back in front of the reply.
            let frames = reply.frames.first?.isEmpty == true ? Array(reply.frames.dropFirst()) : reply.frames
            let message = try ControlCodec.decode(frames)
            return (message.command, String(decoding: message.body, as: UTF8.self))
        }
    }

    @Test(.timeLimit(.minutes(6)))
    func theHubStoresTheCanonicalFormAndEnforcesItsLimitsPerMessage() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let configuration = InProcessDaemons.hubConfiguration(folder: folder)
        let limit = configuration.maxMessageBytes
        let (answers, tooLarge, afterwards, hubReplies) = try await InProcessDaemons.withHub(configuration) {
            endpoints in
            let peerResults = try await onSocketThread {
                () -> ([WireMessage], WireMessage?, [WireMessage]) in
                let context = try ZMQContext()
                defer { context.terminate() }
                let vest = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { vest.close() }
                guard try vest.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                // 1: a payload of 70,000 bytes; 2: a valid event spelled with spaces and reordered members.
                let spelled = try JSONSerialization.data(
                    withJSONObject: try JSONSerialization.jsonObject(
                        with: Data(HubRobustnessTests.event(2))
                    ),
                    options: [.prettyPrinted, .withoutEscapingSlashes]
                )
                try vest.send(
                    .events(
                        .init(firstSequence: 1, payloads: [[UInt8](repeating: 0x20, count: 70_000), Array(spelled)])
                    )
                )
                let answers = try vest.receive(until: { $0 == .ack(settledThrough: 2) })

                // A message of frames each well within hub.maxMessageBytes, adding up to more than it.
                let nord = try RawPeer(connectTo: endpoints.listen, context: context)
                defer { nord.close() }
                guard try nord.greet(as: "NO-NORD") != nil else { throw PeerFailure("no WELCOME") }
                let third = [UInt8](repeating: 0x20, count: limit / 3 + 1)
                try nord.send(.events(.init(firstSequence: 1, payloads: [third, third, third])))
                let refused = try nord.receive()
                // The connection goes on, and nothing of the refused message was settled.
                try nord.send(
                    .events(
                        .init(
                            firstSequence: 1,
                            payloads: [HubRobustnessTests.event(7, region: "NO-NORD", node: "NO-NORD-BODO")]
                        )
                    )
                )
                let after = try nord.receive(until: { if case .ack = $0 { true } else { false } })
                return (answers, refused, after)
            }
            // KPC at the hub: oversized (between the limit and the hard ceiling) and malformed requests get one
            // reply each; the hub still answers STATUS after them.
            let header: [UInt8] = [0x4B, 0x43, 0x01, 0x03]
            var replies: [(ControlCommand, String)?] = []
            replies.append(
                try await Self.control(
                    endpoints.control,
                    [header, [UInt8](repeating: 0x20, count: WireLimits.hubControlRequestBytes + 1)]
                )
            )
            replies.append(try await Self.control(endpoints.control, [[0x00]]))
            replies.append(try await Self.control(endpoints.control, [header, Array("{}".utf8)]))
            return (peerResults.0, peerResults.1, peerResults.2, replies)
        }
        let nacks = answers.compactMap { if case .nack(let nack) = $0 { nack } else { nil } }
        #expect(nacks.map(\.sequence) == [1])
        #expect(nacks.first?.reason == .payloadTooLarge)
        #expect(nacks.first?.detail.contains("70000 bytes") == true, "\(nacks)")
        guard case .error(let error)? = tooLarge else {
            Issue.record("no ERROR for a message over hub.maxMessageBytes: \(String(describing: tooLarge))")
            return
        }
        #expect(error.reason == .malformedMessage)
        #expect(error.detail.contains("hub.maxMessageBytes"), "\(error.detail)")
        #expect(afterwards.last == .ack(settledThrough: 1), "\(afterwards)")

        #expect(hubReplies[0]?.0 == .error && hubReplies[0]?.1.contains("TOO_LARGE") == true, "\(hubReplies)")
        #expect(hubReplies[1]?.0 == .error && hubReplies[1]?.1.contains("MALFORMED_REQUEST") == true)
        #expect(hubReplies[2]?.0 == .statusReply)

        let payloads = try SQLiteTestAccess.payloads(in: folder.file("hub.sqlite"))
        let canonical = EventFixtures.activity(source: "RAW", index: 2, region: "NO-VEST", node: "NO-VEST-BERGEN")
            .canonicalJSON()
        #expect(payloads.contains(canonical), "the store holds the canonical form, not the spelling received")
        #expect(payloads.count == 2, "the event of NO-VEST and the one of NO-NORD after the refused message")
    }

    @Test(.timeLimit(.minutes(6)))
    func aNodeCutsItsBatchesToFitTheHubsLimitAndAnswersEveryRequest() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        // The smallest limit a configuration allows: 256 events of about 450 bytes do not fit one message.
        hubConfiguration.maxMessageBytes = 65_536
        let (status, stored, replies) = try await InProcessDaemons.withHub(hubConfiguration) { hub in
            var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            nodeConfiguration.maxMessageBytes = 65_536
            return try await InProcessDaemons.withNode(nodeConfiguration) { node in
                let events = (0..<600).map {
                    EventFixtures.event(source: "CUT", index: $0, region: "NO-VEST", node: "NO-VEST-FONNA")
                }
                for start in stride(from: 0, to: events.count, by: 100) {
                    _ = try await NodeToHubTests.submit(Array(events[start..<(start + 100)]), to: node.control)
                }
                let status = try await NodeToHubTests.drained(node.control)
                let header: [UInt8] = [0x4B, 0x43, 0x01, 0x01]
                var replies: [(ControlCommand, String)?] = []
                // Over the node's limit (below its hard ceiling, 16 times it): TOO_LARGE, nothing accepted.
                replies.append(try await Self.control(node.control, [header, [UInt8](repeating: 0x20, count: 70_000)]))
                // A REQ-style envelope and an undecodable request: MALFORMED_REQUEST.
                replies.append(try await Self.control(node.control, [[], [0xFF]]))
                replies.append(
                    try await Self.control(node.control, [[0x4B, 0x43, 0x01, 0x03], Array("{}".utf8)])
                )
                let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
                defer { try? store.close() }
                return (status, try store.counts().total, replies)
            }
        }
        #expect(status.outbox.backlog == 0 && status.outbox.deliveredThrough == 600)
        #expect(stored == 600)
        #expect(replies[0]?.0 == .error && replies[0]?.1.contains("TOO_LARGE") == true, "\(replies)")
        #expect(replies[1]?.0 == .error && replies[1]?.1.contains("MALFORMED_REQUEST") == true, "\(replies)")
        #expect(replies[2]?.0 == .statusReply && replies[2]?.1.contains("\"lastSequence\":600") == true)
    }
}
