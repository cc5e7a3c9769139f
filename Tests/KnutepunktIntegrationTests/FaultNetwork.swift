import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// What one fault scenario did and found; printed as one `FAULT …` line and checked by
/// ``FaultNetwork/finish(_:accepted:)``.
struct FaultFigures: CustomStringConvertible {
    var scenario: String
    /// Events the nodes accepted (answered `queued` or `delivered` to the coordinator).
    var events = 0
    var faults = 0
    var stored = 0
    var lost = 0
    var duplicated = 0
    /// Nodes whose events the hub holds out of their order.
    var orderBroken = 0
    /// Longest time from the end of a fault until the hub moved on (or held everything), as `recoveryNote` says.
    var recovery: Duration = .zero
    var recoveryNote = ""
    var notes: [String] = []
    let started = ContinuousClock.now

    init(_ scenario: String) { self.scenario = scenario }

    mutating func recovered(_ duration: Duration) { recovery = max(recovery, duration) }

    var description: String {
        let seconds = Double(recovery.milliseconds) / 1000
        let elapsed = Double((ContinuousClock.now - started).milliseconds) / 1000
        return "FAULT \(scenario): events=\(events) faults=\(faults) stored=\(stored) lost=\(lost) "
            + "duplicated=\(duplicated) orderBroken=\(orderBroken) "
            + "recovery=\(String(format: "%.2f", seconds))s (\(recoveryNote)) elapsed=\(String(format: "%.1f", elapsed))s"
            + (notes.isEmpty ? "" : " | " + notes.joined(separator: "; "))
    }
}

