import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktHub
import KnutepunktNode
import KnutepunktProtocol
import KnutepunktService
import KnutepunktTesting
import KnutepunktZMQ
import Prometheus
import Testing

/// The operations endpoints of a real hub and a real node in this process, talking over loopback: each with its own
/// Prometheus registry (never the global one) and its HTTP server on a free port, scraped over a real socket.
@Suite(.serialized)
struct OperationsEndpointTests {
    @Test(.timeLimit(.minutes(6)))
    func metricsCountWhatCrossedTheNetworkAndHealthAnswers() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hubRegistry = PrometheusCollectorRegistry()
        let hubMetrics = HubMetrics(factory: PrometheusMetricsFactory(registry: hubRegistry), observeInterval: .zero)
        let hub = HubService(
            configuration: InProcessDaemons.hubConfiguration(folder: folder),
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            metrics: hubMetrics,
            logger: InProcessDaemons.logger
        )
        let hubHTTP = DaemonHTTPServer(
            host: "127.0.0.1",
            port: 0,
            router: OperationsRoutes.router(registry: hubRegistry, health: hubMetrics.health),
            logger: InProcessDaemons.logger
        )
        let nodeRegistry = PrometheusCollectorRegistry()
        let nodeMetrics = NodeMetrics(factory: PrometheusMetricsFactory(registry: nodeRegistry), observeInterval: .zero)
        let nodeHTTP = DaemonHTTPServer(
            host: "127.0.0.1",
            port: 0,
            router: OperationsRoutes.router(registry: nodeRegistry, health: nodeMetrics.health),
            logger: InProcessDaemons.logger
        )
        let published = 25
        try await InProcessDaemons.withServices([hub, hubHTTP]) {
            let hubEndpoints = try await hub.endpoints()
            let hubPort = try await hubHTTP.port()
            #expect(hubPort > 0)
            let node = NodeService(
                configuration: NodeToHubTests.nodeConfiguration(folder: folder, hub: hubEndpoints.listen),
                taxonomy: InProcessDaemons.taxonomy,
                insecure: true,
                metrics: nodeMetrics,
                logger: InProcessDaemons.logger
            )
            try await InProcessDaemons.withServices([node, nodeHTTP]) {
                let control = try await node.endpoints().control
                let nodePort = try await nodeHTTP.port()
                let good = (0..<published).map {
                    EventFixtures.event(source: "OPS", index: $0, region: "NO-VEST", node: "NO-VEST-FONNA")
                }
                let bad = [
                    #"{"kind":"VISIT","date":"2025-02-30","target_groups":[],"participants":-1}"#,
                    EventFixtures.event(
                        source: "OPS",
                        index: 99,
                        region: "NO-VEST",
                        node: "NO-VEST-FONNA",
                        note: "mor 15108695088"
                    ),
                ]
                _ = try await NodeToHubTests.submit(good + bad, to: control)
                let drained = try await NodeToHubTests.drained(control)
                #expect(drained.outbox.backlog == 0)

                // Counters move before the answers that tell of them: exact once the node has drained.
                let hubText = try await OperationsHTTP.metrics(port: hubPort)
                #expect(hubText.value("knutepunkt_hub_events_accepted_total") == Double(published))
                #expect(
                    hubText.value(
                        "knutepunkt_build_info",
                        [
                            "daemon": "hub", "version": KnutepunktVersion.current,
                            "protocol": "KPN/\(ProtocolVersion.current)", "commit": BuildInfo.commit ?? "unknown",
                        ]
                    ) == 1
                )
                let nodeText = try await OperationsHTTP.metrics(port: nodePort)
                #expect(nodeText.value("knutepunkt_node_events_accepted_total") == Double(published))
                #expect(
                    nodeText.value(
                        "knutepunkt_node_events_rejected_total",
                        ["stage": "submit", "reason": "INVALID_EVENT"]
                    ) == 1
                )
                #expect(
                    nodeText.value(
                        "knutepunkt_node_events_rejected_total",
                        ["stage": "submit", "reason": "PERSONAL_DATA"]
                    ) == 1
                )
                let acknowledged = nodeText.value("knutepunkt_node_ack_latency_seconds_count") ?? 0
                #expect(acknowledged >= 1)
                #expect(
                    nodeText.value("knutepunkt_node_ack_latency_seconds_bucket", ["le": "+Inf"]) == acknowledged
                )

                // Gauges follow the loop's next turn: read until they show the drained outbox and the live session.
                var gauges: (depth: Double?, link: Double?, connected: Double?) = (nil, nil, nil)
                for _ in 0..<200 {
                    let node = try await OperationsHTTP.metrics(port: nodePort)
                    let hub = try await OperationsHTTP.metrics(port: hubPort)
                    gauges = (
                        node.value("knutepunkt_node_outbox_depth"), node.value("knutepunkt_node_hub_link_up"),
                        hub.value("knutepunkt_hub_connected_nodes")
                    )
                    if gauges == (0, 1, 1) { break }
                }
                #expect(gauges.depth == 0)
                #expect(gauges.link == 1)
                #expect(gauges.connected == 1)

                for port in [hubPort, nodePort] {
                    let live = try await OperationsHTTP.get(port: port, "/healthz")
                    #expect(live.status == 200)
                    #expect(live.body.contains(#""status":"ok""#))
                    let ready = try await OperationsHTTP.get(port: port, "/readyz")
                    #expect(ready.status == 200)
                    let missing = try await OperationsHTTP.get(port: port, "/nothing")
                    #expect(missing.status == 404)
                }
                let nodeReady = try await OperationsHTTP.get(port: nodePort, "/readyz")
                #expect(nodeReady.body.contains(#""hubLink":"ready""#))
            }
        }
        // The daemons have stopped: neither counts as alive or ready any more.
        #expect(!hubMetrics.health.liveness().healthy)
        #expect(!nodeMetrics.health.readiness().healthy)
    }

    @Test(.timeLimit(.minutes(5)))
    func aHubRefusingEventsCountsThemByReason() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let registry = PrometheusCollectorRegistry()
        let metrics = HubMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let hub = HubService(
            configuration: InProcessDaemons.hubConfiguration(folder: folder),
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            metrics: metrics,
            logger: InProcessDaemons.logger
        )
        let http = DaemonHTTPServer(
            host: "127.0.0.1",
            port: 0,
            router: OperationsRoutes.router(registry: registry, health: metrics.health),
            logger: InProcessDaemons.logger
        )
        try await InProcessDaemons.withServices([hub, http]) {
            let listen = try await hub.endpoints().listen
            let port = try await http.port()
            // A raw node sends three events: one good, one for another region, one that is not JSON.
            try await onSocketThread {
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: listen, context: context)
                defer { peer.close() }
                guard try peer.greet(as: "NO-VEST") != nil else { throw PeerFailure("no WELCOME") }
                try peer.send(
                    .events(
                        .init(
                            firstSequence: 1,
                            payloads: [
                                EventFixtures.eventBytes(
                                    source: "R",
                                    index: 1,
                                    region: "NO-VEST",
                                    node: "NO-VEST-FONNA"
                                ),
                                EventFixtures.eventBytes(
                                    source: "R",
                                    index: 2,
                                    region: "NO-NORD",
                                    node: "NO-NORD-BODO"
                                ),
                                Array("not json".utf8),
                            ]
                        )
                    )
                )
                let seen = try peer.receive(until: {
                    if case .ack(let through) = $0 { through == 3 } else { false }
                })
                guard seen.contains(where: { if case .ack = $0 { true } else { false } }) else {
                    throw PeerFailure("no ACK through 3: \(seen)")
                }
            }
            let text = try await OperationsHTTP.metrics(port: port)
            #expect(text.value("knutepunkt_hub_events_accepted_total") == 1)
            #expect(text.value("knutepunkt_hub_events_rejected_total", ["reason": "FOREIGN_REGION"]) == 1)
            #expect(text.value("knutepunkt_hub_events_rejected_total", ["reason": "MALFORMED_PAYLOAD"]) == 1)
            #expect(text.value("knutepunkt_hub_published_total", ["kind": "event"]) == 1)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aSecondServerOnTheSamePortFailsToStart() async throws {
        let registry = PrometheusCollectorRegistry()
        let health = DaemonHealth()
        let first = DaemonHTTPServer(
            host: "127.0.0.1",
            port: 0,
            router: OperationsRoutes.router(registry: registry, health: health),
            logger: InProcessDaemons.logger
        )
        try await InProcessDaemons.withServices([first]) {
            let port = try await first.port()
            let second = DaemonHTTPServer(
                host: "127.0.0.1",
                port: port,
                router: OperationsRoutes.router(registry: registry, health: health),
                logger: InProcessDaemons.logger
            )
            await #expect(throws: (any Error).self) { try await second.run() }
            await #expect(throws: (any Error).self) { try await second.port() }
        }
    }
}
