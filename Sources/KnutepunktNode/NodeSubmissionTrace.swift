import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import Logging
import Tracing

/// The node's part of one activity's trace (docs/tracing.md): a span `node.accept` per SUBMIT request, child of the
/// coordinator's submission, and within it `node.outbox`, the fsync'd append. Its propagation fields go into every
/// event the request stores (`trace`), so the hub's spans continue the same trace. With the no-op tracer (the default)
/// the fields are empty and nothing is recorded.
struct NodeSubmissionTrace {
    let span: any Span
    /// The span's propagation fields, written into each event the request stores.
    let fields: [String: String]

    init(submission: SubmitRequest, setup: NodeReactor.Setup) {
        let parent = TraceFields.context(from: submission.trace, tracer: setup.tracer)
        span = setup.tracer.startSpan("node.accept", context: parent, ofKind: .server)
        span.updateAttributes { attributes in
            attributes["knutepunkt.node.id"] = setup.configuration.id
            attributes["knutepunkt.events.submitted"] = submission.events.count
        }
        fields = TraceFields.fields(of: span.context, tracer: setup.tracer)
    }

    /// The span of the outbox append, which every request of one turn shares (one transaction).
    func appending(_ tracer: any Tracer) -> any Span {
        tracer.startSpan("node.outbox", context: span.context, ofKind: .internal)
    }

    /// The outbox could not be written: nothing of the request was stored.
    func failed(_ error: any Error) {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: "the outbox could not be written"))
        span.end()
    }

    /// The request was answered: the span ends, and the log names the trace.
    func accepted(_ answers: [SubmitResult], logger: Logger) {
        let stored = answers.filter { $0.sequence != nil && !$0.existing }.count
        let invalid = answers.filter { $0.status == .invalid }.count
        span.updateAttributes { attributes in
            attributes["knutepunkt.events.stored"] = stored
            attributes["knutepunkt.events.invalid"] = invalid
        }
        span.end()
        guard let trace = TraceFields.logValue(fields) else { return }
        logger.info(
            "submission accepted",
            metadata: ["trace.id": "\(trace)", "events.stored": "\(stored)", "events.invalid": "\(invalid)"]
        )
    }
}