/// A hub and node daemons as real processes on loopback with CURVE, for fault injection. Each node can reach the
/// hub through its own ``FaultProxy``. The hub keeps its listen port across restarts so the nodes find it again.
actor FaultNetwork {
    typealias Node = (id: String, region: String, defaultNode: String)

    /// One daemon per Norwegian region.
    static let fourRegions: [Node] = [
        ("NO-SOROST", "NO-SOROST", "NO-SOROST-OUS"), ("NO-VEST", "NO-VEST", "NO-VEST-BERGEN"),
        ("NO-MIDT", "NO-MIDT", "NO-MIDT-STOLAV"), ("NO-NORD", "NO-NORD", "NO-NORD-BODO"),
    ]

    nonisolated let net: LoopbackNetwork
    nonisolated let directory = NodeDirectory()
    nonisolated let viewer: ZMQCurveClient
    private let binary = Repository.executable
    private let proxied: Bool
    private let nodeExtra: String
    private let hubExtra: String
    private(set) var hub: DaemonProcess?
    private(set) var hubEndpoints: [String: String] = [:]
    private var listen = "tcp://127.0.0.1:*"
    private(set) var nodes: [String: DaemonProcess] = [:]
    private(set) var proxies: [String: FaultProxy] = [:]

    private init(net: LoopbackNetwork, proxied: Bool, nodeExtra: String, hubExtra: String) throws {
        self.net = net
        self.proxied = proxied
        self.nodeExtra = nodeExtra
        self.hubExtra = hubExtra
        try net.writeHubConfig(extra: hubExtra)
        viewer = try net.hubViewerCurve
    }

    /// Starts a hub and every node (through a proxy each if `proxied`).
    static func start(
        nodes: [Node],
        proxied: Bool = false,
        nodeExtra: String = "",
        hubExtra: String = "",
        startNodes: Bool = true,
        beforeNodes: (LoopbackNetwork) async throws -> Void = { _ in }
    ) async throws -> FaultNetwork {
        try #require(FileManager.default.isExecutableFile(atPath: Repository.executable), "build knutepunkt first")
        let network = try FaultNetwork(
            net: try LoopbackNetwork(nodes: nodes),
            proxied: proxied,
            nodeExtra: nodeExtra,
            hubExtra: hubExtra
        )
        try await network.startHub()
        try await beforeNodes(network.net)
        if startNodes {
            for node in nodes { try await network.startNode(node.id) }
        }
        return network
    }

    // MARK: - Hub

    func startHub() async throws {
        let process = try DaemonProcess(
            name: "hub",
            executable: binary,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        hub = process
        hubEndpoints = try await process.ready()
        if listen.hasSuffix(":*"), let bound = hubEndpoints["listen"] {
            listen = bound
            try net.writeHubConfig(listen: bound, extra: hubExtra)
        }
    }

    var listenEndpoint: String { listen }
    var hubPID: Int32? { hub?.pid }

    func killHub() async {
        hub?.signal(SIGKILL)
        _ = await hub?.exited()
    }

    /// SIGTERM; returns the exit status.
    func stopHub() async -> Int32 {
        guard let hub else { return -1 }
        let status = await hub.stop()
        self.hub = nil
        return status
    }

    func signalHub(_ signal: Int32) { hub?.signal(signal) }

    /// The hub's status once it holds at least `total` events (or after `seconds`).
    func hubStatus(waitForTotal total: Int = 0, seconds: Int = 120) async throws -> HubStatusReport {
        let endpoint = try #require(hubEndpoints["control"])
        let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60), curve: viewer) {
            try $0.status(StatusRequest(waitForTotal: total, timeoutMillis: seconds * 1000))
        }
        guard case .hub(let hub, _) = report else { throw DaemonProcessError(message: "not a hub status") }
        return hub
    }

    // MARK: - Nodes

    /// Starts (or restarts) a node; its configuration is written the first time.
    func startNode(_ id: String, hubs: [String]? = nil) async throws {
        if nodes[id] == nil || hubs != nil {
            var target = [listen]
            if proxied {
                if proxies[id] == nil {
                    proxies[id] = try FaultProxy(upstreamPort: try #require(FaultProxy.port(of: listen)))
                }
                target = [proxies[id]!.endpoint]
            }
            try net.writeNodeConfig(id, hubs: hubs ?? target, extra: nodeExtra)
        }
        let process = try DaemonProcess(
            name: id,
            executable: binary,
            arguments: ["node", "--config", net.nodeConfigPath(id)],
            logFile: net.folder.file("\(id).log")
        )
        nodes[id] = process
        await directory.set(id, try #require(try await process.ready()["control"]))
    }

    func killNode(_ id: String) async {
        nodes[id]?.signal(SIGKILL)
        _ = await nodes[id]?.exited()
    }

    func stopNode(_ id: String) async -> Int32 {
        await nodes[id]?.stop() ?? -1
    }

    func proxy(_ id: String) -> FaultProxy? { proxies[id] }

    func nodeStatus(_ id: String) async throws -> NodeStatusReport {
        let endpoint = await directory.current(id).endpoint
        let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) { try $0.status() }
        guard case .node(let node, _) = report else { throw DaemonProcessError(message: "not a node status") }
        return node
    }

    // MARK: - The check

    /// Stops everything and checks the hub's store: every accepted event exactly once, each node's order kept.
    /// `accepted[node]` is how many of that node's fixture events (indices 0..<n) were accepted.
    func finish(_ figures: inout FaultFigures, accepted: [String: Int]) async throws {
        for process in nodes.values { _ = await process.stop() }
        _ = await stopHub()
        for proxy in proxies.values { await proxy.close() }
        try Self.check(store: net.hubStorePath, nodes: net.nodes.map(\.id), accepted: accepted, into: &figures)
        print(figures)
        #expect(figures.lost == 0, "\(figures)")
        #expect(figures.duplicated == 0, "\(figures)")
        #expect(figures.orderBroken == 0, "\(figures)")
        #expect(figures.stored == figures.events, "\(figures)")
        if ProcessInfo.processInfo.environment["KNUTEPUNKT_KEEP_FAULT_LOGS"] == nil {
            net.folder.remove()
        } else {
            print("FAULT logs kept in \(net.folder.path)")
        }
    }

    /// Reads a hub store and fills in stored, lost, duplicated and order figures.
    static func check(
        store path: String,
        nodes: [String],
        accepted: [String: Int],
        into figures: inout FaultFigures
    ) throws {
        let store = try SQLiteHubStore.open(path: path)
        defer { try? store.close() }
        check(keys: try store.storedKeys(), nodes: nodes, accepted: accepted, into: &figures)
    }

    /// Fills in stored, lost, duplicated and order figures from a hub store's keys (any backend).
    static func check(
        keys: [(source: String, sequence: UInt64, eventID: UUID)],
        nodes: [String],
        accepted: [String: Int],
        into figures: inout FaultFigures
    ) {
        let ids = keys.map { $0.eventID.uuidString.lowercased() }
        figures.events = accepted.values.reduce(0, +)
        figures.stored = keys.count
        figures.duplicated = keys.count - Set(ids).count
        let held = Set(ids)
        var lost = 0
        var broken = 0
        for node in nodes {
            let expected = (0..<(accepted[node] ?? 0)).map { EventFixtures.id(node, $0) }
            lost += expected.filter { !held.contains($0) }.count
            let mine = keys.filter { $0.source == node }.map { $0.eventID.uuidString.lowercased() }
            if mine != expected { broken += 1 }
        }
        figures.lost = lost
        figures.orderBroken = broken
    }

    // MARK: - Coordinators

    /// Publishes fixture events `from..<to` of one node in batches, like a coordinator: a batch that gets no answer
    /// (the node is down) or a refusal (its disk is full) is sent again, to the restarted node if need be, which
    /// answers "existing" for what it had already taken. Returns `to` (all accepted).
    static func publish(
        _ node: Node,
        from: Int = 0,
        to count: Int,
        batch: Int = 250,
        directory: NodeDirectory
    ) async throws -> Int {
        var next = from
        var attempts = 0
        while next < count {
            attempts += 1
            try #require(attempts < 2_000, "publishing to \(node.id) made no progress")
            let range = next..<min(next + batch, count)
            let events = range.map {
                EventFixtures.eventBytes(source: node.id, index: $0, region: node.region, node: node.defaultNode)
            }
            let (endpoint, generation) = await directory.current(node.id)
            do {
                let results = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(5)) {
                    try $0.submit(events)
                }
                for result in results {
                    #expect(result.status == .queued || result.status == .delivered, "\(result)")
                }
                next = range.upperBound
                await directory.progressed(node.id, accepted: next)
                await directory.passHold(node.id, accepted: next)
            } catch {
                await directory.waitForRestart(node.id, after: generation, limit: .seconds(2))
            }
        }
        return count
    }
}
