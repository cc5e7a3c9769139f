import ArgumentParser
import Foundation
import Logging

/// Logging flags shared by the daemons. Executables bootstrap logging; libraries only take a `Logger`.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func bootstrap(label: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError(
                "unknown log level \"\(logLevel)\"; use trace, debug, info, notice, warning, error or critical"
            )
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

/// Prints the `--announce` line: one JSON object with the bound endpoints, for supervisors and tests.
func printAnnouncement(_ endpoints: [String: String]) {
    let data = (try? JSONSerialization.data(withJSONObject: endpoints, options: [.sortedKeys])) ?? Data("{}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}
