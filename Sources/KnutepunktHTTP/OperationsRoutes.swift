import Foundation
import Hummingbird
import KnutepunktService
import Prometheus

/// The routes every daemon serves for operations: `/metrics` (Prometheus text format), `/healthz` (liveness) and
/// `/readyz` (readiness). Both health routes answer 200 or 503 with a small JSON body saying why.
package enum OperationsRoutes {
    /// A router with the three routes; a daemon adds its own routes to it before the server starts.
    package static func router(
        registry: PrometheusCollectorRegistry,
        health: DaemonHealth,
        help: [String: String] = [:]
    ) -> Router<DaemonHTTPServer.Context> {
        let router = Router<DaemonHTTPServer.Context>()
        add(to: router, registry: registry, health: health, help: help)
        return router
    }

    /// Adds the three routes to `router`; `/metrics` also carries the process's own figures (CPU, memory, open
    /// files), read at each scrape, and a HELP line for every family (`help`: the daemon's metrics' help text).
    package static func add(
        to router: Router<DaemonHTTPServer.Context>,
        registry: PrometheusCollectorRegistry,
        health: DaemonHealth,
        help: [String: String] = [:]
    ) {
        let process = ProcessMetrics(registry: registry)
        let help = help.merging(ProcessMetrics.help) { daemon, _ in daemon }
        router.get("metrics") { _, _ -> Response in
            process.update()
            let text = MetricsExposition.annotate(String(decoding: registry.emitToBuffer(), as: UTF8.self), help: help)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text))
            )
        }
        router.get("healthz") { _, _ -> Response in
            response(health.liveness())
        }
        router.get("readyz") { _, _ -> Response in
            response(health.readiness())
        }
    }

    static func response(_ status: DaemonHealth.Status) -> Response {
        var body: [String: String] = status.details
        body["status"] = status.healthy ? "ok" : "unavailable"
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: status.healthy ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(data) + [0x0A]))
        )
    }
}
