import ArgumentParser
import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktProtocol

/// The hub's reference data: publish a new taxonomy version, see what it would change, and which version a daemon
/// uses (docs/protocol.md, "Reference data"; Deploy/README.md, "A new taxonomy").
struct TaxonomyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taxonomy",
        abstract:
            "The taxonomy the hub publishes to the nodes: publish a new version, compare, show the version in use.",
        subcommands: [Publish.self, Diff.self, Status.self]
    )

    /// The hub's configuration and the document to send: `file`, or the hub's own taxonomy file.
    static func hubAndDocument(
        _ connection: ConnectionOptions,
        file: String?
    ) throws -> (hub: HubConfiguration, document: String, path: String) {
        guard case .hub(let hub) = try loadDaemonConfiguration(connection.config).0 else {
            throw ValidationError("\(connection.config) configures a node; the hub publishes the taxonomy")
        }
        let path = file ?? hub.taxonomyPath
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): no such file or not readable")
        }
        let document = String(decoding: data, as: UTF8.self)
        let inspection = TaxonomyFile.inspect(text: document, name: path)
        guard inspection.taxonomy != nil else {
            throw ValidationError(
                "\(path) is not a usable taxonomy:\n" + inspection.errors.map { "  \($0)" }.joined(separator: "\n")
            )
        }
        return (hub, document, path)
    }

    static func send(
        _ request: TaxonomyRequest,
        hub: HubConfiguration,
        timeout: Duration
    ) async throws
        -> TaxonomyResult
    {
        try await ControlClient.withConnection(to: hub.controlEndpoint, timeout: timeout, curve: hub.viewerCurve) {
            try $0.taxonomy(request)
        }
    }

    static func printChanges(_ result: TaxonomyResult) {
        if result.changes.isEmpty { print("  no change from version \(result.version.map { "\($0)" } ?? "none")") }
        for line in result.changes { print("  \(line)") }
        for problem in result.problems { print("  NOT ALLOWED: \(problem)") }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract:
                "Publish a taxonomy as the hub's next version; the nodes take it within a minute, without restarts.",
            discussion: """
                Sends FILE (default: the hub's own taxonomy file) to the running hub, which checks it against the \
                version in force — codes are never renamed or removed, only added or retired (retired: DATE) — \
                stores it as the next version, takes it at once (validation, the births behind every rate) and \
                announces it to every node. FILE is then copied over the hub's taxonomy file, so a restart keeps it. \
                A SIGHUP to the hub (systemctl reload) publishes its taxonomy file the same way.
                """
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The taxonomy to publish (default: the hub's taxonomy file).")
        var file: String?

        func run() async throws {
            let (hub, document, path) = try TaxonomyCommand.hubAndDocument(connection, file: file)
            let result = try await TaxonomyCommand.send(
                TaxonomyRequest(document: document, dryRun: false),
                hub: hub,
                timeout: connection.timeoutDuration
            )
            guard result.problems.isEmpty else {
                print("not published; version \(result.version.map { "\($0)" } ?? "none") stays in force:")
                TaxonomyCommand.printChanges(result)
                throw ExitCode(1)
            }
            let version = result.version.map { "\($0)" } ?? "?"
            print(
                result.published ? "published taxonomy version \(version):" : "version \(version) is this file already"
            )
            if result.published { TaxonomyCommand.printChanges(result) }
            // The hub's file follows, so that a restart (which publishes the file if it differs) keeps this version.
            let target = URL(fileURLWithPath: hub.taxonomyPath).resolvingSymlinksInPath().path
            if URL(fileURLWithPath: path).resolvingSymlinksInPath().path != target {
                do {
                    try Data(document.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
                    print("copied \(path) to \(target)")
                } catch {
                    print(
                        "could not copy \(path) to \(target) (\(error)): copy it by hand, or a restart publishes the old file"
                    )
                    throw ExitCode(1)
                }
            }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "What publishing a taxonomy would change, and whether it may be published (nothing is sent on)."
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The taxonomy to compare (default: the hub's taxonomy file).")
        var file: String?

        func run() async throws {
            let (hub, document, path) = try TaxonomyCommand.hubAndDocument(connection, file: file)
            let result = try await TaxonomyCommand.send(
                TaxonomyRequest(document: document, dryRun: true),
                hub: hub,
                timeout: connection.timeoutDuration
            )
            print("\(path) against the hub's version \(result.version.map { "\($0)" } ?? "none"):")
            TaxonomyCommand.printChanges(result)
            if !result.problems.isEmpty { throw ExitCode(1) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "The taxonomy version a node validates against, or the one the hub publishes."
        )

        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let (endpoint, curve) = try connection.controlEndpoint()
            let report = try await ControlClient.withConnection(
                to: endpoint,
                timeout: connection.timeoutDuration,
                curve: curve
            ) { try $0.status() }
            switch report {
            case .node(let node, _):
                print("node \(node.node): \(TaxonomyCommand.describe(node.taxonomy, hubState: node.hub.state))")
            case .hub(let hub, _):
                print("hub \(hub.hub): \(TaxonomyCommand.describe(hub.taxonomy, hubState: nil))")
            }
        }
    }

    static func describe(_ state: TaxonomyState?, hubState: String?) -> String {
        guard let state else { return "this daemon's release does not report its taxonomy" }
        guard let version = state.version else {
            return hubState == nil
                ? "no version published yet (the taxonomy file, fingerprint \(state.fingerprint))"
                : "its own taxonomy file (fingerprint \(state.fingerprint)): the hub has announced no version yet"
        }
        var text = "taxonomy version \(version), fingerprint \(state.fingerprint)"
        if let publishedAt = state.publishedAt { text += ", published \(publishedAt)" }
        if let ago = state.confirmedMillisAgo { text += ", confirmed by the hub \(StatusText.ago(ago))" }
        return text
    }
}
