import Foundation
import HTTPTypes
import HummingbirdTesting
import KnutepunktAccess
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktTesting
import KnutepunktWorkspace
import NIOCore
import Testing

/// A hub and a NO-VEST node daemon on loopback, the node serving the workspace on an ephemeral port, with three
/// people in its access file: coordinators kari and ola, and the regional lead lise.
enum WorkspaceFixtures {
    static let kari = WorkspaceAccess.makeToken()
    static let ola = WorkspaceAccess.makeToken()
    static let lise = WorkspaceAccess.makeToken()

    static var access: WorkspaceAccess {
        WorkspaceAccess(entries: [
            .init(user: WorkspaceUser(name: "kari", role: .coordinator), digest: WorkspaceAccess.digest(of: kari)),
            .init(user: WorkspaceUser(name: "ola", role: .coordinator), digest: WorkspaceAccess.digest(of: ola)),
            .init(user: WorkspaceUser(name: "lise", role: .lead), digest: WorkspaceAccess.digest(of: lise)),
        ])
    }

    static func nodeConfiguration(hub: String, folder: TemporaryDirectory) -> NodeConfiguration {
        var configuration = NodeConfiguration(
            id: "NO-VEST",
            region: "NO-VEST",
            hubEndpoint: hub,
            controlEndpoint: "tcp://127.0.0.1:*",
            outboxPath: folder.file("node/outbox.sqlite"),
            taxonomyPath: Repository.taxonomyPath,
            defaultNode: "NO-VEST-BERGEN",
            http: HTTPListenAddress(host: "127.0.0.1", port: 0)
        )
        configuration.workspaceAccess = "(in memory)"
        return configuration
    }

    /// The shipped taxonomy with no local node making monthly returns except, when `reporting`, NO-VEST-BERGEN from
    /// the month before last: two months are then expected of it, last month's and the one before. (The shipped
    /// nodes' `active:` dates would make every other node's missing returns "no report" for the region.)
    static func reportingTaxonomy(
        folder: TemporaryDirectory,
        reporting: Bool = true
    ) throws -> (path: String, taxonomy: Taxonomy) {
        let active = ReportingMonth(LocalDate.today()).adding(months: -2).first
        var text = try String(contentsOfFile: Repository.taxonomyPath, encoding: .utf8)
            .replacing(/, active: [0-9]{4}-[0-9]{2}-[0-9]{2}/, with: "")
        if reporting {
            text = text.replacingOccurrences(of: "town: Bergen}", with: "town: Bergen, active: \(active)}")
        }
        let path = folder.file("taxonomy.yaml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try TaxonomyFile.load(path: path))
    }

    /// Runs a hub (unless `hubReachable` is false: the node then points at a port nothing listens on) and the node
    /// with its workspace; `body` gets an HTTP client to the node's HTTP server and the node's control endpoint.
    /// `askHubForGaps` gives the node the hub's control socket (the region's picture, the sign-off); `reporting` has
    /// NO-VEST-BERGEN make monthly returns (``reportingTaxonomy(folder:)``).
    static func withWorkspace(
        hubReachable: Bool = true,
        askHubForGaps: Bool = false,
        reporting: Bool = false,
        _ body: @escaping @Sendable (TestClient, String) async throws -> Void
    ) async throws {
        try await withWorkspaceServer(hubReachable: hubReachable, askHubForGaps: askHubForGaps, reporting: reporting) {
            port,
            control in
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await body(client, control)
            }
        }
    }

    /// As ``withWorkspace(hubReachable:_:)``, giving `body` the HTTP port and the node's control endpoint.
    static func withWorkspaceServer(
        hubReachable: Bool = true,
        askHubForGaps: Bool = false,
        reporting: Bool = false,
        _ body: @escaping @Sendable (Int, String) async throws -> Void
    ) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let (taxonomyPath, taxonomy) = try reportingTaxonomy(folder: folder, reporting: reporting)
        let run: @Sendable (String, String?) async throws -> Void = { (hub: String, hubControl: String?) in
            var node = nodeConfiguration(hub: hub, folder: folder)
            node.taxonomyPath = taxonomyPath
            node.workspaceHubControl = askHubForGaps ? hubControl : nil
            try await InProcessDaemons.withNodeDaemon(node, taxonomy: taxonomy, workspaceAccess: access) { endpoints in
                let port = try #require(endpoints["http"].flatMap { Int($0.split(separator: ":").last ?? "") })
                let control = try #require(endpoints["control"])
                try await body(port, control)
            }
        }
        if hubReachable {
            var hub = InProcessDaemons.hubConfiguration(folder: folder)
            hub.taxonomyPath = taxonomyPath
            try await InProcessDaemons.withHub(hub, taxonomy: taxonomy) { endpoints in
                try await run(endpoints.listen, endpoints.control)
            }
        } else {
            // Both the hub's listen and control endpoints lead nowhere.
            try await run("tcp://127.0.0.1:9", "tcp://127.0.0.1:9")
        }
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    /// A good activity as the page sends it (no region, the default local node), `changes` applied.
    static func activity(_ changes: [String: JSONValue] = [:], id: String? = nil) -> JSONValue {
        let good: JSONValue = [
            "kind": "TRAINING", "date": .string(LocalDate.today().adding(days: -1).iso),
            "municipality": "4601", "target_groups": ["PND"], "programmes": ["COS_P"], "tier": "S",
            "age_bands": ["M3_12"], "professions": ["PHN", "PSYCH"], "participants": 14, "families": 0,
            "sessions": 2, "funding": "PERMANENT", "note": "COS-P group leader training",
        ]
        var object = good.objectValue ?? JSONObject()
        if let id { object["id"] = .string(id) }
        for (key, value) in changes { object[key] = value == .null ? nil : value }
        return .object(object)
    }

    static func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: value.serialized()) }

    static func json(_ response: TestClient.Response) throws -> JSONValue {
        try JSONValue.parse(Array(buffer: response.body ?? ByteBuffer()))
    }
}
