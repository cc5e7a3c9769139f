import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktCore
import KnutepunktHub
import KnutepunktNode
import KnutepunktStore
import Logging
import ServiceLifecycle

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Run the national hub daemon, or maintain its store.",
        discussion: "`knutepunkt hub --config hub.yaml` runs the daemon (the same as `knutepunkt hub run …`).",
        subcommands: [HubRunCommand.self, HubRebuildAggregatesCommand.self, HubMigrateCommand.self],
        defaultSubcommand: HubRunCommand.self
    )
}

struct HubRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the national hub daemon (stops cleanly on SIGTERM or Ctrl-C)."
    )

    @Option(name: .long, help: "The hub's configuration file (see Configs/README.md).")
    var config: String

    @Flag(name: .long, help: "Print one JSON line with the bound endpoints on stdout when ready.")
    var announce = false

    @Flag(name: .long, help: "Plaintext, no CURVE and no authentication: anyone who reaches the ports may connect.")
    var insecure = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.bootstrap(label: "knutepunkt.hub")
        guard case (.hub(let configuration), let taxonomy) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node, not the hub; use `knutepunkt node --config \(config)`")
        }
        let thresholds = try loadGapThresholds(nil, besideTaxonomy: configuration.taxonomyPath, taxonomy: taxonomy)
        let path = config
        let hub = HubService(
            configuration: configuration,
            taxonomy: taxonomy,
            thresholds: thresholds,
            insecure: insecure,
            reloadConfiguration: {
                guard case (.hub(let fresh), _) = try loadDaemonConfiguration(path) else {
                    throw ValidationError("\(path) no longer configures a hub")
                }
                return fresh
            },
            logger: logger
        )
        try await runDaemon(hub, logger: logger) {
            let endpoints = try await hub.endpoints()
            if announce {
                printAnnouncement([
                    "listen": endpoints.listen, "publish": endpoints.publish, "control": endpoints.control,
                ])
            }
        }
    }
}

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a regional node daemon (stops cleanly on SIGTERM or Ctrl-C)."
    )

    @Option(name: .long, help: "The node's configuration file (see Configs/README.md).")
    var config: String

    @Flag(name: .long, help: "Print one JSON line with the bound endpoints on stdout when ready.")
    var announce = false

    @Flag(name: .long, help: "Plaintext to the hub, no CURVE: only for a hub that runs --insecure too.")
    var insecure = false

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.bootstrap(label: "knutepunkt.node")
        guard case (.node(let configuration), let taxonomy) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures the hub, not a node; use `knutepunkt hub --config \(config)`")
        }
        let node = NodeService(configuration: configuration, taxonomy: taxonomy, insecure: insecure, logger: logger)
        try await runDaemon(node, logger: logger) {
            let endpoints = try await node.endpoints()
            if announce { printAnnouncement(["control": endpoints.control]) }
        }
    }
}

/// Loads a daemon configuration, turning configuration errors into a readable exit.
func loadDaemonConfiguration(_ path: String) throws -> (DaemonConfiguration, Taxonomy) {
    do {
        return try DaemonConfiguration.load(path: path)
    } catch {
        throw ValidationError("configuration problems:\n\(error)")
    }
}

/// Runs one daemon service in a service group with graceful shutdown on SIGTERM and SIGINT.
func runDaemon(
    _ service: some Service,
    logger: Logger,
    whenReady: @escaping @Sendable () async throws -> Void
) async throws {
    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(
                    service: service,
                    successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup
                )
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
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

struct HubRebuildAggregatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-aggregates",
        abstract: "Rebuild the hub's activity counters from its stored events.",
        discussion: """
            The hub keeps its activity counters (the aggregate the gap rules read) in the same transaction that \
            stores each event, and rebuilds them by itself at start when they do not cover every stored event. Run \
            this after changing the taxonomy, or to check them: it reads every stored event once, in one \
            transaction (a running hub waits meanwhile and loses nothing), and says whether anything changed.
            """
    )

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    func run() throws {
        guard case (.hub(let hub), let taxonomy) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; the activity counters are the hub's")
        }
        let store = try hub.storage.openStore()
        let path = "\(hub.storage)"
        defer { try? store.close() }
        let before = try store.activityCounters()
        let clock = ContinuousClock()
        let started = clock.now
        let rebuilt = try store.rebuildActivityCounts(validator: EventValidator(taxonomy: taxonomy), today: .today())
        let elapsed = clock.now - started
        let after = try store.activityCounters()
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
