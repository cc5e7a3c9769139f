import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktHTTP
import KnutepunktProtocol
import Logging
import ServiceLifecycle
import Tracing

/// The hub daemon as production runs it, assembled in one place: the hub's service (its reactor thread and store
/// writer), its HTTP server (metrics, health, and the dashboard when an access file is configured) and the
/// dashboard's feed. The executable, the in-process test daemons and the benchmarks all build it here.
package struct HubDaemon: Sendable {
    package let hub: HubService
    package let http: DaemonHTTPServer?
    /// The national centre's dashboard on the same HTTP server (nil without `dashboardAccess`).
    package let dashboard: DashboardFeed?
    package let operations: DaemonOperations

    /// - Parameters:
    ///   - dashboardAccess: who may sign in to the dashboard; the dashboard is served only with one.
    ///   - reloadConfiguration / reloadThresholds: read the files again on SIGHUP.
    package init(
        configuration: HubConfiguration,
        taxonomy: Taxonomy,
        thresholds: GapThresholds = .standard,
        insecure: Bool = false,
        dashboardAccess: DashboardAccess? = nil,
        operations: DaemonOperations,
        reloadConfiguration: (@Sendable () throws -> HubConfiguration)? = nil,
        reloadThresholds: (@Sendable () throws -> GapThresholds)? = nil,
        supported: ProtocolVersion = .current,
        tracer: any Tracer = InstrumentationSystem.tracer,
        logger: Logger
    ) {
        let hub = HubService(
            configuration: configuration,
            taxonomy: taxonomy,
            thresholds: thresholds,
            insecure: insecure,
            reloadConfiguration: reloadConfiguration,
            reloadThresholds: reloadThresholds,
            metrics: HubMetrics(factory: operations.factory),
            supported: supported,
            tracer: tracer,
            logger: logger
        )
        let dashboard = dashboardAccess.map { access in
            DashboardFeed(
                configuration: DashboardConfiguration(
                    hub: configuration,
                    taxonomy: taxonomy,
                    thresholds: thresholds,
                    access: access,
                    acknowledgementsPath: nil
                ),
                logger: logger,
                boundEndpoints: {
                    let bound = try await hub.endpoints()
                    return (bound.publish, bound.control)
                }
            )
        }
        self.hub = hub
        self.dashboard = dashboard
        self.operations = operations
        http = operations.server(health: hub.metrics.health, help: HubMetrics.help) { router in
            if let dashboard { DashboardRoutes(feed: dashboard).add(to: router) }
        }
    }

    /// The services whose end ends the daemon: the hub and its HTTP server.
    package var services: [any Service] { [hub] + (http.map { [$0] } ?? []) }

    /// Services whose end or failure leaves the hub running (it logs why): the dashboard's feed.
    package var auxiliaries: [any Service] { dashboard.map { [$0] } ?? [] }

    /// Waits until every socket is bound, and names them (`listen`, `publish`, `control`, `http`).
    package func endpoints() async throws -> [String: String] {
        let bound = try await hub.endpoints()
        var endpoints = ["listen": bound.listen, "publish": bound.publish, "control": bound.control]
        if let http, let host = operations.http?.host {
            endpoints["http"] = HTTPListenAddress(host: host, port: try await http.port()).description
        }
        return endpoints
    }
}
