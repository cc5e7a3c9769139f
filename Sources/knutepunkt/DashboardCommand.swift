import ArgumentParser
import Foundation
import KnutepunktAccess
import KnutepunktConfig
import KnutepunktDashboard
import Logging

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The national centre's web dashboard beside a running hub; `dashboard token` makes a sign-in token.",
        subcommands: [DashboardServeCommand.self, DashboardTokenCommand.self],
        defaultSubcommand: DashboardServeCommand.self
    )
}

struct DashboardServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard over HTTP beside a running hub (stops cleanly on SIGTERM or Ctrl-C).",
        discussion: """
            Reads the hub's store, follows its gap and event streams and asks for its node status, with the \
            endpoints and CURVE keys in the hub's configuration file. Every page and API call needs a token listed \
            in the access file (make one with `knutepunkt dashboard token`). The API is described in docs/api.md.
            """
    )

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    @Option(name: .long, help: "Where to listen, HOST:PORT (port 0: any free port).")
    var http = "127.0.0.1:8080"

    @Option(name: .long, help: "The access file: one `ROLE NAME SHA256-HEX` line per token.")
    var access: String

    @Option(name: .long, help: "The dashboard's SQLite file for acknowledgements (default: beside the hub's store).")
    var acknowledgements: String?

    @Option(name: .long, help: "The thresholds file (default: gaps.yaml beside the taxonomy).")
    var thresholds: String?

    @Flag(name: .long, help: "Mark the sign-in cookie Secure (when served over HTTPS through a proxy).")
    var secureCookie = false

    @Flag(name: .long, help: "Print one JSON line with the dashboard's address on stdout when ready.")
    var announce = false

    func run() async throws {
        guard case (.hub(let hub), let taxonomy) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; the dashboard reads the hub's configuration")
        }
        let (logger, _) = ProcessLogging.bootstrap(
            label: "knutepunkt.dashboard",
            level: hub.logLevel,
            format: hub.logFormat
        )
        let parts = http.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65_535).contains(port) else {
            throw ValidationError("--http \(http) is not HOST:PORT; write e.g. 127.0.0.1:8080")
        }
        let limits = try loadGapThresholds(thresholds, besideTaxonomy: hub.taxonomyPath, taxonomy: taxonomy)
        let accessList = try loadDashboardAccess(access)
        var configuration = DashboardConfiguration(
            hub: hub,
            taxonomy: taxonomy,
            thresholds: limits,
            access: accessList,
            acknowledgementsPath: acknowledgements
        )
        configuration.secureCookie = secureCookie
        let feed = DashboardFeed(configuration: configuration, logger: logger)
        let host = String(parts[0])
        let announce = announce
        try await DashboardServer.run(feed: feed, host: host, port: port, logger: logger) { bound in
            if announce { printAnnouncement(["http": "http://\(host):\(bound)\(DashboardRoutes.prefix)"]) }
        }
    }
}

struct DashboardTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make a sign-in token for the dashboard: prints the token once, and its access-file line.",
        discussion: """
            The access file keeps only the token's SHA-256. Hand the token to its user; it cannot be recovered \
            from the file. With --append the line is added to the file (created with mode 0600 if missing).
            """
    )

    @Option(name: .long, help: "Who the token is for (one word, shown in acknowledgements).")
    var name: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "viewer (sees everything), analyst (also acknowledges gaps, accepts and reopens months), "
                + "lead:REGION (signs off the region's months) or coordinator."
        )
    )
    var role: String = "viewer"

    @Option(name: .long, help: "Append the access-file line to this file.")
    var append: String?

    func validate() throws {
        guard DashboardRole.parse(role) != nil else {
            throw ValidationError("--role \(role) is unknown; use viewer, analyst, coordinator or lead:REGION")
        }
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" || $0 == "#" || $0 == "\n" }) else {
            throw ValidationError("--name must be one word without # (e.g. kari.nordmann)")
        }
    }

    func run() throws {
        let token = DashboardAccess.makeToken()
        try printToken(token, line: "\(role) \(name) \(DashboardAccess.hexDigest(of: token))\n", append: append)
    }
}

/// Prints a new token and its access-file line, appending the line to `append` (created with mode 0600) if given.
func printToken(_ token: String, line: String, append: String?) throws {
    if let append {
        if !FileManager.default.fileExists(atPath: append) {
            guard
                FileManager.default.createFile(
                    atPath: append,
                    contents: nil,
                    attributes: [.posixPermissions: 0o600]
                )
            else { throw ValidationError("cannot create \(append)") }
        }
        guard let handle = FileHandle(forWritingAtPath: append) else {
            throw ValidationError("cannot write to \(append)")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
        print("token: \(token)")
        print("added to \(append): \(line)", terminator: "")
    } else {
        print("token: \(token)")
        print("access line: \(line)", terminator: "")
    }
}

/// The dashboard's access file, for the stand-alone server and the hub alike: readable, with at least one token.
func loadDashboardAccess(_ path: String) throws -> DashboardAccess {
    try loadAccess(path)
}

/// An access file (the dashboard's, the workspace's): readable, with at least one token.
func loadAccess<Role: AccessRole>(_ path: String) throws -> AccessFile<Role> {
    let access: AccessFile<Role>
    do {
        access = try AccessFile<Role>.load(path: path)
    } catch {
        throw ValidationError(error.message)
    }
    guard !access.entries.isEmpty else {
        throw ValidationError("\(path) lists no token; add one with `\(Role.tokenCommand) --append \(path)`")
    }
    return access
}
