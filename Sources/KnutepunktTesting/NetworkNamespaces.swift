import Foundation

/// Hosts with addresses of their own for the fault tests: a network namespace for the hub and one per node, each node
/// joined to the hub by a veth pair, so that the kernel's own TCP carries the traffic and the kernel's own tools break
/// it: nftables drops packets (at random with `numgen random`, all of them for a silent partition, one way only, or
/// those above a size for an MTU black hole) and `tc`'s `tbf` limits the bandwidth. The test process stays in the
/// root namespace and reaches the daemons through `ipc://` sockets in a shared folder, and the hub's HTTP server
/// through a management veth that no fault touches.
///
/// Needs root (CI runs as root): ``unavailable()`` says why not, and tests skip with that reason.
///
/// Addresses: link *i* (1-based, in the order the nodes were given) is `10.X.i.1` on the hub's side and `10.X.i.2` on
/// the node's, and the management link `10.X.0.1` (root) – `10.X.0.2` (hub), with X chosen at random per lab so that
/// labs in parallel test processes do not meet in the root namespace.
package final class NetworkLab: Sendable {
    /// One node's link to the hub.
    package struct Link: Sendable {
        package var node: String
        /// The node's namespace.
        package var namespace: String
        /// The veth end in the hub's namespace, and the one in the node's.
        package var hubInterface: String
        package var nodeInterface: String
        /// The hub's address as the node sees it, and the node's.
        package var hubAddress: String
        package var nodeAddress: String
        /// The nftables table (in the hub's namespace) that holds this link's faults.
        package var table: String
    }

    /// Which way a fault applies, seen from the hub.
    package enum Direction: Sendable, Hashable {
        /// Packets from the node to the hub (events, HELLOs, heartbeats).
        case towardsHub
        /// Packets from the hub to the node (WELCOME, ACK, NACK, RESEND).
        case towardsNode
        case both
    }

    package let prefix: String
    package let hubNamespace: String
    package let links: [Link]
    /// The hub's address on the management link (for its HTTP server), reachable from the test process.
    package let managementAddress: String
    private let managementInterface: String

    /// nil when namespaces can be used here; otherwise why not (printed by the skipping test).
    package static func unavailable() async -> String? {
        guard getuid() == 0 else { return "network namespaces need root (CI runs the tests as root)" }
        for tool in [ip, nft, tc] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (iproute2, nftables)"
        }
        let probe = "kpprobe\(UInt16.random(in: 0 ... .max))"
        do {
            try await run(ip, ["netns", "add", probe])
            try await run(ip, ["netns", "del", probe])
        } catch {
            return "`ip netns add` failed here: \(error)"
        }
        return nil
    }

    /// Makes the hub's namespace and one per node, with their veth pairs, addresses and loopbacks up.
    package static func make(nodes: [String]) async throws -> NetworkLab {
        let tag = String(format: "%04x", UInt16.random(in: 0 ... .max))
        let net = Int.random(in: 64...250)
        let lab = NetworkLab(prefix: "kp\(tag)", net: net, nodes: nodes)
        do {
            try await lab.build()
        } catch {
            await lab.remove()
            throw error
        }
        return lab
    }

    private init(prefix: String, net: Int, nodes: [String]) {
        self.prefix = prefix
        hubNamespace = "\(prefix)-hub"
        links = nodes.enumerated().map { index, node in
            let number = index + 1
            return Link(
                node: node,
                namespace: "\(prefix)-n\(number)",
                hubInterface: "\(prefix)h\(number)",
                nodeInterface: "\(prefix)n\(number)",
                hubAddress: "10.\(net).\(number).1",
                nodeAddress: "10.\(net).\(number).2",
                table: "kpfault\(number)"
            )
        }
        managementAddress = "10.\(net).0.2"
        managementInterface = "\(prefix)m0"
        self.net = net
    }

    private let net: Int

    /// The link of `node`.
    package func link(_ node: String) -> Link {
        guard let link = links.first(where: { $0.node == node }) else { preconditionFailure("no link for \(node)") }
        return link
    }

    /// The path `setns` takes for a namespace.
    package static func path(of namespace: String) -> String { "/run/netns/\(namespace)" }

    /// The program and arguments that run `arguments` inside `namespace` (`ip netns exec` execs the program, so
    /// the process id is the program's: signals reach it directly).
    package static func exec(in namespace: String, _ arguments: [String]) -> (program: String, arguments: [String]) {
        (ip, ["netns", "exec", namespace] + arguments)
    }

    private func build() async throws {
        let ip = Self.ip
        try await Self.run(ip, ["netns", "add", hubNamespace])
        try await Self.run(ip, ["-n", hubNamespace, "link", "set", "lo", "up"])
        // The management link: root ↔ hub.
        try await Self.run(
            ip,
            ["link", "add", managementInterface, "type", "veth", "peer", "name", "\(prefix)m1", "netns", hubNamespace]
        )
        try await Self.run(ip, ["addr", "add", "10.\(net).0.1/30", "dev", managementInterface])
        try await Self.run(ip, ["link", "set", managementInterface, "up"])
        try await Self.run(ip, ["-n", hubNamespace, "addr", "add", "\(managementAddress)/30", "dev", "\(prefix)m1"])
        try await Self.run(ip, ["-n", hubNamespace, "link", "set", "\(prefix)m1", "up"])
        for link in links {
            try await Self.run(ip, ["netns", "add", link.namespace])
            try await Self.run(ip, ["-n", link.namespace, "link", "set", "lo", "up"])
            try await Self.run(
                ip,
                [
                    "-n", hubNamespace, "link", "add", link.hubInterface, "type", "veth", "peer", "name",
                    link.nodeInterface, "netns", link.namespace,
                ]
            )
            try await Self.run(
                ip,
                ["-n", hubNamespace, "addr", "add", "\(link.hubAddress)/24", "dev", link.hubInterface]
            )
            try await Self.run(ip, ["-n", hubNamespace, "link", "set", link.hubInterface, "up"])
            try await Self.run(
                ip,
                ["-n", link.namespace, "addr", "add", "\(link.nodeAddress)/24", "dev", link.nodeInterface]
            )
            try await Self.run(ip, ["-n", link.namespace, "link", "set", link.nodeInterface, "up"])
        }
    }

    /// Deletes every namespace and the management veth (their other veth ends go with them). Safe to call twice.
    package func remove() async {
        try? await Self.run(Self.ip, ["link", "del", managementInterface])
        for namespace in [hubNamespace] + links.map(\.namespace) {
            try? await Self.run(Self.ip, ["netns", "del", namespace])
        }
    }

    // MARK: - Faults

    /// Drops the packets of `node`'s link going `direction`: `percent` of them at random (`numgen random`), or every
    /// one (nil: a silent partition, no RST, no ICMP). Replaces the link's earlier fault.
    package func drop(_ node: String, _ direction: Direction, percent: Int? = nil) async throws {
        let link = link(node)
        let match = percent.map { "numgen random mod 100 < \($0) " } ?? ""
        var rules = ""
        if direction != .towardsNode { rules += "    chain input { type filter hook input priority -10; " }
        if direction != .towardsNode { rules += "iifname \"\(link.hubInterface)\" \(match)counter drop; }\n" }
        if direction != .towardsHub { rules += "    chain output { type filter hook output priority -10; " }
        if direction != .towardsHub { rules += "oifname \"\(link.hubInterface)\" \(match)counter drop; }\n" }
        try await replaceTable(link, rules)
    }

    /// Drops every packet from `node` to the hub larger than `bytes` (an MTU black hole: a path that loses big
    /// packets silently, sending no ICMP "fragmentation needed" back), while small ones (handshakes, heartbeats) pass.
    package func blackHole(_ node: String, largerThan bytes: Int) async throws {
        let link = link(node)
        try await replaceTable(
            link,
            "    chain input { type filter hook input priority -10; "
                + "iifname \"\(link.hubInterface)\" meta length > \(bytes) counter drop; }\n"
        )
    }

    /// Removes `node`'s packet faults.
    package func heal(_ node: String) async throws {
        try? await Self.run(Self.nft, ["delete", "table", "inet", link(node).table], namespace: hubNamespace)
    }

    /// Packets the link's current fault has dropped (nftables' counters).
    package func dropped(_ node: String) async -> Int {
        guard
            let listing = try? await Self.output(
                Self.nft,
                ["list", "table", "inet", link(node).table],
                namespace: hubNamespace
            )
        else { return 0 }
        // "counter packets N bytes M"
        let words = listing.split(whereSeparator: \.isWhitespace)
        var total = 0
        for (index, word) in words.enumerated() where word == "packets" && index + 1 < words.count {
            total += Int(words[index + 1]) ?? 0
        }
        return total
    }

    /// Limits what `node` sends to the hub to `rate` (tc's token bucket filter on the node's veth, e.g. `1mbit`).
    package func limitBandwidth(_ node: String, rate: String) async throws {
        let link = link(node)
        try await Self.run(
            Self.tc,
            [
                "qdisc", "replace", "dev", link.nodeInterface, "root", "tbf", "rate", rate, "burst", "32kbit",
                "latency", "400ms",
            ],
            namespace: link.namespace
        )
    }

    /// Removes the bandwidth limit of `node`.
    package func unlimitBandwidth(_ node: String) async throws {
        let link = link(node)
        try await Self.run(Self.tc, ["qdisc", "del", "dev", link.nodeInterface, "root"], namespace: link.namespace)
    }

    private func replaceTable(_ link: Link, _ chains: String) async throws {
        try await heal(link.node)
        try await Self.run(
            Self.nft,
            ["-f", "-"],
            namespace: hubNamespace,
            input: "table inet \(link.table) {\n\(chains)}\n"
        )
    }

    // MARK: - Running the tools

    static let ip = "/usr/sbin/ip"
    static let nft = "/usr/sbin/nft"
    static let tc = "/usr/sbin/tc"

    /// A tool failed.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    static func run(
        _ program: String,
        _ arguments: [String],
        namespace: String? = nil,
        input: String = ""
    )
        async throws
    {
        _ = try await output(program, arguments, namespace: namespace, input: input)
    }

    static func output(
        _ program: String,
        _ arguments: [String],
        namespace: String? = nil,
        input: String = ""
    )
        async throws -> String
    {
        let (path, all) = namespace.map { exec(in: $0, [program] + arguments) } ?? (program, arguments)
        let run = try await CommandRun.program(path, all, input: input)
        guard run.status == 0 else {
            throw Failure(description: "\(path) \(all.joined(separator: " ")) failed (\(run.status)): \(run.errors)")
        }
        return run.output
    }
}
