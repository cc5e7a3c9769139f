import Hummingbird
import KnutepunktConfig
import KnutepunktService
import Logging
import Prometheus

/// What a daemon offers operations: a Prometheus registry of its own (its metrics are made by ``factory``) and, when
/// `http` is configured, the HTTP server for `/metrics`, `/healthz`, `/readyz` and the daemon's own routes.
///
/// Libraries never bootstrap the process-wide metrics system; the executable does, with this ``factory``.
package struct DaemonOperations: Sendable {
    package let registry = PrometheusCollectorRegistry()
    package let factory: PrometheusMetricsFactory
    package let http: HTTPListenAddress?
    /// TLS for the HTTP server (nil: plain HTTP).
    package let tls: HTTPTLSFiles?
    package let logger: Logger

    package init(http: HTTPListenAddress?, tls: HTTPTLSFiles? = nil, logger: Logger) {
        factory = PrometheusMetricsFactory(registry: registry)
        self.http = http
        self.tls = tls
        self.logger = logger
    }

    /// The HTTP server, nil when no `http` address is configured; `help` is the help text of the daemon's metrics,
    /// `routes` adds a daemon's own routes (the hub's dashboard).
    package func server(
        health: DaemonHealth,
        help: [String: String] = [:],
        routes: (Router<DaemonHTTPServer.Context>) -> Void = { _ in }
    ) -> DaemonHTTPServer? {
        guard let http else { return nil }
        let router = OperationsRoutes.router(registry: registry, health: health, help: help)
        routes(router)
        return DaemonHTTPServer(host: http.host, port: http.port, tls: tls, router: router, logger: logger)
    }
}
