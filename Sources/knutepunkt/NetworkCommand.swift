import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktReports
import KnutepunktSampleNetwork
import UnixSignals

struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Run a local national network: the hub and every node in a folder, with a year of sample data.",
        discussion: """
            Starts `knutepunkt hub` and one `knutepunkt node` per node-*.yaml in --configs as separate processes on \
            loopback, publishes sample activities and monthly returns through the nodes as coordinators would, prints \
            what the hub holds per region, the monthly returns' completeness and the gap report, and keeps running \
            until Ctrl-C, when it stops every daemon cleanly.
            """
    )

    @Option(name: .long, help: "Folder with hub.yaml and node-*.yaml.")
    var configs: String = "Configs/local"

    @Option(name: .long, help: "Folder for the daemons' logs.")
    var logs: String = ".data/local/logs"

    @Option(name: .long, help: "Seed of the sample data (the same seed gives the same events).")
    var seed: UInt64 = 2026

    @Flag(name: .long, help: "Do not publish the sample data.")
    var noSample = false

    @Flag(name: .long, help: "Stop after printing the summary instead of waiting for Ctrl-C.")
    var exitAfterSummary = false

    func run() async throws {
        let network = LocalNetwork(
            configFolder: configs,
            executable: DaemonProcess.currentExecutable,
            logFolder: logs,
            seed: seed,
            print: { say($0) }
        )
        // The keys first: loading the hub's configuration checks that its key files exist.
        try network.ensureKeys()
        let hubFile = (configs as NSString).appendingPathComponent("hub.yaml")
        guard case (.hub(let hub), let taxonomy) = try loadDaemonConfiguration(hubFile) else {
            throw ValidationError("\(hubFile) must configure the hub")
        }
        // Trap the signals before any child starts, so Ctrl-C always stops the children too.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        say("starting the local national network (logs in \(logs)/)")
        let running = try await network.start()
        do {
            if !noSample {
                let report = try await network.publishSample(to: running, taxonomy: taxonomy)
                say("")
                say(NetworkSummary.text(report, taxonomy: taxonomy))
                do {
                    let thresholds = try loadGapThresholds(nil, besideTaxonomy: hub.taxonomyPath, taxonomy: taxonomy)
                    let name = "\(hub.storage)"
                    // The monthly returns beside the gaps: which local nodes reported, on time or late, and whose
                    // returns are missing (their areas are "no report" below, not "no service").
                    let timelyDays = thresholds.timelyDays
                    let completeness = try await hub.storage.withStore { store in
                        try store.completeness(taxonomy: taxonomy, asOf: .today(), timelyDays: timelyDays)
                    }
                    if !completeness.cells.isEmpty {
                        say("")
                        say(CompletenessReport(completeness, taxonomy: taxonomy).text)
                    }
                    let gaps = try await hub.storage.withStore { store in
                        try GapReport.evaluate(
                            store: store,
                            named: name,
                            taxonomy: taxonomy,
                            thresholds: thresholds,
                            asOf: .today(),
                            daemonRegions: Dictionary(
                                hub.nodes.map { ($0.id, $0.region) },
                                uniquingKeysWith: { first, _ in first }
                            )
                        )
                    }
                    say("")
                    say(gaps.text(color: isatty(STDOUT_FILENO) == 1))
                }
            }
            if !exitAfterSummary {
                say("")
                say(
                    "running; try `knutepunkt status --config \(configs)/node-vest.yaml` in another terminal. Ctrl-C stops."
                )
                for await _ in signals { break }
            }
        } catch {
            say("error: \(error)")
            await running.stop()
            throw ExitCode.failure
        }
        say("stopping…")
        await running.stop()
        say("stopped")
    }
}

/// The per-region table printed after the sample is in.
enum NetworkSummary {
    static func text(_ report: HubStatusReport, taxonomy: Taxonomy) -> String {
        var lines = ["the hub holds \(report.events.total) events:"]
        lines.append("  region        events  per 1,000 births  nodes reporting")
        for (region, count) in report.events.byRegion.sorted(by: { $0.key < $1.key }) {
            let births = taxonomy.region(region)?.births.value ?? 0
            let rate = births > 0 ? String(format: "%.1f", Double(count) * 1000 / Double(births)) : "–"
            let nodes = report.events.byNode.keys.filter { $0.hasPrefix(region + "-") }.count
            lines.append(
                "  \(region.padding(toLength: 12, withPad: " ", startingAt: 0))  \(String(count).leftPad(6))  "
                    + "\(rate.leftPad(16))  \(String(nodes).leftPad(15))"
            )
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

/// Prints one line at once, even when standard output is a pipe or a file (`make run | tee`), so progress shows as
/// it happens rather than when a buffer fills.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
