import Hummingbird
import HummingbirdTesting
import KnutepunktHTTP
import KnutepunktService
import Prometheus
import Testing

/// The health routes' answers for each state of a daemon, through Hummingbird's router (no socket needed here; the
/// live server is tested in OperationsEndpointTests).
@Suite struct OperationsRoutesTests {
    static func status(_ path: String, _ health: DaemonHealth) async throws -> (HTTPResponse.Status, String) {
        let application = Application(
            router: OperationsRoutes.router(registry: PrometheusCollectorRegistry(), health: health)
        )
        return try await application.test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                (response.status, String(buffer: response.body))
            }
        }
    }

    @Test func readinessAndLivenessFollowTheDaemon() async throws {
        let health = DaemonHealth(stallAfter: .seconds(30))
        #expect(try await Self.status("/healthz", health).0 == .ok)
        let starting = try await Self.status("/readyz", health)
        #expect(starting.0 == .serviceUnavailable)
        #expect(starting.1.contains(#""status":"unavailable""#))
        health.beat(now: ContinuousClock().now)
        health.setReady(true)
        #expect(try await Self.status("/readyz", health).0 == .ok)
        health.beat(now: ContinuousClock().now - .seconds(60))
        let stalled = try await Self.status("/healthz", health)
        #expect(stalled.0 == .serviceUnavailable)
        #expect(stalled.1.contains(#""state":"stalled""#))
        health.stopped()
        #expect(try await Self.status("/healthz", health).0 == .serviceUnavailable)
        #expect(try await Self.status("/readyz", health).0 == .serviceUnavailable)
    }

    @Test func metricsAreServedInPrometheusTextFormat() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "knutepunkt_test_total").increment(by: Int64(3))
        let application = Application(router: OperationsRoutes.router(registry: registry, health: DaemonHealth()))
        try await application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body).contains("knutepunkt_test_total 3"))
            }
        }
    }
}
