import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import Testing

/// A real node and a real hub in this process, talking over loopback; coordinators talk to the node over KPC/1.
@Suite(.serialized)
struct NodeToHubTests {
    static func nodeConfiguration(folder: TemporaryDirectory, hub: String) -> NodeConfiguration {
        NodeConfiguration(
            id: "NO-VEST",
            region: "NO-VEST",
            hubEndpoint: hub,
            controlEndpoint: "tcp://127.0.0.1:*",
            outboxPath: folder.file("node/outbox.sqlite"),
            taxonomyPath: Repository.taxonomyPath,
            defaultNode: "NO-VEST-BERGEN",
            uplink: .init(
                heartbeatInterval: .milliseconds(200),
                hubTimeout: .seconds(1),
                retransmitTimeout: .seconds(1)
            )
        )
    }

    static func submit(_ events: [String], to endpoint: String) async throws -> [SubmitResult] {
        try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
            try $0.submit(events.map { Array($0.utf8) })
        }
    }

    static func drained(_ endpoint: String) async throws -> NodeStatusReport {
        let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
            try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 30_000))
        }
        guard case .node(let node, _) = report else { throw PeerFailure("not a node's status") }
        return node
    }

    @Test(.timeLimit(.minutes(6)))
    func acceptedEventsReachTheHubAndInvalidOnesAreExplained() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        let (results, status, again) = try await InProcessDaemons.withHub(hubConfiguration) { hub in
            try await InProcessDaemons.withNode(Self.nodeConfiguration(folder: folder, hub: hub.listen)) { node in
                let good = (0..<20).map {
                    EventFixtures.event(source: "N", index: $0, region: "NO-VEST", node: "NO-VEST-FONNA")
                }
                let bad = [
                    #"{"kind":"VISIT","date":"2025-02-30","target_groups":[],"participants":-1}"#,
                    EventFixtures.event(
                        source: "N",
                        index: 99,
                        region: "NO-VEST",
                        node: "NO-VEST-FONNA",
                        note: "mor 15108695088"
                    ),
                ]
                let results = try await Self.submit(good + bad, to: node.control)
                let status = try await Self.drained(node.control)
                // Publishing the same events again stores nothing new: they are "delivered" already.
                let again = try await Self.submit(Array(good.prefix(3)), to: node.control)
                return (results, status, again)
            }
        }
        #expect(results.prefix(20).allSatisfy { $0.status == .queued })
        #expect(results.prefix(20).compactMap(\.sequence) == Array(1...20))
        let invalid = results[20]
        #expect(invalid.status == .invalid)
        let fields = Set((invalid.issues ?? []).map(\.field))
        #expect(fields.isSuperset(of: ["kind", "date", "target_groups", "participants"]))
        let personal = results[21]
        #expect(personal.status == .invalid)
        #expect(personal.issues?.map(\.code.rawValue) == ["PII_NO_FNR"])
        #expect(!(personal.issues ?? []).contains { $0.message.contains("15108695088") })
        #expect(status.outbox.backlog == 0 && status.outbox.deliveredThrough == 20)
        #expect(again.allSatisfy { $0.status == .delivered && $0.existing })

        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.counts().total == 20)
    }

    @Test(.timeLimit(.minutes(6)))
    func aNodeKeepsAcceptingWhileTheHubIsDownAndDeliversWhenItReturns() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        // Learn a free port from a first hub run; the hub comes back on the same address later.
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        let listen = try await InProcessDaemons.withHub(hubConfiguration) { $0.listen }
        hubConfiguration.listenEndpoint = listen

        let nodeConfiguration = Self.nodeConfiguration(folder: folder, hub: listen)
        let offline = try await InProcessDaemons.withNode(nodeConfiguration) { node in
            let events = (0..<50).map {
                EventFixtures.event(source: "OFF", index: $0, region: "NO-VEST", node: "NO-VEST-FORDE")
            }
            let results = try await Self.submit(events, to: node.control)
            let report = try await ControlClient.withConnection(to: node.control, timeout: .seconds(60)) {
                try $0.status()
            }
            guard case .node(let status, _) = report else { throw PeerFailure("not a node's status") }
            return (results, status)
        }
        #expect(offline.0.allSatisfy { $0.status == .queued })
        #expect(offline.1.outbox.backlog == 50)
        #expect(offline.1.hub.state != "ready")

        // The node restarts (from its outbox) and the hub comes back: everything arrives once.
        let status = try await InProcessDaemons.withHub(hubConfiguration) { _ in
            try await InProcessDaemons.withNode(nodeConfiguration) { node in try await Self.drained(node.control) }
        }
        #expect(status.outbox.backlog == 0)
        #expect(status.outbox.deliveredThrough == 50)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.storedKeys().map(\.sequence) == Array(1...50))
    }

    @Test(.timeLimit(.minutes(5)))
    func aClientToleratesANodeThatIsNotRunning() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let endpoint = "ipc://\(folder.file("nobody.sock"))"
        let error = await #expect(throws: ClientError.self) {
            try await ControlClient.withConnection(to: endpoint, timeout: .milliseconds(300)) { try $0.status() }
        }
        #expect(error?.code == .notRunning)
        #expect(error?.message.contains("is the daemon running?") == true)
    }
}
