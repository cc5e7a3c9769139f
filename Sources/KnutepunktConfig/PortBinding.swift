import Yams

/// An address a daemon binds (a ZeroMQ `tcp://` or `ipc://` endpoint, or its HTTP address), for finding clashes:
/// two sockets on one port of one host, which would stop a daemon at start.
package struct PortBinding: Sendable, Hashable, CustomStringConvertible {
    package enum Address: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case ipc(path: String)
    }

    package var address: Address
    /// The key that asks for it, e.g. `hub.publish`.
    package var key: String

    /// Nil for what cannot clash: a free port (`*` or 0) or something that is not an endpoint.
    package init?(endpoint: String, key: String) {
        if endpoint.hasPrefix("ipc://") {
            address = .ipc(path: String(endpoint.dropFirst("ipc://".count)))
        } else if endpoint.hasPrefix("tcp://"),
            let http = HTTPListenAddress(String(endpoint.dropFirst("tcp://".count)))
        {
            guard http.port != 0 else { return nil }
            address = .tcp(host: http.host, port: http.port)
        } else {
            return nil
        }
        self.key = key
    }

    package init?(http: HTTPListenAddress, key: String) {
        guard http.port != 0 else { return nil }
        address = .tcp(host: http.host, port: http.port)
        self.key = key
    }

    /// Whether both cannot be bound at once: the same path, or the same port on the same host or on every host.
    package func clashes(with other: PortBinding) -> Bool {
        switch (address, other.address) {
        case (.ipc(let a), .ipc(let b)): return a == b
        case (.tcp(let hostA, let portA), .tcp(let hostB, let portB)):
            guard portA == portB else { return false }
            let a = Self.canonical(hostA)
            let b = Self.canonical(hostB)
            return a == b || a == "*" || b == "*"
        default: return false
        }
    }

    static func canonical(_ host: String) -> String {
        switch host {
        case "*", "0.0.0.0", "::", "[::]": "*"
        case "localhost", "127.0.0.1": "127.0.0.1"
        default: host
        }
    }

    package var description: String {
        switch address {
        case .tcp(let host, let port): "\(host):\(port)"
        case .ipc(let path): "ipc://\(path)"
        }
    }
}

extension DaemonConfiguration {
    /// Every address this daemon binds, with the key that asks for it. (A node's `hub` is connected to, not bound.)
    package var bindings: [PortBinding] {
        switch self {
        case .hub(let hub):
            [
                PortBinding(endpoint: hub.listenEndpoint, key: "hub.listen"),
                PortBinding(endpoint: hub.publishEndpoint, key: "hub.publish"),
                PortBinding(endpoint: hub.controlEndpoint, key: "hub.control"),
                hub.http.flatMap { PortBinding(http: $0, key: "hub.http") },
            ].compactMap { $0 }
        case .node(let node):
            [
                PortBinding(endpoint: node.controlEndpoint, key: "node.control"),
                node.http.flatMap { PortBinding(http: $0, key: "node.http") },
            ].compactMap { $0 }
        }
    }
}

/// The addresses a daemon file binds, read straight from its document (after the overrides), so that clashes are
/// found even when other keys of the file are wrong.
enum DaemonBindings {
    static func read(_ document: Node) -> [PortBinding] {
        func text(_ section: Node.Mapping, _ key: String) -> String? { section[key]?.scalar?.string }
        if let hub = document.mapping?["hub"]?.mapping {
            return ["listen", "publish", "control"].compactMap { key in
                text(hub, key).flatMap { PortBinding(endpoint: $0, key: "hub.\(key)") }
            }
                + [text(hub, "http").flatMap(HTTPListenAddress.init).flatMap { PortBinding(http: $0, key: "hub.http") }]
                .compactMap { $0 }
        }
        if let node = document.mapping?["node"]?.mapping {
            return [
                text(node, "control").flatMap { PortBinding(endpoint: $0, key: "node.control") },
                text(node, "http").flatMap(HTTPListenAddress.init).flatMap { PortBinding(http: $0, key: "node.http") },
            ].compactMap { $0 }
        }
        return []
    }
}

extension ConfigReader {
    /// Reports two keys of one daemon that bind the same address.
    mutating func checkPortClashes(_ bindings: [PortBinding]) {
        for (index, binding) in bindings.enumerated() {
            for earlier in bindings[..<index] where earlier.clashes(with: binding) {
                fail(
                    .inconsistent,
                    binding.key,
                    "\(binding) clashes with \(earlier.key) (\(earlier)): one port cannot take two sockets",
                    fix: "Give \(binding.key) a port of its own"
                )
            }
        }
    }
}
