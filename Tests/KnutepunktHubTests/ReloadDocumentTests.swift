import Foundation
import KnutepunktConfig
import KnutepunktLogging
import KnutepunktProtocol
import KnutepunktTesting
import Testing

@testable import KnutepunktHub

/// The runbook's table of what a SIGHUP takes and what needs a restart (Deploy/README.md, "What a reload takes") is
/// the code's: every key of each daemon's file is in the table, a key the table says needs a restart is the one the
/// daemon lists under `needs.restart` when it alone changed, and a key the table says is taken is listed by nothing.
@Suite struct ReloadDocumentTests {
    /// The table's rows for `daemon`: the keys (in backquotes) of the rows taken at once, and of the rows listed in
    /// `needs.restart`.
    static func documented(_ daemon: String) throws -> (taken: Set<String>, restart: Set<String>) {
        let text = try String(contentsOfFile: "\(Repository.root)/Deploy/README.md", encoding: .utf8)
        let section = try #require(text.firstRange(of: "### What a reload takes, and what needs a restart"))
        var taken: Set<String> = []
        var restart: Set<String> = []
        for line in text[section.upperBound...].split(separator: "\n").prefix(40) where line.hasPrefix("| \(daemon) |")
        {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let keys = cells[1].matches(of: /`([A-Za-z.]+)`/).map { String($0.output.1) }
            if cells[2].hasPrefix("**taken**") { taken.formUnion(keys) }
            if cells[2] == "restart" && cells[3] == "yes" { restart.formUnion(keys) }
        }
        return (taken, restart)
    }

    static let hub = HubConfiguration(
        id: "HUB",
        listenEndpoint: "tcp://127.0.0.1:7700",
        publishEndpoint: "tcp://127.0.0.1:7701",
        controlEndpoint: "tcp://127.0.0.1:7702",
        storage: .sqlite(path: "/var/lib/knutepunkt/hub.sqlite"),
        taxonomyPath: "/etc/knutepunkt/taxonomy.yaml",
        nodes: [.init(id: "NORD-01", region: "NO-NORD", publicKeys: ["K1"])],
        curve: .init(secretKey: "S", publicKey: "P")
    )

    /// One change to each key of the hub's file (`curve` in its two parts).
    static let hubChanges: [String: @Sendable (inout HubConfiguration) -> Void] = [
        "id": { $0.id = "HUB-2" },
        "listen": { $0.listenEndpoint = "tcp://127.0.0.1:7800" },
        "publish": { $0.publishEndpoint = "tcp://127.0.0.1:7801" },
        "control": { $0.controlEndpoint = "tcp://127.0.0.1:7802" },
        "storage": { $0.storage = .sqlite(path: "/srv/hub.sqlite") },
        "taxonomy": { $0.taxonomyPath = "/srv/taxonomy.yaml" },
        "nodes": { $0.nodes.append(.init(id: "VEST-02", region: "NO-VEST", publicKeys: ["K2"])) },
        "maxBatch": { $0.maxBatch = 16 },
        "maxMessageBytes": { $0.maxMessageBytes = 1 << 20 },
        "sessionTimeout": { $0.sessionTimeout = .seconds(30) },
        "curve.secretKey": { $0.curve?.secretKey = "S2" },
        "curve.viewers": { $0.curve?.viewerKeys = ["V1"] },
        "nodeEventsPerSecond": { $0.nodeEventsPerSecond = 10 },
        "http": { $0.http = HTTPListenAddress(host: "127.0.0.1", port: 9464) },
        "logLevel": { $0.logLevel = .debug },
        "logFormat": { $0.logFormat = .json },
        "publishHighWaterMark": { $0.publishHighWaterMark = 1000 },
        "dashboardAccess": { $0.dashboardAccess = "/etc/knutepunkt/dashboard-access" },
        "otlpEndpoint": { $0.otlpEndpoint = "http://collector.example:4318" },
    ]

    static let node = NodeConfiguration(
        id: "NO-VEST",
        region: "NO-VEST",
        hubEndpoint: "tcp://hub:7300",
        controlEndpoint: "tcp://127.0.0.1:7310",
        outboxPath: "/var/lib/knutepunkt/outbox.sqlite",
        taxonomyPath: "/etc/knutepunkt/taxonomy.yaml",
        curve: .init(secretKey: "S", publicKey: "P", hubPublicKey: "H")
    )

