import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import Tracing

/// The hub's part of one activity's trace (docs/tracing.md): a span `hub.store` for each traced event, child of the
/// node's span its `trace` member names, from the moment it is validated into the open batch until the group commit
/// that holds it is durable (or failed); the gap evaluation that first sees the stored events links to them. Events
/// without `trace` (tracing off at the node, the default) cost nothing here.
extension HubReactor {
    /// Starts the span of a validated event that carries a trace.
    func traceStore(_ event: ActivityEvent, _ ingest: HubSessionStateMachine.Ingest, into batch: inout Batch) {
        guard !event.trace.isEmpty else { return }
        let tracer = setup.tracer
        let span = tracer.startSpan(
            "hub.store",
            context: TraceFields.context(from: event.trace, tracer: tracer),
            ofKind: .consumer
        )
        span.updateAttributes { attributes in
            attributes["knutepunkt.node.id"] = ingest.nodeID
            attributes["knutepunkt.sequence"] = Int(clamping: ingest.sequence)
            attributes["knutepunkt.event.id"] = event.id.lowercasedText
            attributes["knutepunkt.event.test"] = event.isTest
        }
        batch.spans.append(span)
        logger.debug(
            "traced event received",
            metadata: [
                "trace.id": "\(TraceFields.logValue(event.trace) ?? "")", "event.id": "\(event.id.lowercasedText)",
                "node.id": "\(ingest.nodeID)", "sequence": "\(ingest.sequence)",
            ]
        )
    }

    /// Ends the spans of a batch whose commit settled: durable (the gap monitor's next evaluation links to them), or
    /// failed (the nodes send the events again, under new spans).
    func endTraces(of batch: Batch, failed error: (any Error)?) {
        guard !batch.spans.isEmpty else { return }
        for span in batch.spans {
            span.updateAttributes { $0["knutepunkt.batch.events"] = batch.records.events.count }
            if let error {
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: "the group commit failed"))
            }
            span.end()
        }
        if error == nil { gaps.traced(batch.spans.map(\.context)) }
    }
}
