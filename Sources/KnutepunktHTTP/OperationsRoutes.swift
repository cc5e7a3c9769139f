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
        health: DaemonHealth
    ) -> Router<DaemonHTTPServer.Context> {
        let router = Router<DaemonHTTPServer.Context>()
        add(to: router, registry: registry, health: health)
        return router
    }

    /// Adds the three routes to `router`.
    package static func add(
        to router: Router<DaemonHTTPServer.Context>,
        registry: PrometheusCollectorRegistry,
        health: DaemonHealth
    ) {
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
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
