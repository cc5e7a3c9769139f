import Foundation
import KnutepunktClient
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

extension RawPeer {
    /// The next message's frames as they are (for messages ``WireCodec`` does not read), or nil after `timeout`.
    func receiveFrames(timeout: Duration = .seconds(10)) throws -> [[UInt8]]? {
        var poller = ZMQPoller()
        _ = poller.add(socket)
        guard try poller.poll(timeout: timeout).first?.contains(.readable) == true else { return nil }
        return try socket.receive(dontWait: true)?.frames
    }
}

/// KPN/1.2 (reference data) beside the minor before it, on a real hub over loopback: a node of KPN/1.1 never sees a
/// reference-data message and its events flow as before; a node of this build works with a hub of KPN/1.1, checking
/// events against its own taxonomy file and sending them without `taxonomy_version`.
@Suite(.serialized)
struct ReferenceDataVersionTests {
    /// Greets as a node speaking `version`, sends REFERENCE_QUERY twice (holding nothing, then what came) and a
    /// HEARTBEAT after each, and returns every message's frames up to each HEARTBEAT answer.
    static func queries(speaking version: ProtocolVersion) async throws -> (ProtocolVersion?, [[[UInt8]]], [[[UInt8]]])
    {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        return try await InProcessDaemons.withHub(InProcessDaemons.hubConfiguration(folder: folder)) { hub in
            try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: hub.listen, context: context)
                defer { peer.close() }
                try peer.send(.hello(.init(version: version, nodeID: "NO-VEST", software: "knutepunkt/raw")))
                var agreed: ProtocolVersion?
                for message in try peer.receive(until: { if case .welcome = $0 { true } else { false } }, limit: 10) {
                    if case .welcome(let welcome) = message { agreed = welcome.version }
                }
                func exchange(held: UInt64) throws -> [[[UInt8]]] {
                    try peer.sendRaw(ReferenceMessage.query(held: held).frames)
                    try peer.send(.heartbeat)
                    var seen: [[[UInt8]]] = []
                    while let frames = try peer.receiveFrames() {
                        if (try? WireCodec.decode(frames)) == .heartbeat { break }
                        // KPN/1.3 sends the locked months after each answer (PeriodLockTests covers them).
                        if PeriodsMessage.isPeriods(frames) { continue }
                        seen.append(frames)
                    }
                    return seen
                }
                let first = try exchange(held: 0)
                var held: UInt64 = 0
                if let frames = first.first, case .reference(let version, _)? = try ReferenceMessage.decode(frames) {
                    held = version
                }
                return (agreed, first, try exchange(held: held))
            }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aNodeOfThePreviousMinorNeverSeesReferenceData() async throws {
        let (agreed, first, second) = try await Self.queries(speaking: .versions)
        #expect(agreed == .versions)
        #expect(first.isEmpty && second.isEmpty, "a 1.1 session gets no REFERENCE, even when it asks")
    }

    @Test(.timeLimit(.minutes(5)))
    func aNodeOfThisMinorGetsTheDocumentOnceThenOnlyConfirmations() async throws {
        let (agreed, first, second) = try await Self.queries(speaking: .current)
        #expect(agreed == .current)
        let shipped = try String(contentsOfFile: Repository.taxonomyPath, encoding: .utf8)
        #expect(try first.map(ReferenceMessage.decode) == [.reference(version: 1, document: Array(shipped.utf8))])
        #expect(try second.map(ReferenceMessage.decode) == [.reference(version: 1, document: [])])
    }

    @Test(.timeLimit(.minutes(6)))
    func aNodeOfThisBuildWorksWithAHubOfThePreviousMinor() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hub = HubService(
            configuration: InProcessDaemons.hubConfiguration(folder: folder),
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            supported: .versions,
            logger: InProcessDaemons.logger
        )
        let (results, status) = try await InProcessDaemons.withServices([hub]) {
            let listen = try await hub.endpoints().listen
            return try await InProcessDaemons.withNode(NodeToHubTests.nodeConfiguration(folder: folder, hub: listen)) {
                node in
                let events = (1...2).map {
                    EventFixtures.event(source: "OLD", index: $0, region: "NO-VEST", node: "NO-VEST-FONNA")
                }
                let results = try await NodeToHubTests.submit(events, to: node.control)
                return (results, try await NodeToHubTests.drained(node.control))
            }
        }
        #expect(results.allSatisfy { $0.status == .queued })
        #expect(status.outbox.deliveredThrough == 2 && status.outbox.rejected == 0)
        #expect(status.taxonomy?.source == "file" && status.taxonomy?.version == nil)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var payloads: [String] = []
        try store.forEachPayload { payloads.append(String(decoding: $0, as: UTF8.self)) }
        #expect(payloads.count == 2 && !payloads.contains { $0.contains("taxonomy_version") })
    }
}
