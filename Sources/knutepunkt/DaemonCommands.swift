import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktHub
import KnutepunktLogging
import KnutepunktNode
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktTelemetry
import KnutepunktWorkspace
import Logging
import Metrics
import ServiceLifecycle
import Tracing

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Run the national hub daemon, or maintain its store.",
        discussion: "`knutepunkt hub --config hub.yaml` runs the daemon (the same as `knutepunkt hub run …`).",
        subcommands: [
            HubRunCommand.self, HubRebuildAggregatesCommand.self, HubBackupCommand.self, HubRestoreCommand.self,
            HubMigrateCommand.self,
        ],
        defaultSubcommand: HubRunCommand.self
    )
}

struct HubRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the national hub daemon (stops cleanly on SIGTERM or Ctrl-C; SIGHUP reloads what it can).",
        discussion: """
            Configuration is layered: the file, then KNUTEPUNKT_HUB_* environment variables, then flags \
            (Configs/README.md lists every key and its variable).
            """
    )

    @OptionGroup var options: DaemonOptions

    @Flag(name: .long, help: "Print one JSON line with the bound endpoints on stdout when ready.")
    var announce = false

    @Flag(name: .long, help: "Plaintext, no CURVE and no authentication: anyone who reaches the ports may connect.")
    var insecure = false

    func run() async throws {
        guard case (.hub(let configuration), let taxonomy) = try options.load() else {
            throw ValidationError(
                "\(options.config) configures a node, not the hub; use `knutepunkt node --config \(options.config)`"
            )
        }
        let (logger, levels) = ProcessLogging.bootstrap(
            label: "knutepunkt.hub",
            level: configuration.logLevel,
            format: configuration.logFormat
        )
        let thresholds = try loadGapThresholds(nil, besideTaxonomy: configuration.taxonomyPath, taxonomy: taxonomy)
        let operations = DaemonOperations(http: configuration.http, logger: logger)
        MetricsSystem.bootstrap(operations.factory)
        let options = self.options
        // Traces go out over OTLP only when an endpoint is configured (hub.otlpEndpoint; docs/tracing.md).
        let traces = try TraceExport.make(
            serviceName: "knutepunkt-hub",
            endpoint: configuration.otlpEndpoint,
            logger: logger
        )
        if traces != nil { logger.info("traces are exported over OTLP/HTTP") }
        let daemon = HubDaemon(
            configuration: configuration,
            taxonomy: taxonomy,
            thresholds: thresholds,
            insecure: insecure,
            dashboardAccess: try configuration.dashboardAccess.map(loadDashboardAccess),
            operations: operations,
            reloadConfiguration: {
                guard case (.hub(let fresh), _) = try options.load() else {
                    throw ValidationError("\(options.config) no longer configures a hub")
                }
                levels.apply(fresh.logLevel, logger: logger)
                return fresh
            },
            reloadThresholds: {
                try loadGapThresholds(nil, besideTaxonomy: configuration.taxonomyPath, taxonomy: taxonomy)
            },
            tracer: traces?.tracer ?? InstrumentationSystem.tracer,
            logger: logger
        )
        let announce = announce
        try await DaemonGroup.runUntilStopped(
            daemon.services,
            auxiliaries: daemon.auxiliaries,
            telemetry: traces.map { [$0.exporter] } ?? [],
            logger: logger
        ) {
            let endpoints = try await daemon.endpoints()
            if announce { printAnnouncement(endpoints) }
        }
    }
}

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a regional node daemon (stops cleanly on SIGTERM or Ctrl-C; SIGHUP reloads the log level).",
        discussion: """
            Configuration is layered: the file, then KNUTEPUNKT_NODE_* environment variables, then flags \
            (Configs/README.md lists every key and its variable).
            """
    )

    @OptionGroup var options: DaemonOptions

    @Flag(name: .long, help: "Print one JSON line with the bound endpoints on stdout when ready.")
    var announce = false

    @Flag(name: .long, help: "Plaintext to the hub, no CURVE: only for a hub that runs --insecure too.")
    var insecure = false

    func run() async throws {
        guard case (.node(let configuration), let taxonomy) = try options.load() else {
            throw ValidationError(
                "\(options.config) configures the hub, not a node; use `knutepunkt hub --config \(options.config)`"
            )
        }
        let (logger, levels) = ProcessLogging.bootstrap(
            label: "knutepunkt.node",
            level: configuration.logLevel,
            format: configuration.logFormat
        )
        let operations = DaemonOperations(http: configuration.http, tls: configuration.httpTLS, logger: logger)
        MetricsSystem.bootstrap(operations.factory)
        let options = self.options
        // Traces go out over OTLP only when an endpoint is configured (node.otlpEndpoint; docs/tracing.md).
        let traces = try TraceExport.make(
            serviceName: "knutepunkt-node",
            endpoint: configuration.otlpEndpoint,
            logger: logger
        )
        if traces != nil { logger.info("traces are exported over OTLP/HTTP") }
        let daemon = NodeDaemon(
            configuration: configuration,
            taxonomy: taxonomy,
            insecure: insecure,
            workspaceAccess: try configuration.workspaceAccess.map { try loadAccess($0) },
            operations: operations,
            reloadConfiguration: {
                guard case (.node(let fresh), _) = try options.load() else {
                    throw ValidationError("\(options.config) no longer configures a node")
                }
                levels.apply(fresh.logLevel, logger: logger)
                return fresh
            },
            tracer: traces?.tracer ?? InstrumentationSystem.tracer,
            logger: logger
        )
        let announce = announce
        try await DaemonGroup.runUntilStopped(
            daemon.services,
            telemetry: traces.map { [$0.exporter] } ?? [],
            logger: logger
        ) {
            let endpoints = try await daemon.endpoints()
            if announce { printAnnouncement(endpoints) }
        }
    }
}

