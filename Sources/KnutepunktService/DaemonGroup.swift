import Logging
import ServiceLifecycle
import UnixSignals

/// Runs a daemon's services in one `ServiceGroup`: if one ends or fails, the others are shut down gracefully too;
/// auxiliaries (the dashboard's feed) may end or fail without ending the daemon (they log why). Telemetry (the trace
/// exporter) is an auxiliary that is stopped last: a service group stops its services in reverse order, so the spans
/// the daemon ends while it stops are still sent.
package enum DaemonGroup {
    /// Runs until SIGTERM or SIGINT (or a service ends), calling `whenReady` once alongside: how the executable runs a
    /// daemon.
    package static func runUntilStopped(
        _ services: [any Service],
        auxiliaries: [any Service] = [],
        telemetry: [any Service] = [],
        logger: Logger,
        whenReady: @escaping @Sendable () async throws -> Void
    ) async throws {
        let group = makeGroup(
            services,
            auxiliaries,
            telemetry: telemetry,
            signals: [.sigterm, .sigint],
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await whenReady()
            } catch {
                // Start-up failed (the service reports why); the group ends on its own.
            }
        }
    }

    /// Runs while `body` runs, then shuts the group down gracefully and waits for it: how tests and benchmarks run a
    /// daemon inside their process, with the same services and threads as the real one.
    package static func withRunning<Value: Sendable>(
        _ services: [any Service],
        auxiliaries: [any Service] = [],
        logger: Logger,
        _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        let group = makeGroup(services, auxiliaries, telemetry: [], signals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Value?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let result: Result<Value, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            while let next = try await tasks.next() { _ = next }
            return try result.get()
        }
    }

    private static func makeGroup(
        _ services: [any Service],
        _ auxiliaries: [any Service],
        telemetry: [any Service],
        signals: [UnixSignal],
        logger: Logger
    ) -> ServiceGroup {
        let ignored = { (service: any Service) in
            ServiceGroupConfiguration.ServiceConfiguration(
                service: service,
                successTerminationBehavior: .ignore,
                failureTerminationBehavior: .ignore
            )
        }
        return ServiceGroup(
            configuration: .init(
                services: telemetry.map(ignored)
                    + services.map {
                        .init(
                            service: $0,
                            successTerminationBehavior: .gracefullyShutdownGroup,
                            failureTerminationBehavior: .gracefullyShutdownGroup
                        )
                    }
                    + auxiliaries.map(ignored),
                gracefulShutdownSignals: signals,
                logger: logger
            )
        )
    }
}
