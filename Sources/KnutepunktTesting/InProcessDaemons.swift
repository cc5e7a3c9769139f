import Foundation
import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktHub
import KnutepunktNode
import KnutepunktService
import KnutepunktWorkspace
import Logging
import ServiceLifecycle
import Tracing

/// Runs daemons inside this process (tests, benchmarks), each in its own service group (the same shell and threads as the real
/// processes), with a graceful shutdown at the end of `body`.
package enum InProcessDaemons {
    package static let taxonomy: Taxonomy = {
        do {
            return try TaxonomyFile.load(path: Repository.taxonomyPath)
        } catch {
            preconditionFailure("the shipped taxonomy must load: \(error)")
        }
    }()

    package static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["KNUTEPUNKT_TEST_LOG"] == nil ? .critical : .debug
        return logger
    }

    package static func hubConfiguration(
        folder: TemporaryDirectory,
        nodes: [(id: String, region: String)] = [("NO-VEST", "NO-VEST"), ("NO-NORD", "NO-NORD")]
    ) -> HubConfiguration {
        HubConfiguration(
            id: "TEST-HUB",
            listenEndpoint: "tcp://127.0.0.1:*",
            publishEndpoint: "tcp://127.0.0.1:*",
            controlEndpoint: "tcp://127.0.0.1:*",
            storage: .sqlite(path: folder.file("hub.sqlite")),
            taxonomyPath: Repository.taxonomyPath,
            nodes: nodes.map { HubConfiguration.NodeGrant(id: $0.id, region: $0.region) },
            maxMessageBytes: 1 << 20,
            sessionTimeout: .seconds(5)
        )
    }

    /// Runs a hub, as production assembles it, until `body` returns.
    package static func withHub<T: Sendable>(
        _ configuration: HubConfiguration,
        taxonomy: Taxonomy = InProcessDaemons.taxonomy,
        dashboardAccess: DashboardAccess? = nil,
        tracer: any Tracer = NoOpTracer(),
        _ body: @Sendable (HubService.Endpoints) async throws -> T
    ) async throws -> T {
        // Plaintext where a test's configuration has no keys; CURVE with a ZAP handler where it has.
        let daemon = HubDaemon(
            configuration: configuration,
            taxonomy: taxonomy,
            insecure: configuration.curve == nil,
            dashboardAccess: dashboardAccess,
            operations: DaemonOperations(http: configuration.http, logger: logger),
            tracer: tracer,
            logger: logger
        )
        return try await DaemonGroup.withRunning(daemon.services, auxiliaries: daemon.auxiliaries, logger: logger) {
            try await body(try await daemon.hub.endpoints())
        }
    }

    /// Runs a node, as production assembles it, until `body` returns.
    package static func withNode<T: Sendable>(
        _ configuration: NodeConfiguration,
        taxonomy: Taxonomy = InProcessDaemons.taxonomy,
        tracer: any Tracer = NoOpTracer(),
        _ body: @Sendable (NodeService.Endpoints) async throws -> T
    ) async throws -> T {
        let daemon = NodeDaemon(
            configuration: configuration,
            taxonomy: taxonomy,
            insecure: configuration.curve == nil,
            operations: DaemonOperations(http: configuration.http, logger: logger),
            tracer: tracer,
            logger: logger
        )
        return try await DaemonGroup.withRunning(daemon.services, logger: logger) {
            try await body(try await daemon.node.endpoints())
        }
    }

    /// Runs a node with its HTTP server (and the workspace, given an access file), as production assembles it, until
    /// `body` returns; `body` gets the bound endpoints (`control`, `http`).
    package static func withNodeDaemon<T: Sendable>(
        _ configuration: NodeConfiguration,
        taxonomy: Taxonomy = InProcessDaemons.taxonomy,
        workspaceAccess: WorkspaceAccess?,
        _ body: @Sendable ([String: String]) async throws -> T
    ) async throws -> T {
        let daemon = NodeDaemon(
            configuration: configuration,
            taxonomy: taxonomy,
            insecure: configuration.curve == nil,
            workspaceAccess: workspaceAccess,
            operations: DaemonOperations(http: configuration.http, tls: configuration.httpTLS, logger: logger),
            tracer: NoOpTracer(),
            logger: logger
        )
        return try await DaemonGroup.withRunning(daemon.services, logger: logger) {
            try await body(try await daemon.endpoints())
        }
    }

    /// Runs `services` in one service group (a daemon and its HTTP server, say) until `body` returns.
    package static func withServices<T: Sendable>(
        _ services: [any Service],
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await DaemonGroup.withRunning(services, logger: logger, body)
    }
}
