import Foundation
import KnutepunktConfig
import KnutepunktZMQ

/// Writes hub and node configuration files for a test network on loopback, in a temporary folder, with CURVE on
/// every link (a key pair for the hub and each node, generated in the folder), as in production.
///
/// Endpoints use port `*` (the daemons announce what they bound) unless a fixed port is passed, which a test does
/// when it restarts the hub and the nodes must find it again at the same address.
package struct LoopbackNetwork: Sendable {
    package let folder: TemporaryDirectory
    package let nodes: [(id: String, region: String, defaultNode: String)]

    package init(
        nodes: [(id: String, region: String, defaultNode: String)] = [
            ("NO-VEST", "NO-VEST", "NO-VEST-BERGEN"), ("NO-NORD", "NO-NORD", "NO-NORD-BODO"),
        ]
    ) throws {
        folder = try TemporaryDirectory(prefix: "knutepunkt-net")
        self.nodes = nodes
        for name in ["hub"] + nodes.map(\.id) {
            _ = try CurveKeyFile.write(try ZMQCurveKeyPair.generate(), folder: folder.file("keys"), name: name)
        }
    }

    /// A key file of the test network: `keyPath("hub", .secret)`.
    package func keyPath(_ name: String, secret: Bool) -> String {
        folder.file("keys/\(name).\(secret ? "key" : "pub")")
    }

    /// How a test talks to the hub's control and PUB sockets: as the hub's own key (the viewer domain admits it).
    package var hubViewerCurve: ZMQCurveClient {
        get throws {
            guard case (.hub(let hub), _) = try DaemonConfiguration.load(path: hubConfigPath),
                let curve = hub.viewerCurve
            else { preconditionFailure("the test hub has CURVE") }
            return curve
        }
    }

    package var hubConfigPath: String { folder.file("hub.yaml") }
    package var hubStorePath: String { folder.file("hub/hub.sqlite") }
    package func nodeConfigPath(_ id: String) -> String { folder.file("node-\(id).yaml") }
    package func outboxPath(_ id: String) -> String { folder.file("\(id)/outbox.sqlite") }

    /// Writes the hub's file; `listen` is an endpoint such as `tcp://127.0.0.1:*` or one with a fixed port.
    /// `publicKeys` replaces a node's key files (default: its own `keys/ID.pub`), e.g. two while it rotates.
    /// `storage` defaults to the SQLite file at ``hubStorePath``. `publish` and `control` default to loopback (a
    /// hub in a network namespace gets `ipc://` paths, which the test process reaches from outside it).
    package func writeHubConfig(
        listen: String = "tcp://127.0.0.1:*",
        publish: String = "tcp://127.0.0.1:*",
        control: String = "tcp://127.0.0.1:*",
        extra: String = "",
        publicKeys: [String: [String]] = [:],
        storage: HubConfiguration.Storage? = nil
    ) throws {
        var text = """
            hub:
              id: TEST-HUB
              listen: \(listen)
              publish: \(publish)
              control: \(control)
              storage: \(storage ?? .sqlite(path: hubStorePath))
              taxonomy: \(Repository.taxonomyPath)
              sessionTimeout: 5s
              curve:
                secretKey: \(keyPath("hub", secret: true))
            \(extra)
              nodes:

            """
        for node in nodes {
            let keys = publicKeys[node.id] ?? [keyPath(node.id, secret: false)]
            text +=
                "    - id: \(node.id)\n      region: \(node.region)\n      publicKeys: [\(keys.joined(separator: ", "))]\n"
        }
        try text.write(toFile: hubConfigPath, atomically: true, encoding: .utf8)
    }

    /// Writes one node's file, pointing at the hub's listen endpoint.
    package func writeNodeConfig(_ id: String, hub: String, extra: String = "") throws {
        try writeNodeConfig(id, hubs: [hub], extra: extra)
    }

    /// Writes one node's file with a primary hub and backups (`hubs:`; just `hub:` for one).
    package func writeNodeConfig(
        _ id: String,
        hubs: [String],
        control: String = "tcp://127.0.0.1:*",
        extra: String = ""
    ) throws {
        guard let node = nodes.first(where: { $0.id == id }) else { preconditionFailure("unknown test node \(id)") }
        let hubLine = hubs.count == 1 ? "hub: \(hubs[0])" : "hubs: [\(hubs.joined(separator: ", "))]"
        let text = """
            node:
              id: \(node.id)
              region: \(node.region)
              \(hubLine)
              control: \(control)
              outbox: \(outboxPath(id))
              taxonomy: \(Repository.taxonomyPath)
              defaultNode: \(node.defaultNode)
              heartbeat: 200ms
              hubTimeout: 1s
              retransmitAfter: 1s
              curve:
                secretKey: \(keyPath(id, secret: true))
                hubPublicKey: \(keyPath("hub", secret: false))
            \(extra)
            """
        try text.write(toFile: nodeConfigPath(id), atomically: true, encoding: .utf8)
    }
}
