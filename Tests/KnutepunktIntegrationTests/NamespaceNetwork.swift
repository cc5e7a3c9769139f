import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// A hub and node daemons as real processes over CURVE, each in a network namespace of its own joined by veth pairs
/// (``NetworkLab``), so that faults are the kernel's: nftables, tc, MTU. The test process reaches the daemons' control
/// and PUB sockets over `ipc://` and the hub's HTTP server over the lab's management link. Without a lab (``start``
/// with `namespaces: false`) the same network runs on loopback, for hub-side faults that need no addresses.
///
/// Each node may also reach the hub through a ``FaultProxy`` running inside the hub's namespace, listening on the
/// node's link, for latency and jitter on top of the kernel's faults.
actor NamespaceNetwork {
    typealias Node = FaultNetwork.Node

    /// The hub's KPN/1 port in its namespace (every namespace has its own ports, so a fixed one is safe).
    static let hubPort = 7300
    static let httpPort = 9464

    nonisolated let lab: NetworkLab?
    nonisolated let net: LoopbackNetwork
    nonisolated let directory = NodeDirectory()
    nonisolated let viewer: ZMQCurveClient
    nonisolated let nodes: [Node]
    private let binary = Repository.executable
    private let hubExtra: String
    private var hubWrapper: [String] = []
    private(set) var hub: DaemonProcess?
    private(set) var hubEndpoints: [String: String] = [:]
    private var daemons: [String: DaemonProcess] = [:]
    private(set) var proxies: [String: FaultProxy] = [:]

    /// nil, with the reason printed, where namespaces cannot be made (not root, or `ip netns add` refused).
    static func start(
        nodes: [Node],
        namespaces: Bool = true,
        proxied: Bool = false,
        hubExtra: String = "",
        storage: HubConfiguration.Storage? = nil,
        nodeWrappers: [String: [String]] = [:],
        beforeHub: (LoopbackNetwork) async throws -> Void = { _ in }
    ) async throws -> NamespaceNetwork? {
        try #require(FileManager.default.isExecutableFile(atPath: Repository.executable), "build knutepunkt first")
        var lab: NetworkLab?
        if namespaces {
            if let reason = await NetworkLab.unavailable() {
                print("SKIP namespaces: \(reason)")
                return nil
            }
            lab = try await NetworkLab.make(nodes: nodes.map(\.id))
        }
        let net = try LoopbackNetwork(nodes: nodes)
        let network = try NamespaceNetwork(lab: lab, net: net, nodes: nodes, hubExtra: hubExtra, storage: storage)
        do {
            try await beforeHub(net)
            try await network.startHub()
            for node in nodes {
                try await network.configureNode(node.id, proxied: proxied)
                try await network.startNode(node.id, wrapper: nodeWrappers[node.id] ?? [])
            }
        } catch {
            await network.tearDown()
            throw error
        }
        return network
    }

    private init(
        lab: NetworkLab?,
        net: LoopbackNetwork,
        nodes: [Node],
        hubExtra: String,
        storage: HubConfiguration.Storage?
    )
        throws
    {
        self.lab = lab
        self.net = net
        self.nodes = nodes
        var extra = hubExtra
        if let lab { extra += "\n  http: \(lab.managementAddress):\(Self.httpPort)" }
        self.hubExtra = extra
        try net.writeHubConfig(
            listen: lab == nil ? "tcp://127.0.0.1:*" : "tcp://0.0.0.0:\(Self.hubPort)",
            publish: "ipc://\(net.folder.file("hub-publish.sock"))",
            control: "ipc://\(net.folder.file("hub-control.sock"))",
            extra: extra,
            storage: storage
        )
        viewer = try net.hubViewerCurve
    }

    // MARK: - Hub

    /// Starts (or restarts) the hub; `wrapper` goes in front of the executable (e.g. `faketime`).
    func startHub(wrapper: [String] = []) async throws {
        let arguments = wrapper + [binary, "hub", "--config", net.hubConfigPath]
        let (program, all) =
            lab.map { NetworkLab.exec(in: $0.hubNamespace, arguments) }
            ?? (arguments[0], Array(arguments.dropFirst()))
        let process = try DaemonProcess(name: "hub", executable: program, arguments: all, logFile: hubLog)
        hub = process
        hubEndpoints = try await process.ready()
        // On loopback, keep the port the hub took so that nodes find it again after a restart.
        if lab == nil, let bound = hubEndpoints["listen"], !hubExtra.contains("listen") {
            try net.writeHubConfig(
                listen: bound,
                publish: "ipc://\(net.folder.file("hub-publish.sock"))",
                control: "ipc://\(net.folder.file("hub-control.sock"))",
                extra: hubExtra
            )
        }
    }

    nonisolated var hubLog: String { net.folder.file("hub.log") }
    nonisolated func nodeLog(_ id: String) -> String { net.folder.file("\(id).log") }

    func signalHub(_ signal: Int32) { hub?.signal(signal) }
    var hubPID: Int32? { hub?.pid }

    func stopHub() async -> Int32 {
        guard let hub else { return -1 }
        let status = await hub.stop()
        self.hub = nil
        return status
    }

    /// The hub's status once it holds at least `total` events (or after `seconds`).
    func hubStatus(waitForTotal total: Int = 0, seconds: Int = 300) async throws -> HubStatusReport {
        let endpoint = try #require(hubEndpoints["control"])
        let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60), curve: viewer) {
            try $0.status(StatusRequest(waitForTotal: total, timeoutMillis: seconds * 1000))
        }
        guard case .hub(let hub, _) = report else { throw DaemonProcessError(message: "not a hub status") }
        return hub
    }

    /// The hub's `/readyz` and `/metrics` (namespaces only: over the management link).
    func hubHTTP(_ path: String) async throws -> (status: Int, body: String) {
        let lab = try #require(lab, "the hub's HTTP server is reachable in a lab only")
        let run = try await CommandRun.program(
            "/usr/bin/curl",
            ["-s", "-o", "-", "-w", "\n%{http_code}", "http://\(lab.managementAddress):\(Self.httpPort)\(path)"]
        )
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    // MARK: - Nodes

    private func configureNode(_ id: String, proxied: Bool) async throws {
        var hubEndpoint = hubEndpoints["listen"] ?? ""
        if let lab {
            let link = lab.link(id)
            hubEndpoint = "tcp://\(link.hubAddress):\(Self.hubPort)"
            if proxied {
                let proxy = try await FaultProxy.start(
                    inNamespace: NetworkLab.path(of: lab.hubNamespace),
                    host: link.hubAddress,
                    upstreamPort: UInt16(Self.hubPort)
                )
                proxies[id] = proxy
                hubEndpoint = proxy.endpoint
            }
        }
        try net.writeNodeConfig(id, hubs: [hubEndpoint], control: "ipc://\(net.folder.file("\(id)-control.sock"))")
    }

    /// Starts (or restarts) a node; `wrapper` goes in front of the executable (e.g. `faketime`).
    func startNode(_ id: String, wrapper: [String] = []) async throws {
        let arguments = wrapper + [binary, "node", "--config", net.nodeConfigPath(id)]
        let (program, all) =
            lab.map { NetworkLab.exec(in: $0.link(id).namespace, arguments) }
            ?? (arguments[0], Array(arguments.dropFirst()))
        let process = try DaemonProcess(name: id, executable: program, arguments: all, logFile: nodeLog(id))
        daemons[id] = process
        await directory.set(id, try #require(try await process.ready()["control"]))
    }

    /// Kills a node with SIGKILL (a crash), waiting for it to be gone.
    func killNode(_ id: String) async {
        daemons[id]?.signal(SIGKILL)
        _ = await daemons[id]?.exited()
    }

    /// Kills the hub with SIGKILL (waking it first if it was stopped), waiting for it to be gone.
    func killHub() async {
        hub?.signal(SIGKILL)
        _ = await hub?.exited()
        hub = nil
    }

    /// A node's status; with `waitForDrained`, once the hub has acknowledged everything it accepted (or after
    /// `seconds`).
    func nodeStatus(_ id: String, waitForDrained: Bool = false, seconds: Int = 60) async throws -> NodeStatusReport {
        let endpoint = await directory.current(id).endpoint
        let wanted =
            waitForDrained ? StatusRequest(waitForDrained: true, timeoutMillis: seconds * 1000) : StatusRequest()
        let report = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(seconds + 10)) {
            try $0.status(wanted)
        }
        guard case .node(let node, _) = report else { throw DaemonProcessError(message: "not a node status") }
        return node
    }

    // MARK: - The check

    /// Stops everything, removes the lab and checks the hub's store: every accepted event exactly once, each node's
    /// order kept; prints the figures.
    func finish(_ figures: inout FaultFigures, accepted: [String: Int]) async throws {
        await tearDown()
        try FaultNetwork.check(store: net.hubStorePath, nodes: nodes.map(\.id), accepted: accepted, into: &figures)
        report(figures)
    }

    /// Prints a scenario's figures, expects nothing lost, doubled or out of order, and removes its folder (unless
    /// `KNUTEPUNKT_KEEP_FAULT_LOGS` is set). After ``tearDown()`` and a check that filled in `figures`.
    func report(_ figures: FaultFigures) {
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

    /// Stops the daemons (a stopped hub is woken first), closes the proxies, removes the lab.
    func tearDown() async {
        hub?.signal(SIGCONT)
        for process in daemons.values { _ = await process.stop() }
        daemons = [:]
        _ = await stopHub()
        for proxy in proxies.values { await proxy.close() }
        proxies = [:]
        await lab?.remove()
    }
}
