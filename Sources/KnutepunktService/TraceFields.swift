import Tracing

/// Trace context as text fields (W3C Trace Context: `traceparent`, `tracestate`), the carrier in which a trace crosses
/// processes here: a SUBMIT request's `trace`, and an event's `trace` member from the node's outbox over the wire to
/// the hub (docs/tracing.md). Whatever tracer is bootstrapped decides the fields; with none (the default) they are
/// empty and nothing is carried.
package struct TraceFields: Injector, Extractor {
    package init() {}

    package func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }

    package func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }

    /// The fields that carry `context` (empty when the tracer records nothing).
    package static func fields(of context: InstrumentationContext, tracer: any Tracer) -> [String: String] {
        var fields: [String: String] = [:]
        tracer.inject(context, into: &fields, using: TraceFields())
        return fields
    }

    /// The context the fields carry, as the parent of the spans started from it.
    package static func context(from fields: [String: String], tracer: any Tracer) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        if !fields.isEmpty { tracer.extract(fields, into: &context, using: TraceFields()) }
        return context
    }

    /// How the fields read in a log line (`trace` metadata): the trace id for W3C's `traceparent`
    /// (`00-TRACEID-SPANID-FLAGS`), otherwise the fields as they are.
    package static func logValue(_ fields: [String: String]) -> String? {
        if let parent = fields["traceparent"] {
            let parts = parent.split(separator: "-")
            if parts.count == 4 { return String(parts[1]) }
        }
        guard !fields.isEmpty else { return nil }
        return fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")
    }
}