/// Loads a daemon configuration file alone (no environment or flags), turning errors into a readable exit.
func loadDaemonConfiguration(_ path: String) throws -> (DaemonConfiguration, Taxonomy) {
    do {
        return try DaemonConfiguration.load(path: path)
    } catch {
        throw DataError(.configuration, "configuration problems:\n\(error)")
    }
}

struct HubRebuildAggregatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-aggregates",
        abstract: "Rebuild the hub's activity counters from its stored events.",
        discussion: """
            The hub keeps its activity counters (the aggregate the gap rules read) in the same transaction that \
            stores each event, and rebuilds them by itself at start when they do not cover every stored event. Run \
            this after changing the taxonomy, or to check them: it reads every stored event once, in one \
            transaction (a running hub waits meanwhile and loses nothing), and says whether anything changed. \
            On SQLite it adds the counters up in sorted runs in a folder beside the store (STORE.rebuild, removed \
            when it ends), which needs free room of about a quarter of the counters table's size, and then writes \
            only the counter rows that differ; if the disk fills, the rebuild stops and the counters stay as they \
            were.
            """
    )

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    func run() throws {
        guard case (.hub(let hub), let taxonomy) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; the activity counters are the hub's")
        }
        let store = try hub.storage.open()
        let path = "\(hub.storage)"
        defer { try? store.close() }
        let before = try store.activityCountDigest()
        let clock = ContinuousClock()
        let started = clock.now
        let rebuilt = try store.rebuildActivityCounts(validator: EventValidator(taxonomy: taxonomy), today: .today())
        let elapsed = clock.now - started
        let after = try store.activityCountDigest()
        print(
            "rebuilt the activity counters of \(path) in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds]))):"
        )
        print("  \(rebuilt.stored) stored events, \(rebuilt.counted) counted in \(rebuilt.cells) cells")
        if rebuilt.counted < rebuilt.stored {
            print(
                "  \(rebuilt.stored - rebuilt.counted) stored events are not valid under the current taxonomy and are not counted"
            )
        }
        print(before == after ? "  unchanged: the counters kept while storing were already right" : "  changed")
    }
}
