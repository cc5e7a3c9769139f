import Hummingbird
import Logging
import UnixSignals

/// A stand-alone HTTP server for the dashboard: its routes, `/healthz`, and the feed as a service of the same
/// application. A server that already exists (e.g. the hub's) mounts ``DashboardRoutes`` and runs the feed instead.
package enum DashboardServer {
    /// The application; `onRunning` hears the port actually bound (useful with port 0).
    package static func makeApplication(
        feed: DashboardFeed,
        host: String,
        port: Int,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: DashboardRoutes.prefix]) }
        DashboardRoutes(feed: feed).add(to: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "knutepunkt-dashboard"),
            services: [feed],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// Runs the stand-alone server until SIGTERM or SIGINT, then stops it and the feed gracefully. SIGHUP
    /// (`systemctl reload`) is trapped and logged, never fatal: the dashboard reads its files only at start.
    package static func run(
        feed: DashboardFeed,
        host: String,
        port: Int,
        logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let app = makeApplication(feed: feed, host: host, port: port, logger: logger, onRunning: onRunning)
        // Trapped before the server starts: an untrapped SIGHUP would end the process (exit status 129).
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask {
                for await _ in hangups {
                    logger.notice("SIGHUP: the dashboard reads its files only at start; restart it to apply changes")
                }
            }
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
            tasks.cancelAll()
        }
    }
}
