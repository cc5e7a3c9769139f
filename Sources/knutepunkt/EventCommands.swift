import ArgumentParser
import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List your node's events: the latest version of each, and whether it reached the hub.",
        discussion: """
            States: queued (in the node's outbox, not yet at the hub), delivered (stored at the hub), refused (the \\
            hub refused it; the reason is shown), withdrawn (a withdrawal the hub has stored). Newest first.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "Only events the node accepted on or after this day (YYYY-MM-DD).")
    var since: String?

    @Option(name: .long, help: "Only events in this state: queued, delivered, refused or withdrawn.")
    var state: String?

    @Option(name: .long, help: "At most this many events (default 1000).")
    var limit: Int?

    @Flag(name: .long, help: "Print the node's answer as JSON.")
    var json = false

    func validate() throws {
        if let since, LocalDate(iso: since) == nil {
            throw ValidationError("--since \(since) is not a day; write YYYY-MM-DD, e.g. 2026-03-01")
        }
        if let state, !EventsRequest.states.contains(state) {
            throw ValidationError("--state must be one of \(EventsRequest.states.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let node = try connection.nodeConfiguration()
        let request = EventsRequest(since: since, state: state, limit: limit)
        let list = try await ControlClient.withConnection(to: node.controlEndpoint, timeout: connection.timeoutDuration)
        {
            try $0.events(request)
        }
        if json {
            print(String(decoding: JSONBody.encode(list), as: UTF8.self))
            return
        }
        guard !list.events.isEmpty else {
            print("no events\(since.map { " accepted since \($0)" } ?? "")\(state.map { " in state \($0)" } ?? "")")
            return
        }
        func padded(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
        }
        print(
            [
                padded("id", 36), padded("ver", 3), padded("state", 9), padded("date", 10), padded("kind", 15),
                padded("node", 18), padded("accepted (UTC)", 20), "by",
            ].joined(separator: "  ")
        )
        for event in list.events {
            print(
                [
                    padded(event.id, 36), padded(String(event.version), 3), padded(event.state, 9),
                    padded(event.date ?? "", 10), padded(event.kind ?? "", 15), padded(event.node ?? "", 18),
                    padded(event.acceptedAt, 20), event.submittedBy ?? "",
                ].joined(separator: "  ")
            )
            if let reason = event.reason { print("    refused by the hub: \(reason)") }
            if let withdrawal = event.withdrawalReason { print("    withdrawn: \(withdrawal)") }
        }
        if list.truncated { print("… more events; narrow with --since or --state, or raise --limit") }
    }
}

struct WithdrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Withdraw an event: it stays on record at the hub, and counts nowhere any more.",
        discussion: """
            The node sends a new version of the event that withdraws it, with your reason (no names or identity \\
            numbers). `knutepunkt history` on the hub shows it; publishing the event again with "based_on" restores it.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The event's id (`knutepunkt events` lists them).")
    var id: String

    @Option(name: .long, help: "Why it is withdrawn, e.g. \"entered twice\".")
    var reason: String

    @Option(name: .long, help: "The version you are withdrawing (default: the node's latest).")
    var basedOn: Int?

    func run() async throws {
        let node = try connection.nodeConfiguration()
        let request = WithdrawRequest(
            id: id,
            reason: reason,
            submittedBy: EventIdentity.operatingSystemUser,
            basedOn: basedOn
        )
        let result = try await ControlClient.withConnection(
            to: node.controlEndpoint,
            timeout: connection.timeoutDuration
        ) {
            try $0.withdraw(request)
        }
        print(SubmitResultText.line(result))
        if result.status == .invalid { throw ExitCode(2) }
    }
}

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show every version of an event the hub holds: who submitted it, when, and what it changed.",
        discussion: "Reads the hub's store; safe while the hub runs."
    )

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    @Argument(help: "The event's id.")
    var id: String

    @Flag(name: .long, help: "Print the history as JSON.")
    var json = false

    func run() async throws {
        guard case (.hub(let hub), _) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; the history is read from the hub's configuration")
        }
        guard let eventID = UUID(uuidString: id) else {
            throw ValidationError("\(id) is not an event id (a UUID such as 1b4e28ba-2fa1-11d2-883f-0016d3cca427)")
        }
        let history = try await hub.storage.withStore { store in
            try EventHistory.read(eventID, from: store, withholdSmallCounts: false)
        }
        guard let history else {
            print("the hub holds no version of event \(eventID.lowercasedText)")
            throw ExitCode(1)
        }
        if json {
            print(String(decoding: JSONBody.encode(history), as: UTF8.self))
            return
        }
        print(HistoryText.text(history))
    }
}

/// How an event's history reads in a terminal.
enum HistoryText {
    static func text(_ history: EventHistory) -> String {
        let latest = history.versions.last(where: \.latest)?.version ?? 0
        var lines = [
            "event \(history.id): \(history.versions.count) version\(history.versions.count == 1 ? "" : "s"), "
                + "latest \(latest)\(history.withdrawn ? " (withdrawn: it counts nowhere)" : "")"
        ]
        for version in history.versions {
            let what =
                switch (version.basedOn, version.withdrawn) {
                case (nil, _): "first published"
                case (let base?, true): "withdraws version \(base): \(version.withdrawalReason ?? "")"
                case (let base?, false): "corrects version \(base)"
                }
            lines.append(
                "  version \(version.version)  \(what)\(version.latest ? "  [latest]" : "")"
            )
            lines.append(
                "    submitted by \(version.submittedBy ?? "(not recorded)") at \(version.submittedAt ?? "(not recorded)")"
                    + ", through \(version.source) (sequence \(version.sequence)), stored \(version.storedAt)"
            )
            for change in version.changes where version.basedOn != nil {
                lines.append("    changed: \(change)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
