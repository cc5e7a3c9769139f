import Foundation
import InMemoryTracing
import KnutepunktClient
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import Testing
import Tracing

/// One activity followed across the daemons (docs/tracing.md): the coordinator's submission, the node's acceptance
/// and outbox append, the wire (the trace travels in the event), the hub's store span until the group commit is
/// durable, and the gap evaluation that first sees it, all in one trace. A recording tracer stands in for an
/// exporter; the trace crosses the daemons only as the propagation fields the tracer writes.
@Suite(.serialized)
struct TracingTests {
    @Test(.timeLimit(.minutes(6)))
    func oneActivityIsFollowedFromTheSubmissionToTheGapEvaluation() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tracer = InMemoryTracer()
        let event = EventFixtures.event(source: "TRC", index: 1, region: "NO-VEST", node: "NO-VEST-FONNA")
        let (root, results) = try await InProcessDaemons.withHub(
            InProcessDaemons.hubConfiguration(folder: folder),
            tracer: tracer
        ) { hub in
            try await InProcessDaemons.withNode(
                NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen),
                tracer: tracer
            ) { node in
                // What `knutepunkt publish` does: a root span, its fields in the SUBMIT request.
                let root = tracer.startSpan("knutepunkt.publish", context: .topLevel, ofKind: .client)
                let fields = TraceFields.fields(of: root.context, tracer: tracer)
                let results = try await ControlClient.withConnection(to: node.control, timeout: .seconds(60)) {
                    try $0.submit([Array(event.utf8)], trace: fields)
                }
                root.end()
                _ = try await NodeToHubTests.drained(node.control)
                // The gap evaluation runs shortly after the commit (debounced): ask the hub until it has.
                for _ in 0..<5_000
                where !tracer.finishedSpans.contains(where: { $0.operationName == "gaps.evaluate" && !$0.links.isEmpty }
                ) {
                    _ = try await ControlClient.withConnection(to: hub.control, timeout: .seconds(60)) {
                        try $0.status()
                    }
                }
                return (root.context.inMemorySpanContext, results)
            }
        }
        #expect(results.first?.status == .queued)
        let spans = tracer.finishedSpans
        let trace = try #require(root?.traceID)
        func span(_ name: String) throws -> FinishedInMemorySpan {
            try #require(
                spans.first { $0.operationName == name && $0.traceID == trace },
                "no \(name) in \(spans.map(\.operationName))"
            )
        }
        let accept = try span("node.accept")
        let outbox = try span("node.outbox")
        let store = try span("hub.store")
        #expect(accept.parentSpanID == root?.spanID, "the node continues the coordinator's trace")
        #expect(outbox.parentSpanID == accept.spanID)
        #expect(store.parentSpanID == accept.spanID, "the trace crossed the wire in the event")
        #expect(store.attributes.get("knutepunkt.node.id") == .string("NO-VEST"))
        #expect(store.attributes.get("knutepunkt.sequence") == .int64(1))
        #expect(accept.attributes.get("knutepunkt.events.stored") == .int64(1))
        let evaluation = try #require(spans.first { $0.operationName == "gaps.evaluate" && !$0.links.isEmpty })
        #expect(evaluation.links.contains { $0.context.inMemorySpanContext == store.spanContext })

        // The stored event carries the trace it belongs to, as the tracer wrote it.
        let stored = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? stored.close() }
        var payloads: [String] = []
        try stored.forEachPayload { payloads.append(String(decoding: $0, as: UTF8.self)) }
        #expect(payloads.count == 1 && payloads[0].contains(#""trace":{"in-memory-span-id":"#), "\(payloads)")
    }

    @Test func withoutATracerNothingIsCarried() {
        #expect(TraceFields.fields(of: .topLevel, tracer: NoOpTracer()).isEmpty)
        #expect(TraceFields.logValue([:]) == nil)
        #expect(
            TraceFields.logValue(["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
                == "4bf92f3577b34da6a3ce929d0e0e4736"
        )
    }
}
