import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Synchronization
import Testing

/// Mixed versions on a real hub over loopback, with a raw node whose HELLO names the version: minors are agreed down
/// to the lower of the two sides (docs/protocol.md, "Versioning"), and the events flow either way.
@Suite(.serialized)
struct ProtocolVersionTests {
    /// Runs a hub that speaks `hub`, greets it as a node speaking `node`, sends two events and returns the WELCOME's
    /// version and the ACK's settled-through.
    static func exchange(
        hub hubVersion: ProtocolVersion,
        node nodeVersion: ProtocolVersion
    ) async throws
        -> (welcome: ProtocolVersion?, settled: UInt64?, refusal: WireMessage.SessionError?)
    {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hub = HubService(
            configuration: InProcessDaemons.hubConfiguration(folder: folder),
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            supported: hubVersion,
            logger: InProcessDaemons.logger
        )
        return try await InProcessDaemons.withServices([hub]) {
            let listen = try await hub.endpoints().listen
            return try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: listen, context: context)
                defer { peer.close() }
                try peer.send(.hello(.init(version: nodeVersion, nodeID: "NO-VEST", software: "knutepunkt/older")))
                let greeting = try peer.receive(until: { if case .heartbeat = $0 { false } else { true } }, limit: 10)
                var welcome: ProtocolVersion?
                for message in greeting {
                    switch message {
                    case .welcome(let answer): welcome = answer.version
                    case .error(let report): return (nil, nil, report)
                    default: continue
                    }
                }
                guard welcome != nil else { throw PeerFailure("no WELCOME: \(greeting)") }
                try peer.send(
                    .events(
                        .init(
                            firstSequence: 1,
                            payloads: (1...2).map {
                                EventFixtures.eventBytes(
                                    source: "V",
                                    index: $0,
                                    region: "NO-VEST",
                                    node: "NO-VEST-FONNA"
                                )
                            }
                        )
                    )
                )
                var settled: UInt64?
                for message in try peer.receive(until: { if case .ack(2) = $0 { true } else { false } }) {
                    if case .ack(let through) = message { settled = through }
                }
                return (welcome, settled, nil)
            }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aNodeSpeakingThePreviousMinorWorksWithANewerHub() async throws {
        // The hub one minor ahead of this build (as the next release will be); the node speaks this build's version.
        let newer = ProtocolVersion(major: ProtocolVersion.current.major, minor: ProtocolVersion.current.minor + 1)
        let result = try await Self.exchange(hub: newer, node: .current)
        #expect(result.welcome == .current)
        #expect(result.settled == 2)
    }

    @Test(.timeLimit(.minutes(5)))
    func aHubAtALowerMinorWorksWithANewerNode() async throws {
        let newer = ProtocolVersion(major: ProtocolVersion.current.major, minor: ProtocolVersion.current.minor + 1)
        let result = try await Self.exchange(hub: .current, node: newer)
        #expect(result.welcome == .current)
        #expect(result.settled == 2)
    }

    @Test(.timeLimit(.minutes(5)))
    func anotherMajorIsRefusedWithVersionUnsupported() async throws {
        let next = ProtocolVersion(major: ProtocolVersion.current.major + 1, minor: 0)
        let result = try await Self.exchange(hub: .current, node: next)
        #expect(result.welcome == nil)
        #expect(result.refusal?.reason == .versionUnsupported)
    }

    // MARK: - Versions of events (KPN/1.1) with peers of KPN/1.0

