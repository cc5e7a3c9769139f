import ArgumentParser
import Foundation
import KnutepunktDomain
import KnutepunktService

/// The one command-line tool: daemons, coordinator commands and ops commands.
@main
struct Knutepunkt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knutepunkt",
        abstract: "Knutepunkt: regional nodes report infant mental health activities to the national hub over ZeroMQ.",
        discussion: """
            Coordinators:  knutepunkt publish  --config node.yaml event.json
                           knutepunkt import   --config node.yaml activities.csv [--commit]
                           knutepunkt events   --config node.yaml [--since DATE] [--state refused]
                           knutepunkt withdraw --config node.yaml ID --reason TEXT
                           knutepunkt return   --config node.yaml --node NODE --month 2026-11 [--nil]
                           knutepunkt status   --config node.yaml
                           knutepunkt history  --config hub.yaml ID
            In a browser:  the workspace at http://NODE-HTTP/workspace (knutepunkt workspace token)
            Daemons:       knutepunkt hub  --config hub.yaml
                           knutepunkt node --config node.yaml
            Ops:           knutepunkt config check Configs/
                           knutepunkt network          (a whole local national network, with sample data)
            """,
        version: BuildInfo.versionText,
        subcommands: [
            HubCommand.self, NodeCommand.self, PublishCommand.self, ImportCommand.self, EventsCommand.self,
            WithdrawCommand.self, HistoryCommand.self, StatusCommand.self,
            ConfigCommand.self, NetworkCommand.self, SampleCommand.self, GapsCommand.self, WatchCommand.self,
            CoverageCommand.self, ProgrammesCommand.self, KeysCommand.self, DashboardCommand.self, TaxonomyCommand.self,
            ReturnCommand.self, CompletenessCommand.self, PeriodCommand.self,
            WorkspaceCommand.self,
        ]
    )

    /// ArgumentParser's own start, except that a ``DataError`` is printed without the usage text and ends with its
    /// own exit status (65, 66 or 78, not 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as DataError {
            error.exit()
        } catch {
            exit(withError: error)
        }
    }
}
