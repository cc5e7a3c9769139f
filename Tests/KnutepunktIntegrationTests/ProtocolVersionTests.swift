import Foundation
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktTesting
import KnutepunktZMQ
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

    @Test(.timeLimit(.minutes(1)))
    func aNodeSpeakingThePreviousMinorWorksWithANewerHub() async throws {
        // The hub one minor ahead of this build (as the next release will be); the node speaks this build's version.
        let newer = ProtocolVersion(major: ProtocolVersion.current.major, minor: ProtocolVersion.current.minor + 1)
        let result = try await Self.exchange(hub: newer, node: .current)
        #expect(result.welcome == .current)
        #expect(result.settled == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func aHubAtALowerMinorWorksWithANewerNode() async throws {
        let newer = ProtocolVersion(major: ProtocolVersion.current.major, minor: ProtocolVersion.current.minor + 1)
        let result = try await Self.exchange(hub: .current, node: newer)
        #expect(result.welcome == .current)
        #expect(result.settled == 2)
    }

    @Test(.timeLimit(.minutes(1)))
    func anotherMajorIsRefusedWithVersionUnsupported() async throws {
        let next = ProtocolVersion(major: ProtocolVersion.current.major + 1, minor: 0)
        let result = try await Self.exchange(hub: .current, node: next)
        #expect(result.welcome == nil)
        #expect(result.refusal?.reason == .versionUnsupported)
    }
}