    /// One change to each key of a node's file.
    static let nodeChanges: [String: @Sendable (inout NodeConfiguration) -> Void] = [
        "id": { $0.id = "NO-VEST-2" },
        "region": { $0.region = "NO-MIDT" },
        "hub": { $0.hubEndpoints[0] = "tcp://hub-2:7300" },
        "hubs": { $0.hubEndpoints.append("tcp://backup:7300") },
        "failbackAfter": { $0.failbackAfter = .seconds(600) },
        "control": { $0.controlEndpoint = "tcp://127.0.0.1:7311" },
        "outbox": { $0.outboxPath = "/srv/outbox.sqlite" },
        "taxonomy": { $0.taxonomyPath = "/srv/taxonomy.yaml" },
        "defaultNode": { $0.defaultNode = "NO-VEST-BERGEN" },
        "retention": { $0.retention = .seconds(86_400) },
        "maxMessageBytes": { $0.maxMessageBytes = 1 << 20 },
        "window": { $0.uplink.window = 10 },
        "batchSize": { $0.uplink.batchSize = 10 },
        "heartbeat": { $0.uplink.heartbeatInterval = .seconds(5) },
        "hubTimeout": { $0.uplink.hubTimeout = .seconds(9) },
        "retransmitAfter": { $0.uplink.retransmitTimeout = .seconds(9) },
        "curve": { $0.curve?.secretKey = "S2" },
        "http": { $0.http = HTTPListenAddress(host: "127.0.0.1", port: 9465) },
        "logLevel": { $0.logLevel = .debug },
        "logFormat": { $0.logFormat = .json },
        "otlpEndpoint": { $0.otlpEndpoint = "http://collector.example:4318" },
        "workspaceAccess": { $0.workspaceAccess = "/etc/knutepunkt/workspace-access" },
        "workspaceSecureCookie": { $0.workspaceSecureCookie = true },
        "workspaceHubControl": { $0.workspaceHubControl = "tcp://hub.example:7302" },
        "tls": { $0.httpTLS = HTTPTLSFiles(certificate: "/etc/ssl/node.pem", key: "/etc/ssl/node.key") },
    ]

    @Test func everyKeyOfTheHubsFileIsInTheTableAsTheHubTreatsIt() throws {
        let (taken, restart) = try Self.documented("hub")
        // What the environment may set, and the two that only the file holds.
        let fileKeys = Set((ConfigOverrides.settable["hub"] ?? []) + ["nodes", "curve.viewers"])
        #expect(Set(Self.hubChanges.keys) == fileKeys, "a change for every key of the hub's file")
        #expect(fileKeys.subtracting(taken.union(restart)).isEmpty, "keys missing from the table")
        #expect(taken.isDisjoint(with: restart))
        for (key, change) in Self.hubChanges.sorted(by: { $0.key < $1.key }) {
            var new = Self.hub
            change(&new)
            let listed = HubReload.needsRestart(from: Self.hub, to: new)
            #expect(listed == (restart.contains(key) ? [key] : []), "\(key): the table and HubReload disagree")
        }
    }

    @Test func everyKeyOfANodesFileIsInTheTableAsTheNodeTreatsIt() throws {
        let (taken, restart) = try Self.documented("node")
        // What the environment may set, with the node's two key files as the one `curve` the table names, and its
        // certificate and key as the one `tls`.
        let fileKeys = Set(
            (ConfigOverrides.settable["node"] ?? []).filter { !$0.hasPrefix("curve.") && !$0.hasPrefix("tls.") }
                + ["curve", "tls"]
        )
        #expect(Set(Self.nodeChanges.keys) == fileKeys, "a change for every key of a node's file")
        #expect(fileKeys.subtracting(taken.union(restart)).isEmpty, "keys missing from the table")
        #expect(taken.isDisjoint(with: restart))
        for (key, change) in Self.nodeChanges.sorted(by: { $0.key < $1.key }) {
            var new = Self.node
            change(&new)
            let listed = Self.node.changesNeedingRestart(to: new)
            #expect(listed == (restart.contains(key) ? [key] : []), "\(key): the table and the node disagree")
        }
    }
}
