import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHTTP
import Logging
import ServiceLifecycle
import Tracing

/// The regional node daemon as production runs it, assembled in one place: the node's service (its reactor thread
/// and outbox) and its HTTP server (metrics and health). The executable, the in-process test daemons and the
/// benchmarks all build it here.
package struct NodeDaemon: Sendable {
    package let node: NodeService
    package let http: DaemonHTTPServer?
    package let operations: DaemonOperations

    package init(
        configuration: NodeConfiguration,
        taxonomy: Taxonomy,
        insecure: Bool = false,
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
        http = operations.server(health: node.metrics.health, help: NodeMetrics.help)
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
