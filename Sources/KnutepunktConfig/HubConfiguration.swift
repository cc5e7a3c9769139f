import Foundation
import KnutepunktLogging
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktZMQ
import Logging
import Yams

/// Everything the national hub daemon needs, read from its YAML file (see Configs/README.md).
package struct HubConfiguration: Sendable, Hashable {
    /// One node daemon allowed to connect, and the region it reports for.
    package struct NodeGrant: Sendable, Hashable {
        package var id: String
        package var region: String
        /// The CURVE public keys (Z85) the node may connect with: two while it rotates its key.
        package var publicKeys: [String]
        package init(id: String, region: String, publicKeys: [String] = []) {
            self.id = id
            self.region = region
            self.publicKeys = publicKeys
        }
    }

    /// The hub's CURVE identity and who may follow it.
    package struct Curve: Sendable, Hashable {
        package var secretKey: String
        package var publicKey: String
        /// Public keys allowed on the PUB and control sockets besides the hub's own (`knutepunkt watch`, dashboards).
        package var viewerKeys: [String]
        package init(secretKey: String, publicKey: String, viewerKeys: [String] = []) {
            self.secretKey = secretKey
            self.publicKey = publicKey
            self.viewerKeys = viewerKeys
        }
    }

    /// Where the hub keeps its events; the store layer owns the type and opens it.
    package typealias Storage = HubStoreLocation

    package var id: String
    /// The ROUTER endpoint nodes connect to.
    package var listenEndpoint: String
    /// The PUB endpoint accepted events are published on (topic `event.<REGION>`).
    package var publishEndpoint: String
    /// Where ops tools ask for status.
    package var controlEndpoint: String
    package var storage: Storage
    package var taxonomyPath: String
    package var nodes: [NodeGrant]
    /// About the most events in one group commit: the hub stops taking messages into a batch once it holds this
    /// many (a message may carry more than one).
    package var maxBatch: Int
    /// Largest message accepted from a node, in bytes.
    package var maxMessageBytes: Int
    /// A node silent this long loses its session (it greets again when it returns).
    package var sessionTimeout: Duration
    /// Events per second each node may send (a token bucket; bursts up to one second's worth). Beyond it the hub
    /// answers RATE_LIMITED and the node's events wait; none is lost.
    package var nodeEventsPerSecond: Int
    /// Messages the PUB socket queues per subscriber (ZMQ_SNDHWM). A subscriber that falls further behind loses
    /// messages (it sees a gap in their sequence numbers) while the hub's memory stays bounded and the others go on.
    package var publishHighWaterMark: Int = 100_000
    /// CURVE on every socket, with a ZAP handler that admits only the keys listed; nil: not configured (the hub then
    /// runs only with `--insecure`, in plaintext).
    package var curve: Curve?
    /// Where `/metrics`, `/healthz` and `/readyz` are served; nil: no HTTP server.
    package var http: HTTPListenAddress?
    /// The log level (nil: `info`); a SIGHUP applies a change.
    package var logLevel: Logger.Level?
    /// The log format (nil: `text`).
    package var logFormat: LogFormat?
    /// The national centre's dashboard on the hub's HTTP server (`/dashboard`): the access file of its sign-in
    /// tokens (`knutepunkt dashboard token`); nil: no dashboard.
    package var dashboardAccess: String?
    /// The OpenTelemetry collector (OTLP/HTTP) the hub's traces are exported to; nil: no export (docs/tracing.md).
    package var otlpEndpoint: String?

    /// How a tool on the hub's machine (`watch`, `status`) connects to its PUB and control sockets: as the hub's own
    /// key, which the viewer domain admits. Nil without CURVE.
    package var viewerCurve: ZMQCurveClient? {
        curve.map {
            ZMQCurveClient(
                serverKey: $0.publicKey,
                keys: ZMQCurveKeyPair(publicKey: $0.publicKey, secretKey: $0.secretKey)
            )
        }
    }

    /// Who may connect, as the hub's ZAP handler decides it.
    package var keyring: CurveKeyring {
        CurveKeyring(
            nodes: nodes.map { ($0.id, $0.region, $0.publicKeys) },
            viewers: curve.map { [$0.publicKey] + $0.viewerKeys } ?? []
        )
    }

    package init(
        id: String,
        listenEndpoint: String,
        publishEndpoint: String,
        controlEndpoint: String,
        storage: Storage,
        taxonomyPath: String,
        nodes: [NodeGrant],
        maxBatch: Int = 8192,
        maxMessageBytes: Int = 4 << 20,
        sessionTimeout: Duration = .seconds(10),
        nodeEventsPerSecond: Int = 250_000,
        curve: Curve? = nil,
        http: HTTPListenAddress? = nil,
        logLevel: Logger.Level? = nil,
        logFormat: LogFormat? = nil
    ) {
        self.id = id
        self.listenEndpoint = listenEndpoint
        self.publishEndpoint = publishEndpoint
        self.controlEndpoint = controlEndpoint
        self.storage = storage
        self.taxonomyPath = taxonomyPath
        self.nodes = nodes
        self.maxBatch = maxBatch
        self.maxMessageBytes = maxMessageBytes
        self.sessionTimeout = sessionTimeout
        self.nodeEventsPerSecond = nodeEventsPerSecond
        self.curve = curve
        self.http = http
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    static let keys = [
        "id", "listen", "publish", "control", "storage", "taxonomy", "nodes", "maxBatch", "maxMessageBytes",
        "sessionTimeout", "curve", "nodeEventsPerSecond", "http", "logLevel", "logFormat", "publishHighWaterMark",
        "dashboardAccess", "otlpEndpoint",
    ]

    /// Reads the `hub:` section of a configuration file.
    static func read(_ reader: inout ConfigReader, _ section: Node.Mapping?) -> HubConfiguration? {
        let m = reader.mapping(section.map { Node.mapping($0) }, at: "hub", allowed: keys)
        let id = reader.string(m, "id", at: "hub")
        let listen = reader.endpoint(m, "listen", at: "hub")
        let publish = reader.endpoint(m, "publish", at: "hub")
        let control = reader.endpoint(m, "control", at: "hub")
        let taxonomy = reader.path(m, "taxonomy", at: "hub")
        let maxBatch = reader.int(m, "maxBatch", at: "hub", range: 1...65_536)
        let maxBytes = reader.int(m, "maxMessageBytes", at: "hub", range: 65_536...(256 << 20))
        let sessionTimeout = reader.duration(m, "sessionTimeout", at: "hub")
        let nodeRate = reader.int(m, "nodeEventsPerSecond", at: "hub", range: 1...10_000_000)
        let http = reader.httpAddress(m, "http", at: "hub")
        let logLevel = reader.logLevel(m, "logLevel", at: "hub")
        let logFormat = reader.logFormat(m, "logFormat", at: "hub")
        let publishHWM = reader.int(m, "publishHighWaterMark", at: "hub", range: 1...10_000_000)
        let otlpEndpoint = reader.otlpEndpoint(m, "otlpEndpoint", at: "hub")
        let dashboardAccess = reader.string(m, "dashboardAccess", at: "hub", required: false).map {
            ConfigReader.resolve($0, relativeTo: reader.file)
        }
        if let dashboardAccess, !FileManager.default.fileExists(atPath: dashboardAccess) {
            reader.fail(
                .invalidValue,
                "hub.dashboardAccess",
                "the dashboard's access file \(dashboardAccess) does not exist",
                fix: "Create it with `knutepunkt dashboard token --name NAME --role analyst --append "
                    + "\(dashboardAccess)`"
            )
        }
        if dashboardAccess != nil, http == nil, m?["http"] == nil {
            reader.fail(
                .missingKey,
                "hub.http",
                "the dashboard (hub.dashboardAccess) is served on the hub's HTTP server, and none is configured",
                fix: "Add http: 127.0.0.1:9464 (or remove dashboardAccess)"
            )
        }
        var storage: Storage?
        if let text = reader.string(m, "storage", at: "hub") {
            switch Storage.parse(text, relativeTo: reader.file) {
            case .success(let parsed): storage = parsed
            case .failure(let failure):
                reader.fail(
                    .invalidValue,
                    "hub.storage",
                    failure.message,
                    fix: "Write \(Storage.forms), e.g. sqlite:/var/lib/knutepunkt/hub.sqlite or "
                        + "postgres://knutepunkt@db.example.org:5432/knutepunkt (password in KNUTEPUNKT_POSTGRES_PASSWORD)"
                )
            }
        }
        var grants: [NodeGrant] = []
        // Nodes whose entry lists key files (read or not): only the others lack a key altogether.
        var listingKeys: Set<String> = []
        if let list = m?["nodes"] {
            if let items = list.sequence {
                for (index, item) in items.enumerated() {
                    let key = "hub.nodes[\(index)]"
                    let entry = reader.mapping(item, at: key, allowed: ["id", "region", "publicKeys"])
                    // Every key of the entry is read before a missing one ends it, so one run reports them all.
                    let nodeID = reader.string(entry, "id", at: key)
                    let region = reader.string(entry, "region", at: key)
                    var publicKeys: [String] = []
                    let files = reader.texts(entry, "publicKeys", at: key, required: false) ?? []
                    let sender = nodeID.map { "the operators of node \($0)" } ?? "that node's operators"
                    for (position, file) in files.enumerated() {
                        let path = ConfigReader.resolve(file, relativeTo: reader.file)
                        if let publicKey = reader.publicKeyFile(
                            path,
                            at: "\(key).publicKeys[\(position)]",
                            from: sender
                        ) {
                            publicKeys.append(publicKey)
                        }
                    }
                    guard let nodeID, let region else { continue }
                    if !files.isEmpty { listingKeys.insert(nodeID) }
                    if !NodeIdentifier.isValid(nodeID) {
                        reader.fail(
                            .invalidValue,
                            "\(key).id",
                            "\"\(nodeID)\" is not a valid node id",
                            fix: "Use 1 to 64 characters A-Z, 0-9 and '-'"
                        )
                    }
                    if grants.contains(where: { $0.id == nodeID }) {
                        reader.fail(.invalidValue, "\(key).id", "node \(nodeID) is listed twice", fix: "Keep one entry")
                    }
                    grants.append(NodeGrant(id: nodeID, region: region, publicKeys: publicKeys))
                }
            } else {
                reader.fail(
                    .wrongType,
                    "hub.nodes",
                    "expected a list of nodes",
                    fix: "Write - id: NO-VEST / region: NO-VEST items"
                )
            }
        } else if m != nil {
            reader.fail(
                .missingKey,
                "hub.nodes",
                "missing",
                fix: "List the node daemons allowed to connect under nodes:"
            )
        }
        let curve = readCurve(&reader, m, keyless: grants.filter { !listingKeys.contains($0.id) })
        guard let id, let listen, let publish, let control, let storage, let taxonomy else { return nil }
        var configuration = HubConfiguration(
            id: id,
            listenEndpoint: listen,
            publishEndpoint: publish,
            controlEndpoint: control,
            storage: storage,
            taxonomyPath: taxonomy,
            nodes: grants,
            maxBatch: maxBatch ?? 8192,
            maxMessageBytes: maxBytes ?? (4 << 20),
            sessionTimeout: sessionTimeout ?? .seconds(10),
            nodeEventsPerSecond: nodeRate ?? 250_000,
            curve: curve,
            http: http,
            logLevel: logLevel,
            logFormat: logFormat
        )
        if let publishHWM { configuration.publishHighWaterMark = publishHWM }
        configuration.dashboardAccess = dashboardAccess
        configuration.otlpEndpoint = otlpEndpoint
        return configuration
    }

    /// `hub.curve`: the secret key file and the viewers' public key files; with it, every node needs a public key
    /// (`keyless` are the grants that list none).
    private static func readCurve(_ reader: inout ConfigReader, _ m: Node.Mapping?, keyless: [NodeGrant]) -> Curve? {
        guard let section = m?["curve"] else { return nil }
        let c = reader.mapping(section, at: "hub.curve", allowed: ["secretKey", "viewers"])
        guard c != nil else { return nil }
        var viewers: [String] = []
        for (position, file) in (reader.texts(c, "viewers", at: "hub.curve", required: false) ?? []).enumerated() {
            let path = ConfigReader.resolve(file, relativeTo: reader.file)
            let sender = "the viewer's operators"
            if let key = reader.publicKeyFile(path, at: "hub.curve.viewers[\(position)]", from: sender) {
                viewers.append(key)
            }
        }
        for grant in keyless {
            reader.fail(
                .missingKey,
                "hub.nodes[\(grant.id)].publicKeys",
                "node \(grant.id) has no public key, so with hub.curve it can never connect",
                fix: "List its public key file: publicKeys: [keys/\(grant.id).pub]"
            )
        }
        guard let path = reader.path(c, "secretKey", at: "hub.curve"),
            let keys = reader.secretKeyFile(path, at: "hub.curve.secretKey")
        else { return nil }
        return Curve(secretKey: keys.secret, publicKey: keys.public, viewerKeys: viewers)
    }
}