    /// A node of KPN/1.0 sends schema 1.0 documents; this hub stores them as version 1 of their events, and answers a
    /// conflicting one with DUPLICATE_EVENT_ID (a code such a node knows), never with the codes 1.1 added.
    @Test(.timeLimit(.minutes(5)))
    func aNodeOfTheFirstVersionGetsItsEventsStoredAsVersionOneAndOnlyCodesItKnows() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hub = HubService(
            configuration: InProcessDaemons.hubConfiguration(folder: folder),
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            logger: InProcessDaemons.logger
        )
        let nacks = try await InProcessDaemons.withServices([hub]) {
            let listen = try await hub.endpoints().listen
            return try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: listen, context: context)
                defer { peer.close() }
                try peer.send(.hello(.init(version: .first, nodeID: "NO-VEST", software: "knutepunkt/0.1.0")))
                let greeting = try peer.receive(until: { if case .welcome = $0 { true } else { false } }, limit: 10)
                guard case .welcome(let welcome)? = greeting.last, welcome.version == .first else {
                    throw PeerFailure("no WELCOME 1.0: \(greeting)")
                }
                let original = EventFixtures.event(source: "V", index: 1, region: "NO-VEST", node: "NO-VEST-FONNA")
                let changed = original.replacingOccurrences(of: "\"participants\":12", with: "\"participants\":13")
                try peer.send(
                    .events(.init(firstSequence: 1, payloads: [original, changed, original].map { Array($0.utf8) }))
                )
                var nacks: [WireMessage.Nack] = []
                for message in try peer.receive(until: { if case .ack(3) = $0 { true } else { false } }) {
                    if case .nack(let nack) = message { nacks.append(nack) }
                }
                return nacks
            }
        }
        #expect(nacks.map(\.sequence) == [2, 3])
        #expect(nacks.map(\.reason) == [.duplicateEventID, .duplicateEventID])
        #expect(nacks.first?.detail.contains("is already at version 1 at the hub") == true)
        let store = try InProcessDaemons.hubConfiguration(folder: folder).storage.open()
        defer { try? store.close() }
        let id = try #require(UUID(uuidString: EventFixtures.id("V", 1)))
        let history = try #require(try EventHistory.read(id, from: store, withholdSmallCounts: false))
        #expect(history.versions.map(\.version) == [1])
        #expect(history.versions.first?.submittedBy == nil)
        #expect(try store.counts().total == 1)
    }

    /// A node of this build greeting a hub of KPN/1.0 (played here by a raw ROUTER that reads schema 1.0 only, as
    /// such a hub does): version 1 of an event goes as its schema 1.0 document, without the submitter, and is
    /// stored; a correction cannot be said in 1.0, goes as it is, and comes back refused, which the node shows.
    @Test(.timeLimit(.minutes(5)))
    func aNodeSendsSchemaOneZeroToAHubOfTheFirstVersion() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let bound = ReadySignal<String>()
        let stop = StopFlag()
        async let served = onSocketThread { try Self.serveAsFirstVersionHub(bound: bound, stop: stop) }
        let endpoint = try await bound.value()
        let path = folder.file("node.yaml")
        try """
        node:
          id: NO-VEST
          region: NO-VEST
          hub: \(endpoint)
          control: ipc://\(folder.file("control.sock"))
          outbox: \(folder.file("outbox.sqlite"))
          taxonomy: \(Repository.taxonomyPath)
          defaultNode: NO-VEST-BERGEN
        """.write(toFile: path, atomically: true, encoding: .utf8)
        guard case (.node(let node), _) = try DaemonConfiguration.load(path: path) else {
            throw PeerFailure("not a node configuration")
        }
        let id = EventFixtures.id("V", 7)
        let first = EventFixtures.event(source: "V", index: 7, region: "NO-VEST", node: "NO-VEST-BERGEN")
        let correction = first.replacingOccurrences(
            of: "\"participants\":12",
            with: "\"participants\":15,\"based_on\":1"
        )
        let listed = try await InProcessDaemons.withNode(node) { endpoints in
            try await ControlClient.withConnection(to: endpoints.control, timeout: .seconds(30)) { client in
                _ = try client.submit([Array(first.utf8)], submittedBy: "kari")
                _ = try client.submit([Array(correction.utf8)], submittedBy: "kari")
                _ = try client.status(StatusRequest(waitForDrained: true, timeoutMillis: 30_000))
                return try client.events(EventsRequest())
            }
        }
        stop.set()
        let payloads = try await served
        #expect(payloads.count == 2)
        let firstSent = try #require(try JSONValue.parse(payloads[0]).objectValue)
        #expect(Set(firstSent.keys).isSubset(of: Set(ActivityEvent.schemaOneZeroMemberNames)), "\(firstSent.keys)")
        #expect(firstSent["id"]?.stringValue == id)
        let secondSent = try #require(try JSONValue.parse(payloads[1]).objectValue)
        #expect(secondSent["based_on"] == JSONValue.integer(1) && secondSent["version"] == JSONValue.integer(2))
        let states = listed.events.map { "\($0.id) v\($0.version) \($0.state)" }
        #expect(states == ["\(id) v2 refused"])
        #expect(
            listed.events.first?.reason?.hasPrefix("INVALID_EVENT: version: event schema 1 has no such member") == true
        )
    }

    /// Plays a hub of KPN/1.0 on a ROUTER bound to a loopback port: WELCOME 1.0, every event settled, those with a
    /// member schema 1.0 does not have refused with INVALID_EVENT as that hub's validator would. Returns each
    /// sequence's payload as received, once `stop` is set (bounded: at most a minute of polls).
    static func serveAsFirstVersionHub(bound: ReadySignal<String>, stop: StopFlag) throws -> [[UInt8]] {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        try router.bind("tcp://127.0.0.1:*")
        bound.fulfil(try router.lastEndpoint)
        let known = Set(ActivityEvent.schemaOneZeroMemberNames)
        var payloads: [UInt64: [UInt8]] = [:]
        var settled: UInt64 = 0
        for _ in 0..<600 where !stop.isSet {
            var poller = ZMQPoller()
            _ = poller.add(router)
            guard try poller.poll(timeout: .milliseconds(100)).first?.contains(.readable) == true,
                let message = try router.receive(dontWait: true), let peer = message.frames.first
            else { continue }
            func reply(_ answer: WireMessage) throws { try router.send([peer] + WireCodec.encode(answer)) }
            switch try WireCodec.decode(Array(message.frames.dropFirst())) {
            case .hello:
                try reply(.welcome(.init(version: .first, settledThrough: settled, hubID: "OLD-HUB")))
            case .heartbeat:
                try reply(.heartbeat)
            case .events(let batch):
                for (offset, payload) in batch.payloads.enumerated() {
                    let sequence = batch.firstSequence + UInt64(offset)
                    guard sequence == settled + 1 else { continue }
                    payloads[sequence] = payload
                    let members = (try? JSONValue.parse(payload))?.objectValue?.keys ?? []
                    if let unknown = members.first(where: { !known.contains($0) }) {
                        try reply(
                            .nack(
                                .init(
                                    sequence: sequence,
                                    reason: .invalidEvent,
                                    detail: "\(unknown): event schema 1 has no such member"
                                )
                            )
                        )
                    }
                    settled = sequence
                }
                try reply(.ack(settledThrough: settled))
            default:
                continue
            }
        }
        return payloads.keys.sorted().compactMap { payloads[$0] }
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
