import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktReports
import KnutepunktSampleNetwork
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import Logging
import ServiceLifecycle

/// Test support for the dashboard: a hub store filled with the sample year, and a dashboard served on a loopback
/// port for the length of a test.
enum DashboardFixtures {
    static let regions = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"]

    /// Stores the sample year ending `today` as the hub stores it (sources `SAMPLE-<REGION>`, so real node daemons
    /// named after their regions start their own sequences).
    static func storeSample(at path: String, today: LocalDate) throws {
        let sample = SampleActivities(taxonomy: InProcessDaemons.taxonomy, start: today.adding(days: -364), seed: 2026)
        let store = try SQLiteHubStore.open(path: path)
        defer { try? store.close() }
        // With the monthly returns the sample's coordinators made: without them every region would be "no report".
        try SampleHubStore.store(sample, asOf: today, in: store, sourcePrefix: "SAMPLE-")
    }

    /// A dashboard of the hub at `endpoints` with one viewer and one analyst.
    static func configuration(
        storePath: String,
        publish: String,
        control: String,
        acknowledgements: String,
        viewer: String,
        analyst: String
    ) -> DashboardConfiguration {
        var configuration = DashboardConfiguration(
            openStore: { try SQLiteHubStore.open(path: storePath) },
            publishEndpoint: publish,
            controlEndpoint: control,
            curve: nil,
            taxonomy: InProcessDaemons.taxonomy,
            thresholds: .standard,
            access: DashboardAccess(entries: [
                .init(user: DashboardUser(name: "screen", role: .viewer), digest: DashboardAccess.digest(of: viewer)),
                .init(user: DashboardUser(name: "kari", role: .analyst), digest: DashboardAccess.digest(of: analyst)),
            ]),
            acknowledgementsPath: acknowledgements
        )
        configuration.refreshDelay = .milliseconds(100)
        return configuration
    }

    /// Serves the dashboard on a loopback port until `body` returns, then stops it gracefully.
    static func withDashboard<T: Sendable>(
        _ configuration: DashboardConfiguration,
        _ body: @Sendable (DashboardFeed, Int) async throws -> T
    ) async throws -> T {
        let logger = InProcessDaemons.logger
        let feed = DashboardFeed(configuration: configuration, logger: logger)
        let port = ReadySignal<Int>()
        let app = DashboardServer.makeApplication(feed: feed, host: "127.0.0.1", port: 0, logger: logger) {
            port.fulfil($0)
        }
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [], logger: logger)
        )
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(feed, try await port.value()))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            while let next = try await tasks.next() { _ = next }
            return try result.get()
        }
    }

    /// Waits until `condition` holds, checking it again at each change the feed announces (never on a timer);
    /// `seconds` only bounds a failure.
    static func waitUntil(
        _ what: String,
        on state: DashboardState,
        seconds: Int = 30,
        _ condition: @escaping @Sendable () async throws -> Bool
    ) async throws {
        // Subscribed before the first check, so a change between the check and the wait is not missed.
        let notices = state.subscribe()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                if try await condition() { return true }
                for await _ in notices where try await condition() { return true }
                return try await condition()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return false
            }
            let met = try await group.next() ?? false
            group.cancelAll()
            guard met else { throw Timeout(what: what, seconds: seconds) }
        }
    }

    struct Timeout: Error, CustomStringConvertible {
        var what: String
        var seconds: Int
        var description: String { "\(what): not within \(seconds) s" }
    }

    /// The hub's open gaps now (its GAPS answer).
    static func hubGaps(_ control: String) async throws -> GapSnapshot {
        try await ControlClient.withConnection(to: control, timeout: .seconds(60)) { try $0.gapSnapshot() }
    }

    /// What the heatmap must show for each region and target group, as the page writes it in `data-events`
    /// (`<5` withheld, empty for no data), from the gap report of the store.
    static func expectedHeatmap(storePath: String, today: LocalDate) throws -> [String: (events: String, rate: Double?)]
    {
        let report = try GapReport.evaluate(
            location: .sqlite(path: storePath),
            taxonomy: InProcessDaemons.taxonomy,
            thresholds: .standard,
            asOf: today
        )
        var cells: [String: (events: String, rate: Double?)] = [:]
        for country in report.countries {
            let table = CoverageTable(facts: country.facts, taxonomy: country.taxonomy, thresholds: .standard)
            for cell in table.cells {
                let noData = cell.band == .noData
                let events = noData ? "" : cell.events.map(String.init) ?? (cell.suppressed ? "<5" : "")
                cells["\(cell.region)|\(cell.targetGroup)"] = (events, noData ? nil : cell.rate)
            }
        }
        return cells
    }
}
