/// Who may connect to the hub, decided by the CURVE public key a connection proved it holds (the hub's ZAP handler
/// asks this for every new connection, and the hub again for every message, so a revoked key stops at once). Pure.
///
/// Two domains: node daemons connect to the hub's ROUTER (``nodeDomain``); followers of the hub — `knutepunkt
/// watch`, `status`, dashboards — to its PUB and control sockets (``viewerDomain``). A node may hold several keys at
/// once (while it rotates). A connection's `User-Id` is its public key, so the hub can look up, per message, which
/// node sent it.
package struct CurveKeyring: Sendable, Hashable {
    package static let nodeDomain = "knutepunkt.nodes"
    package static let viewerDomain = "knutepunkt.viewers"

    /// A node daemon's grant.
    package struct Owner: Sendable, Hashable {
        package var node: String
        package var region: String

        package init(node: String, region: String) {
            self.node = node
            self.region = region
        }
    }

    /// The decision about one connection.
    package enum Decision: Sendable, Hashable {
        case allowed(userID: String)
        case refused(reason: String)
    }

    private var owners: [String: Owner]
    private var viewers: Set<String>

    /// - Parameters:
    ///   - nodes: each node's id, region and public keys (Z85).
    ///   - viewers: public keys allowed to follow the hub (its own among them, so ops on its machine can).
    package init(nodes: [(id: String, region: String, publicKeys: [String])], viewers: [String]) {
        var owners: [String: Owner] = [:]
        for node in nodes {
            for key in node.publicKeys { owners[key] = Owner(node: node.id, region: node.region) }
        }
        self.owners = owners
        self.viewers = Set(viewers)
    }

    /// The node `publicKey` belongs to, if any.
    package func owner(of publicKey: String) -> Owner? { owners[publicKey] }

    /// Whether `publicKey` may follow the hub.
    package func isViewer(_ publicKey: String) -> Bool { viewers.contains(publicKey) }

    /// Every node key, for comparing two keyrings.
    package var nodeKeys: Set<String> { Set(owners.keys) }

    /// Decides a connection to a socket of `domain` that used `mechanism` and (for CURVE) proved `publicKey`.
    package func decide(domain: String, mechanism: String, publicKey: String?) -> Decision {
        guard mechanism == "CURVE", let publicKey else {
            return .refused(reason: "\(mechanism) connections are not allowed; this hub requires CURVE")
        }
        switch domain {
        case Self.nodeDomain:
            return owners[publicKey] != nil
                ? .allowed(userID: publicKey) : .refused(reason: "unknown node key \(Self.short(publicKey))")
        case Self.viewerDomain:
            return viewers.contains(publicKey)
                ? .allowed(userID: publicKey) : .refused(reason: "unknown viewer key \(Self.short(publicKey))")
        default:
            return .refused(reason: "unknown ZAP domain \(domain)")
        }
    }

    /// The first 8 characters of a key, enough to tell keys apart in a log without printing them whole.
    package static func short(_ publicKey: String) -> String { String(publicKey.prefix(8)) + "…" }
}
