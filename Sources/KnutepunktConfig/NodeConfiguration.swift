import Foundation
import KnutepunktLogging
import KnutepunktProtocol
import Logging
import Yams

/// Everything a regional node daemon needs, read from its YAML file (see Configs/README.md).
package struct NodeConfiguration: Sendable {
    /// This daemon's id: its sequence space at the hub (e.g. `NO-VEST`).
    package var id: String
    /// The region it reports for.
    package var region: String
    /// The hubs' ROUTER endpoints, primary first (`hub:` gives one, `hubs:` several). The node talks to one at a
    /// time, moves to the next when the current one stops answering, and goes back to the primary after
    /// ``failbackAfter`` on another (see docs/failover.md).
    package var hubEndpoints: [String]
    /// The primary hub's endpoint.
    package var hubEndpoint: String { hubEndpoints[0] }
    /// How long the node stays on a backup hub before it tries the primary again.
    package var failbackAfter: Duration
    /// Where coordinators submit events and ask for status.
    package var controlEndpoint: String
    /// The outbox database file.
    package var outboxPath: String
    /// The taxonomy file (codes).
    package var taxonomyPath: String
    /// The local node used when an event names none (optional).
    package var defaultNode: String?
    /// How long delivered events stay in the outbox, so a hub restored from a backup can get them again.
    package var retention: Duration
    /// Largest message accepted from coordinators or the hub, in bytes.
    package var maxMessageBytes: Int
    /// Window, batch and timing of the uplink protocol.
    package var uplink: UplinkStateMachine.Configuration
    /// CURVE towards the hub; nil: not configured (the node then runs only with `--insecure`, in plaintext).
    package var curve: Curve?
    /// Where `/metrics`, `/healthz` and `/readyz` are served; nil: no HTTP server.
    package var http: HTTPListenAddress?
    /// Serve the HTTP listener over TLS with this certificate and key (`node.tls`); nil: plain HTTP (behind a reverse
    /// proxy that terminates TLS, Deploy/README.md).
    package var httpTLS: HTTPTLSFiles?
    /// The log level (nil: `info`); a SIGHUP applies a change.
    package var logLevel: Logger.Level?
    /// The log format (nil: `text`).
    package var logFormat: LogFormat?
    /// The OpenTelemetry collector (OTLP/HTTP) the node's traces are exported to; nil: no export (docs/tracing.md).
    package var otlpEndpoint: String?
    /// The coordinators' workspace on the node's HTTP server (`/workspace`): the access file of their sign-in tokens
    /// (`knutepunkt workspace token`); nil: no workspace.
    package var workspaceAccess: String?
    /// The hub's control endpoint as the node reaches it, for the workspace's picture of the region (the hub's open
    /// gaps, GAPS); the hub must admit this node's key as a viewer (`hub.curve.viewers`). Nil: no picture.
    package var workspaceHubControl: String?
    /// Mark the workspace's session cookie `Secure`: set when a reverse proxy serves it over HTTPS (Deploy/README.md).
    package var workspaceSecureCookie = false

    /// The node's CURVE identity and the hub's public key.
    package struct Curve: Sendable, Hashable {
        package var secretKey: String
        package var publicKey: String
        package var hubPublicKey: String
        package init(secretKey: String, publicKey: String, hubPublicKey: String) {
            self.secretKey = secretKey
            self.publicKey = publicKey
            self.hubPublicKey = hubPublicKey
        }
    }

    package init(
        id: String,
        region: String,
        hubEndpoint: String,
        controlEndpoint: String,
        outboxPath: String,
        taxonomyPath: String,
        backupHubEndpoints: [String] = [],
        failbackAfter: Duration = .seconds(60),
        defaultNode: String? = nil,
        retention: Duration = .seconds(30 * 86_400),
        maxMessageBytes: Int = 4 << 20,
        uplink: UplinkStateMachine.Configuration = .init(),
        curve: Curve? = nil,
        http: HTTPListenAddress? = nil,
        logLevel: Logger.Level? = nil,
        logFormat: LogFormat? = nil
    ) {
        self.id = id
        self.region = region
        self.hubEndpoints = [hubEndpoint] + backupHubEndpoints
        self.failbackAfter = failbackAfter
        self.controlEndpoint = controlEndpoint
        self.outboxPath = outboxPath
        self.taxonomyPath = taxonomyPath
        self.defaultNode = defaultNode
        self.retention = retention
        self.maxMessageBytes = maxMessageBytes
        self.uplink = uplink
        self.curve = curve
        self.http = http
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    static let keys = [
        "id", "region", "hub", "hubs", "failbackAfter", "control", "outbox", "taxonomy", "defaultNode", "retention",
        "maxMessageBytes", "window", "batchSize", "heartbeat", "hubTimeout", "retransmitAfter", "curve", "http",
        "logLevel", "logFormat", "otlpEndpoint", "workspaceAccess", "workspaceSecureCookie",
        "workspaceHubControl", "tls",
    ]

    /// Reads the `node:` section of a configuration file.
    static func read(_ reader: inout ConfigReader, _ section: Node.Mapping?) -> NodeConfiguration? {
        let m = reader.mapping(section.map { Node.mapping($0) }, at: "node", allowed: keys)
        let id = reader.string(m, "id", at: "node")
        let region = reader.string(m, "region", at: "node")
        var hubs: [String]?
        if m?["hubs"] != nil {
            if m?["hub"] != nil {
                reader.fail(
                    .invalidValue,
                    "node.hubs",
                    "both hub and hubs are given",
                    fix: "Keep one: hub: ENDPOINT for one hub, or hubs: [PRIMARY, BACKUP] for failover"
                )
            }
            let texts = reader.texts(m, "hubs", at: "node") ?? []
            hubs = texts.enumerated().compactMap { reader.checkedEndpoint($1, at: "node.hubs[\($0)]") }
            if texts.isEmpty {
                reader.fail(.invalidValue, "node.hubs", "the list is empty", fix: "List at least the primary hub")
                hubs = nil
            } else if hubs?.count != texts.count {
                hubs = nil
            }
        } else if let hub = reader.endpoint(m, "hub", at: "node") {
            hubs = [hub]
        }
        for (index, endpoint) in (hubs ?? []).enumerated() where PlaceholderAddress.isPlaceholder(endpoint: endpoint) {
            reader.fail(
                .placeholder,
                m?["hubs"] != nil ? "node.hubs[\(index)]" : "node.hub",
                "\(endpoint) is the example address the shipped file carries: expected on a fresh install, but the node "
                    + "would never reach a hub",
                fix: "Write the national hub's listen endpoint, from the hub's operators: tcp://HUB-ADDRESS:7300"
            )
        }
        let failback = reader.duration(m, "failbackAfter", at: "node")
        let control = reader.endpoint(m, "control", at: "node")
        let outbox = reader.path(m, "outbox", at: "node")
        let taxonomy = reader.path(m, "taxonomy", at: "node")
        let defaultNode = reader.string(m, "defaultNode", at: "node", required: false)
        let retention = reader.duration(m, "retention", at: "node")
        let maxBytes = reader.int(m, "maxMessageBytes", at: "node", range: 65_536...(256 << 20))
        let http = reader.httpAddress(m, "http", at: "node")
        let logLevel = reader.logLevel(m, "logLevel", at: "node")
        let logFormat = reader.logFormat(m, "logFormat", at: "node")
        let otlpEndpoint = reader.otlpEndpoint(m, "otlpEndpoint", at: "node")
        let workspaceAccess = reader.string(m, "workspaceAccess", at: "node", required: false).map {
            ConfigReader.resolve($0, relativeTo: reader.file)
        }
        if let workspaceAccess, !FileManager.default.fileExists(atPath: workspaceAccess) {
            reader.fail(
                .invalidValue,
                "node.workspaceAccess",
                "the workspace's access file \(workspaceAccess) does not exist",
                fix: "Create it with `knutepunkt workspace token --name NAME --role coordinator --append "
                    + "\(workspaceAccess)`"
            )
        }
        if workspaceAccess != nil, http == nil, m?["http"] == nil {
            reader.fail(
                .missingKey,
                "node.http",
                "the workspace (node.workspaceAccess) is served on the node's HTTP server, and none is configured",
                fix: "Add http: 127.0.0.1:9465 (or remove workspaceAccess)"
            )
        }
        var httpTLS: HTTPTLSFiles?
        if let section = m?["tls"], let t = reader.mapping(section, at: "node.tls", allowed: ["certificate", "key"]) {
            let certificate = reader.path(t, "certificate", at: "node.tls")
            let key = reader.path(t, "key", at: "node.tls")
            for (name, path) in [("certificate", certificate), ("key", key)] {
                guard let path, !FileManager.default.fileExists(atPath: path) else { continue }
                reader.fail(
                    .invalidValue,
                    "node.tls.\(name)",
                    "the TLS \(name) file \(path) does not exist",
                    fix: "Name the PEM \(name) file the HTTP listener serves TLS with (or remove node.tls)"
                )
            }
            if http == nil, m?["http"] == nil {
                reader.fail(
                    .missingKey,
                    "node.http",
                    "node.tls is for the node's HTTP listener, and none is configured",
                    fix: "Add http: 0.0.0.0:9465 (or remove tls)"
                )
            }
            if let certificate, let key { httpTLS = HTTPTLSFiles(certificate: certificate, key: key) }
        }
        let secureCookie = reader.flag(m, "workspaceSecureCookie", at: "node")
        let hubControl = reader.string(m, "workspaceHubControl", at: "node", required: false).flatMap {
            reader.checkedEndpoint($0, at: "node.workspaceHubControl")
        }
        var uplink = UplinkStateMachine.Configuration()
        if let window = reader.int(m, "window", at: "node", range: 1...1_000_000) { uplink.window = window }
        if let batch = reader.int(m, "batchSize", at: "node", range: 1...1024) { uplink.batchSize = batch }
        if let heartbeat = reader.duration(m, "heartbeat", at: "node") { uplink.heartbeatInterval = heartbeat }
        if let timeout = reader.duration(m, "hubTimeout", at: "node") { uplink.hubTimeout = timeout }
        if let retransmit = reader.duration(m, "retransmitAfter", at: "node") { uplink.retransmitTimeout = retransmit }
        if let id, !NodeIdentifier.isValid(id) {
            reader.fail(
                .invalidValue,
                "node.id",
                "\"\(id)\" is not a valid node id",
                fix: "Use 1 to 64 characters A-Z, 0-9 and '-', e.g. NO-VEST"
            )
        }
        var curve: Curve?
        if let section = m?["curve"],
            let c = reader.mapping(section, at: "node.curve", allowed: ["secretKey", "hubPublicKey"])
        {
            let secretPath = reader.path(c, "secretKey", at: "node.curve")
            let hubPath = reader.path(c, "hubPublicKey", at: "node.curve")
            let keys = secretPath.flatMap { reader.secretKeyFile($0, at: "node.curve.secretKey") }
            let hubKey = hubPath.flatMap {
                reader.publicKeyFile($0, at: "node.curve.hubPublicKey", from: "the hub's operators")
            }
            if let keys, let hubKey {
                curve = Curve(secretKey: keys.secret, publicKey: keys.public, hubPublicKey: hubKey)
            }
        }
        guard let id, let region, let hubs, let control, let outbox, let taxonomy else { return nil }
        var configuration = NodeConfiguration(
            id: id,
            region: region,
            hubEndpoint: hubs[0],
            controlEndpoint: control,
            outboxPath: outbox,
            taxonomyPath: taxonomy,
            backupHubEndpoints: Array(hubs.dropFirst()),
            failbackAfter: failback ?? .seconds(60),
            defaultNode: defaultNode,
            retention: retention ?? .seconds(30 * 86_400),
            maxMessageBytes: maxBytes ?? (4 << 20),
            uplink: uplink,
            curve: curve,
            http: http,
            logLevel: logLevel,
            logFormat: logFormat
        )
        configuration.otlpEndpoint = otlpEndpoint
        configuration.workspaceAccess = workspaceAccess
        configuration.workspaceSecureCookie = secureCookie ?? false
        configuration.workspaceHubControl = hubControl
        configuration.httpTLS = httpTLS
        return configuration
    }

    /// The keys that differ in `fresh` and take effect only after a restart (all but `logLevel`, which a SIGHUP
    /// applies). `hub` is the first endpoint; `hubs` names a change of the backups after it.
    package func changesNeedingRestart(to fresh: NodeConfiguration) -> [String] {
        var changed: [String] = []
        func check<T: Equatable>(_ key: String, _ value: (NodeConfiguration) -> T) {
            if value(self) != value(fresh) { changed.append(key) }
        }
        check("id") { $0.id }
        check("region") { $0.region }
        check("hub") { $0.hubEndpoint }
        check("hubs") { $0.hubEndpoints.dropFirst().map { $0 } }
        check("failbackAfter") { $0.failbackAfter }
        check("control") { $0.controlEndpoint }
        check("outbox") { $0.outboxPath }
        check("taxonomy") { $0.taxonomyPath }
        check("defaultNode") { $0.defaultNode }
        check("retention") { $0.retention }
        check("maxMessageBytes") { $0.maxMessageBytes }
        check("window") { $0.uplink.window }
        check("batchSize") { $0.uplink.batchSize }
        check("heartbeat") { $0.uplink.heartbeatInterval }
        check("hubTimeout") { $0.uplink.hubTimeout }
        check("retransmitAfter") { $0.uplink.retransmitTimeout }
        check("curve") { $0.curve }
        check("http") { $0.http }
        check("tls") { $0.httpTLS }
        check("logFormat") { $0.logFormat }
        check("otlpEndpoint") { $0.otlpEndpoint }
        check("workspaceAccess") { $0.workspaceAccess }
        check("workspaceSecureCookie") { $0.workspaceSecureCookie }
        check("workspaceHubControl") { $0.workspaceHubControl }
        return changed
    }
}

/// The rule for node ids shared by configuration and protocol: 1…64 of A–Z, 0–9 and '-'.
package enum NodeIdentifier {
    package static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
