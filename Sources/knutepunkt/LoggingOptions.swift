import ArgumentParser
import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktLogging
import Logging

/// The daemons' configuration flags, the top layer over the environment and the file (file < environment < flags).
/// Executables bootstrap logging and metrics; libraries only take a `Logger` and a metrics factory.
struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's configuration file (see Configs/README.md).")
    var config: String

    @Option(name: .long, help: "Serve /metrics, /healthz and /readyz on HOST:PORT (the `http` key; port 0: any free).")
    var http: String?

    @Option(
        name: .long,
        help: "Log level: trace, debug, info, notice, warning, error or critical (the `logLevel` key)."
    )
    var logLevel: String?

    @Option(name: .long, help: "Log format: text, or json for one JSON object per line (the `logFormat` key).")
    var logFormat: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Set any single-valued key, e.g. --set hub.maxBatch=1024 (repeatable).",
            valueName: "SECTION.KEY=VALUE"
        )
    )
    var settings: [String] = []

    /// The environment's `KNUTEPUNKT_HUB_*` / `KNUTEPUNKT_NODE_*` values, then these flags.
    var overrides: ConfigOverrides {
        var overrides = ConfigOverrides.environment(ProcessInfo.processInfo.environment)
        overrides.add(settings: settings)
        overrides.add(key: "http", value: http, origin: "--http")
        overrides.add(key: "logLevel", value: logLevel, origin: "--log-level")
        overrides.add(key: "logFormat", value: logFormat, origin: "--log-format")
        return overrides
    }

    /// Loads the configuration with every layer, turning configuration errors into a readable exit.
    func load() throws -> (DaemonConfiguration, Taxonomy) {
        do {
            return try DaemonConfiguration.load(path: config, overrides: overrides)
        } catch {
            throw DataError(.configuration, "configuration problems:\n\(error)")
        }
    }
}

/// The process's logging, bootstrapped once: the format is fixed at start, the level can change (SIGHUP).
enum ProcessLogging {
    static func bootstrap(label: String, level: Logger.Level?, format: LogFormat?) -> (Logger, LogLevelControl) {
        let levels = LogLevelControl(level ?? .info)
        let format = format ?? .text
        LoggingSystem.bootstrap { label in
            DaemonLogging.handler(label: label, format: format, levels: levels)
        }
        return (Logger(label: label), levels)
    }
}

/// Prints the `--announce` line: one JSON object with the bound endpoints, for supervisors and tests.
func printAnnouncement(_ endpoints: [String: String]) {
    let data = (try? JSONSerialization.data(withJSONObject: endpoints, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

extension LogLevelControl {
    /// Takes a reloaded configuration's log level (absent: `info`), and says so when it changes.
    func apply(_ configured: Logger.Level?, logger: Logger) {
        let wanted = configured ?? .info
        guard wanted != level else { return }
        let previous = level
        level = wanted
        logger.notice("log level changed", metadata: ["from": "\(previous)", "to": "\(wanted)"])
    }
}
