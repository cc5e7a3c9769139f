import Foundation
import Hummingbird
import HummingbirdTesting
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTelemetry
import KnutepunktTesting
import Logging
import Synchronization
import Testing

/// Trace export over OTLP/HTTP (docs/tracing.md): off without an endpoint; with `otlpEndpoint` in the daemons' files,
/// the real executables (`knutepunkt hub`, `node` and `publish`) send one activity's spans to a collector, in one
/// trace. The collector is a Hummingbird server on loopback that keeps the request bodies (OTLP protobuf, in which span
/// names appear as they are and trace ids as their 16 bytes).
@Suite(.serialized)
struct TraceExportTests {
    static let logger = Logger(label: "test.trace-export")

    @Test func withoutAnEndpointNothingIsMade() throws {
        #expect(try TraceExport.make(serviceName: "test", endpoint: nil, environment: [:], logger: Self.logger) == nil)
        let empty = ["OTEL_EXPORTER_OTLP_ENDPOINT": ""]
        #expect(
            try TraceExport.make(serviceName: "test", endpoint: nil, environment: empty, logger: Self.logger) == nil
        )
        let set = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"]
        #expect(try TraceExport.make(serviceName: "test", endpoint: nil, environment: set, logger: Self.logger) != nil)
    }

    @Test func theConfiguredEndpointIsTheCollectorsBase() {
        #expect(TraceExport.tracesURL("http://collector:4318") == "http://collector:4318/v1/traces")
        #expect(TraceExport.tracesURL("http://collector:4318/") == "http://collector:4318/v1/traces")
        #expect(TraceExport.tracesURL("https://c.example/otlp/v1/traces") == "https://c.example/otlp/v1/traces")
    }

    @Test(.timeLimit(.minutes(6)))
    func oneActivitysSpansReachTheCollectorInOneTrace() async throws {
        let collector = OTLPCollector()
        let application = Application(
            router: collector.router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        let names = ["knutepunkt.publish", "node.accept", "node.outbox", "hub.store", "gaps.evaluate"]
        let (traceID, bodies) = try await application.test(.live) { client in
            let endpoint = "http://127.0.0.1:\(try #require(client.port))"
            let net = try LoopbackNetwork(nodes: [("NO-VEST", "NO-VEST", "NO-VEST-BERGEN")])
            defer { net.folder.remove() }
            // At debug, which the exporter must leave as it is (the process shares one level).
            try net.writeHubConfig(extra: "  otlpEndpoint: \(endpoint)\n  logLevel: debug")
            let hub = try DaemonProcess(
                name: "hub",
                executable: Repository.executable,
                arguments: ["hub", "--config", net.hubConfigPath],
                logFile: net.folder.file("hub.log")
            )
            let listen = try #require(try await hub.ready()["listen"])
            // A control socket the coordinator's command finds from the file (no port to pick).
            try net.writeNodeConfig(
                "NO-VEST",
                hubs: [listen],
                control: "ipc://\(net.folder.file("control.sock"))",
                extra: "  otlpEndpoint: \(endpoint)"
            )
            let node = try DaemonProcess(
                name: "node",
                executable: Repository.executable,
                arguments: ["node", "--config", net.nodeConfigPath("NO-VEST")],
                logFile: net.folder.file("node.log")
            )
            let control = try #require(try await node.ready()["control"])
            // The coordinator's command, with the node's file: it reads the endpoint there and sends its span
            // before it exits.
            let event = EventFixtures.event(source: "OTLP", index: 1, region: "NO-VEST", node: "NO-VEST-BERGEN")
            try event.write(toFile: net.folder.file("event.json"), atomically: true, encoding: .utf8)
            let publish = try await CommandRun.knutepunkt([
                "publish", "--config", net.nodeConfigPath("NO-VEST"), net.folder.file("event.json"),
            ])
            try #require(publish.status == 0, "\(publish.output)\(publish.errors)")
            _ = try await NodeToHubTests.drained(control)
            // The daemons export in batches (every 5 s by default): the collector is waited on until every span of
            // the activity, the gap evaluation's included, has arrived; a graceful stop would send the rest.
            await collector.waitUntilReceived(names)
            #expect(await node.stop() == 0)
            #expect(await hub.stop() == 0)
            let hubLog = try String(contentsOfFile: net.folder.file("hub.log"), encoding: .utf8)
            #expect(hubLog.contains("traces are exported over OTLP/HTTP"))
            #expect(hubLog.contains("traced event received"), "the hub logs at its own level, debug")
            // The trace id the hub stored with the event, from the coordinator's `traceparent`.
            let store = try SQLiteHubStore.open(path: net.hubStorePath)
            defer { try? store.close() }
            var payloads: [String] = []
            try store.forEachPayload { payloads.append(String(decoding: $0, as: UTF8.self)) }
            let payload = try #require(payloads.first)
            let traceparent = try #require(payload.firstRange(of: #""traceparent":"00-"#)?.upperBound)
            return (String(payload[traceparent...].prefix(32)), collector.bodies)
        }
        let bytes = Array(bodies.joined())
        for name in names {
            #expect(OTLPCollector.find(Array(name.utf8), in: bytes), "\(name) was exported")
        }
        #expect(traceID.count == 32)
        let id = stride(from: 0, to: 32, by: 2).map { offset in
            UInt8(traceID.dropFirst(offset).prefix(2), radix: 16) ?? 0
        }
        #expect(OTLPCollector.find(id, in: bytes), "the coordinator's trace id is in what was exported")
    }
}

/// A minimal OTLP/HTTP receiver: `POST /v1/traces` answers 200 and keeps the body; a waiter is resumed once every name
/// it waits for has arrived.
final class OTLPCollector: Sendable {
    private struct State {
        var bodies: [[UInt8]] = []
        var waiting: (names: [String], continuation: CheckedContinuation<Void, Never>)?
    }
    private let state = Mutex(State())

    var bodies: [[UInt8]] { state.withLock { $0.bodies } }

    var router: Router<BasicRequestContext> {
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            self.received(Array(buffer: body))
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        return router
    }

    private func received(_ body: [UInt8]) {
        let resume = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.bodies.append(body)
            guard let waiting = state.waiting, Self.containsAll(waiting.names, state.bodies) else { return nil }
            state.waiting = nil
            return waiting.continuation
        }
        resume?.resume()
    }

    /// Returns once the bodies received hold every one of `names`.
    func waitUntilReceived(_ names: [String]) async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if Self.containsAll(names, state.bodies) { return true }
                state.waiting = (names, continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private static func containsAll(_ names: [String], _ bodies: [[UInt8]]) -> Bool {
        let bytes = Array(bodies.joined())
        return names.allSatisfy { find(Array($0.utf8), in: bytes) }
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Bool {
        guard !needle.isEmpty, bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
