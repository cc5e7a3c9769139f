import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktHTTP
import KnutepunktHub
import KnutepunktNode
import KnutepunktService
import KnutepunktTesting
import Testing

/// What an operator's Prometheus sees from a hub and a node assembled as production assembles them: every family
/// with HELP and TYPE, every counter there from the start at 0, the process's own figures and the store's size.
@Suite(.serialized)
struct MetricsCatalogueTests {
    @Test(.timeLimit(.minutes(6)))
    func everyFamilyHasHelpAndTypeAndEveryCounterStartsAtZero() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var configuration = InProcessDaemons.hubConfiguration(folder: folder)
        configuration.http = HTTPListenAddress(host: "127.0.0.1", port: 0)
        let logger = InProcessDaemons.logger
        let hub = HubDaemon(
            configuration: configuration,
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            operations: DaemonOperations(http: configuration.http, logger: logger),
            logger: logger
        )
        try await DaemonGroup.withRunning(hub.services, logger: logger) {
            let endpoints = try await hub.endpoints()
            let control = try #require(endpoints["control"])
            // Two answered requests: the reactor has finished a whole turn of its loop, its first observation of the
            // gauges (the store's size among them) included.
            for _ in 0..<2 {
                _ = try await ControlClient.withConnection(to: control, timeout: .seconds(60)) { try $0.status() }
            }
            let http = try #require(endpoints["http"])
            let port = try #require(http.split(separator: ":").last.flatMap { Int($0) })
            let text = try await OperationsHTTP.metrics(port: port)
            Self.expectHelpAndType(text.text)
            #expect(text.value("knutepunkt_hub_events_accepted_total") == 0)
            #expect(text.value("knutepunkt_hub_test_events_total") == 0)
            #expect(text.value("knutepunkt_hub_published_total", ["kind": "test"]) == 0)
            for reason in ["INVALID_EVENT", "PERSONAL_DATA", "FOREIGN_REGION", "PAYLOAD_TOO_LARGE"] {
                #expect(text.value("knutepunkt_hub_events_rejected_total", ["reason": reason]) == 0, "\(reason)")
            }
            for refusal in ["key_revoked", "wrong_node", "rate_limited", "connection_refused"] {
                #expect(text.value("knutepunkt_hub_refused_total", ["reason": refusal]) == 0, "\(refusal)")
            }
            #expect((text.value("knutepunkt_hub_store_bytes") ?? 0) > 0, "the SQLite store exists and has a size")
            #expect((text.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((text.value("process_open_fds") ?? 0) > 3)
            #expect((text.value("process_cpu_seconds_total") ?? 0) > 0)
            #expect((text.value("process_start_time_seconds") ?? 0) > 1_700_000_000)
        }
    }

    @Test(.timeLimit(.minutes(6)))
    func aNodesCountersAreThereFromTheStart() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        var configuration = NodeToHubTests.nodeConfiguration(folder: folder, hub: "tcp://127.0.0.1:9")
        configuration.http = HTTPListenAddress(host: "127.0.0.1", port: 0)
        let logger = InProcessDaemons.logger
        let node = NodeDaemon(
            configuration: configuration,
            taxonomy: InProcessDaemons.taxonomy,
            insecure: true,
            operations: DaemonOperations(http: configuration.http, logger: logger),
            logger: logger
        )
        try await DaemonGroup.withRunning(node.services, logger: logger) {
            let endpoints = try await node.endpoints()
            let control = try #require(endpoints["control"])
            for _ in 0..<2 {
                _ = try await ControlClient.withConnection(to: control, timeout: .seconds(60)) { try $0.status() }
            }
            let http = try #require(endpoints["http"])
            let port = try #require(http.split(separator: ":").last.flatMap { Int($0) })
            let text = try await OperationsHTTP.metrics(port: port)
            Self.expectHelpAndType(text.text)
            #expect(text.value("knutepunkt_node_events_accepted_total") == 0)
            #expect(
                text.value("knutepunkt_node_events_rejected_total", ["stage": "submit", "reason": "PERSONAL_DATA"]) == 0
            )
            #expect(
                text.value("knutepunkt_node_events_rejected_total", ["stage": "hub", "reason": "INVALID_EVENT"]) == 0
            )
            #expect((text.value("knutepunkt_node_outbox_bytes") ?? 0) > 0)
            #expect((text.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        }
    }

    /// Every `# TYPE` line has the family's `# HELP` line right before it, with words, not just the name.
    static func expectHelpAndType(_ text: String) {
        let lines = text.split(separator: "\n")
        var families = 0
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            families += 1
            let name = line.dropFirst("# TYPE ".count).prefix { $0 != " " }
            let previous = index > 0 ? lines[index - 1] : ""
            #expect(previous.hasPrefix("# HELP \(name) "), "\(name) has no HELP line")
            let help = previous.dropFirst("# HELP \(name) ".count)
            #expect(help != name.replacingOccurrences(of: "_", with: " "), "\(name) has no help text of its own")
        }
        #expect(families >= 8)
    }
}
