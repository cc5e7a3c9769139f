import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktWorkspace
import KnutepunktZMQ
import Logging
import ServiceLifecycle
import Tracing

/// The regional node daemon as production runs it, assembled in one place: the node's service (its reactor thread
/// and outbox) and its HTTP server (metrics and health, and the coordinators' workspace when an access file is
/// given). The executable, the in-process test daemons and the benchmarks all build it here.
package struct NodeDaemon: Sendable {
    package let node: NodeService
    package let http: DaemonHTTPServer?
    package let operations: DaemonOperations

    /// - Parameter workspaceAccess: who may sign in to the workspace (`/workspace`); it is served only with one, on
    ///   the HTTP server, and talks to this node over its control socket like `knutepunkt publish`.
    package init(
        configuration: NodeConfiguration,
        taxonomy: Taxonomy,
        insecure: Bool = false,
        workspaceAccess: WorkspaceAccess? = nil,
        operations: DaemonOperations,
        reloadConfiguration: (@Sendable () throws -> NodeConfiguration)? = nil,
        tracer: any Tracer = InstrumentationSystem.tracer,
        logger: Logger
    ) {
        node = NodeService(
            configuration: configuration,
            taxonomy: taxonomy,
            insecure: insecure,
            reloadConfiguration: reloadConfiguration,
            metrics: NodeMetrics(factory: operations.factory),
            tracer: tracer,
            logger: logger
        )
        self.operations = operations
        let node = node
        let workspace = workspaceAccess.map { access in
            var workspace = WorkspaceConfiguration(
                access: access,
                nodeID: configuration.id,
                region: configuration.region,
                defaultNode: configuration.defaultNode,
                taxonomy: taxonomy,
                controlEndpoint: { try await node.endpoints().control }
            )
            // Served over HTTPS: directly (node.tls), or by a reverse proxy (workspaceSecureCookie).
            workspace.secureCookie = configuration.workspaceSecureCookie || configuration.httpTLS != nil
            // The hub's control socket, as this node's key, which the hub admits when listed as a viewer.
            let hub = configuration.workspaceHubControl.map { endpoint in
                NodeMonthClosing.Hub(
                    endpoint: endpoint,
                    curve: configuration.curve.map {
                        ZMQCurveClient(
                            serverKey: $0.hubPublicKey,
                            keys: ZMQCurveKeyPair(publicKey: $0.publicKey, secretKey: $0.secretKey)
                        )
                    }
                )
            }
            if let hub {
                workspace.hubGaps = {
                    try await ControlClient.withConnection(to: hub.endpoint, timeout: .seconds(3), curve: hub.curve) {
                        try $0.gapSnapshot()
                    }
                }
                workspace.hubCoverage = { region in
                    try await ControlClient.withConnection(to: hub.endpoint, timeout: .seconds(3), curve: hub.curve) {
                        try $0.coverage(region: region)
                    }
                }
            }
            workspace.monthClosing = NodeMonthClosing(
                taxonomy: taxonomy,
                nodeControl: { try await node.endpoints().control },
                hub: hub,
                timeout: workspace.controlTimeout,
                logger: logger
            )
            return WorkspaceRoutes(configuration: workspace, logger: logger)
        }
        http = operations.server(health: node.metrics.health, help: NodeMetrics.help) { router in
            workspace?.add(to: router)
        }
    }

    /// The services whose end ends the daemon: the node and its HTTP server.
    package var services: [any Service] { [node] + (http.map { [$0] } ?? []) }

    /// Waits until every socket is bound, and names them (`control`, `http`).
    package func endpoints() async throws -> [String: String] {
        var endpoints = ["control": try await node.endpoints().control]
        if let http, let host = operations.http?.host {
            endpoints["http"] = HTTPListenAddress(host: host, port: try await http.port()).description
        }
        return endpoints
    }
}
