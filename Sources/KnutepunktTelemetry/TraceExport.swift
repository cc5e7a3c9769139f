import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Trace export over OTLP/HTTP (swift-otel), for the executable: off unless an endpoint is configured
/// (docs/tracing.md). With one, ``make(serviceName:endpoint:environment:logger:scheduleDelay:)`` gives the tracer the
/// daemons (and `knutepunkt publish`) start their spans on, and the service that batches and sends them, to run in the
/// process's service group. Logs and metrics stay where they are (standard error, `/metrics`).
package enum TraceExport {
    /// OpenTelemetry's variables that turn export on without a configured endpoint: the endpoint for every signal, or
    /// for traces alone. Either one, when set, also wins over the configured endpoint (file < environment).
    package static let endpointVariables = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]

    /// What a configured export is made of: the tracer the daemon's spans start on, and the service that sends them.
    package struct Backend: Sendable {
        package var tracer: any Tracer
        package var exporter: any Service
    }

    /// The URL spans are posted to for a configured collector: `endpoint` is the collector's base URL, as in
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (`http://collector:4318` gives `http://collector:4318/v1/traces`); a URL that
    /// already ends in `/v1/traces` is taken as it is.
    package static func tracesURL(_ endpoint: String) -> String {
        if endpoint.hasSuffix("/v1/traces") { return endpoint }
        return endpoint.hasSuffix("/") ? "\(endpoint)v1/traces" : "\(endpoint)/v1/traces"
    }

    /// The tracer and its exporter when an endpoint is configured (`endpoint`, the daemon's `otlpEndpoint`) or one of
    /// ``endpointVariables`` is set in `environment`; nil otherwise, and then nothing is recorded or sent. The other
    /// `OTEL_*` variables swift-otel reads (protocol, headers, sampler, batching) apply as well.
    package static func make(
        serviceName: String,
        endpoint: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        scheduleDelay: Duration? = nil,
        exportTimeout: Duration? = nil
    ) throws -> Backend? {
        let fromEnvironment = endpointVariables.contains { environment[$0]?.isEmpty == false }
        guard endpoint != nil || fromEnvironment else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        // swift-otel's own complaints (a collector away, a refused batch) go to the daemon's log, not to stdout, through
        // a handler whose level swift-otel may set without changing the daemon's.
        configuration.diagnosticLogger = .custom(DiagnosticLogHandler.logger(forwardingTo: logger))
        // Its warnings (a batch not sent) are worth a line; how it read the environment is not (OTEL_LOG_LEVEL).
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        if let endpoint { configuration.traces.otlpExporter.endpoint = tracesURL(endpoint) }
        if let scheduleDelay { configuration.traces.batchSpanProcessor.scheduleDelay = scheduleDelay }
        if let exportTimeout { configuration.traces.otlpExporter.timeout = exportTimeout }
        let (tracer, exporter) = try OTel.makeTracingBackend(configuration: configuration)
        return Backend(tracer: tracer, exporter: exporter)
    }

    /// How long a short-lived command waits for the collector at its end (OTEL_EXPORTER_OTLP_TIMEOUT overrides it): a
    /// collector that is away delays the command by this much, not by swift-otel's 10 s.
    package static let commandExportTimeout: Duration = .seconds(2)

    /// Runs `body` with the tracer of a configured export (or the no-op tracer), then stops the exporter gracefully, so
    /// that what `body` recorded is sent before a short-lived command exits.
    package static func withTracer<T: Sendable>(
        serviceName: String,
        endpoint: String?,
        logger: Logger,
        _ body: @Sendable (any Tracer) async throws -> T
    ) async throws -> T {
        guard
            let backend = try make(
                serviceName: serviceName,
                endpoint: endpoint,
                logger: logger,
                exportTimeout: commandExportTimeout
            )
        else {
            return try await body(NoOpTracer())
        }
        let group = ServiceGroup(services: [backend.exporter], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(backend.tracer))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
