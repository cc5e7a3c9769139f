import Hummingbird
import KnutepunktConfig
import KnutepunktCore
import KnutepunktHTTP
import KnutepunktLogging
import Logging
import Metrics
import Prometheus

/// What the executable sets up around a daemon for operations: the process's Prometheus registry (bootstrapped as
/// the metrics system, and handed explicitly to the daemon's metrics) and, when `http` is configured, the HTTP server
/// for `/metrics`, `/healthz` and `/readyz`.
struct DaemonOperations {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    let http: HTTPListenAddress?
    let logger: Logger

    init(http: HTTPListenAddress?, logger: Logger) {
        factory = PrometheusMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(factory)
        self.http = http
        self.logger = logger
    }

    /// The HTTP server, nil when no `http` address is configured; `routes` adds a daemon's own (the hub's dashboard).
    func server(
        health: DaemonHealth,
        routes: (Router<DaemonHTTPServer.Context>) -> Void = { _ in }
    ) -> DaemonHTTPServer? {
        guard let http else { return nil }
        let router = OperationsRoutes.router(registry: registry, health: health)
        routes(router)
        return DaemonHTTPServer(host: http.host, port: http.port, router: router, logger: logger)
    }
}

extension LogLevelControl {
    /// Takes a reloaded configuration's log level (absent: `info`), and says so when it changes.
    func apply(_ configured: Logger.Level?, logger: Logger) {
        let wanted = configured ?? .info
        guard wanted != level else { return }
        let previous = level
        level = wanted
        logger.notice("log level changed", metadata: ["from": "\(previous)", "to": "\(wanted)"])
    }
}
