import ArgumentParser
import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import KnutepunktSpreadsheet
import KnutepunktTelemetry
import KnutepunktZMQ
import Logging
import Tracing

/// Options every command that talks to a running daemon shares.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The daemon's configuration file (its control endpoint is read from it).")
    var config: String

    @Option(name: .long, help: "Seconds to wait for the daemon's answer.")
    var timeout: Int = 10

    var timeoutDuration: Duration { .seconds(max(1, timeout)) }

    /// The control endpoint named in the configuration file, and CURVE for a hub that requires it.
    func controlEndpoint() throws -> (endpoint: String, curve: ZMQCurveClient?) {
        switch try loadDaemonConfiguration(config).0 {
        case .node(let node): (node.controlEndpoint, nil)
        case .hub(let hub): (hub.controlEndpoint, hub.viewerCurve)
        }
    }

    func nodeConfiguration() throws -> NodeConfiguration {
        guard case .node(let node) = try loadDaemonConfiguration(config).0 else {
            throw ValidationError(
                "\(config) configures the hub; coordinators publish through their node's configuration"
            )
        }
        return node
    }
}

struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Submit activity events (a JSON object or array) to your node.",
        discussion: """
            Prints each event's id and whether it is queued for the hub or already delivered. The node answers only \
            after the events are safely in its outbox. Events without "id" in a file get one, written into the file \
            before anything is sent, so publishing the file again never stores an event twice (from standard \
            input, an id derived from the event's content). To correct an event, publish the whole event again with \
            "based_on": the version you corrected (`knutepunkt events` lists them); the answer says what changed. \
            Example file: Configs/examples/event.json
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "A JSON file with one event object or an array of them, or - for standard input.")
    var file: String

    @Flag(
        name: .long,
        help: """
            Publish as test events ("test": true): checked, queued and delivered to the hub like any event, but \
            never counted (docs/events.md, "Test events"). For checking a node end to end.
            """
    )
    var test = false

    func run() async throws {
        let node = try connection.nodeConfiguration()
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw DataError.unreadable(file)
            }
            data = contents
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse([UInt8](data))
        } catch {
            throw DataError(
                .data,
                "\(file == "-" ? "standard input" : file) is not valid JSON: \(error.located(in: [UInt8](data)))"
            )
        }
        var items: [JSONValue]
        switch parsed {
        case .array(let list): items = list
        case .object: items = [parsed]
        default: throw DataError(.data, "\(file) must hold an event object or an array of event objects")
        }
        let (identified, given) = EventIdentity.identify(items, node: node.id, fromFile: file != "-")
        if given > 0 {
            // Before anything is sent: a file published again (after a refusal, or corrected) keeps its identities.
            let text = (parsed.arrayValue == nil ? identified[0] : JSONValue.array(identified)).prettyText() + "\n"
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw ValidationError(
                    "\(given) events in \(file) have no id, and it cannot be written into the file (\(error)); give "
                        + "each event an \"id\" (a UUID) or make the file writable, so that publishing it again never "
                        + "stores an event twice"
                )
            }
            print("gave \(given) events an id and wrote it into \(file)")
        }
        // A test event is marked only in what is sent, never in the file.
        let events = (test ? identified.map(Self.markedAsTest) : identified).map { $0.serialized() }
        let submitter = EventIdentity.operatingSystemUser
        // The root of each activity's trace (docs/tracing.md): the node's and the hub's spans continue it. Without an
        // OTLP endpoint (the node's otlpEndpoint, or OpenTelemetry's variables) nothing is recorded and nothing is
        // sent; with one, the span is sent before the command exits.
        let timeout = connection.timeoutDuration
        var diagnostics = Logger(label: "knutepunkt.publish") { StreamLogHandler.standardError(label: $0) }
        diagnostics.logLevel = .warning
        let results = try await TraceExport.withTracer(
            serviceName: "knutepunkt-publish",
            endpoint: node.otlpEndpoint,
            logger: diagnostics
        ) { tracer in
            let span = tracer.startSpan("knutepunkt.publish", context: .topLevel, ofKind: .client)
            span.updateAttributes { $0["knutepunkt.events"] = events.count }
            defer { span.end() }
            let trace = TraceFields.fields(of: span.context, tracer: tracer)
            return try await ControlClient.withConnection(to: node.controlEndpoint, timeout: timeout) {
                try $0.submit(events, submittedBy: submitter, trace: trace)
            }
        }
        var invalid = 0
        for result in results {
            print(
                SubmitResultText.line(result)
                    + (test && result.status != .invalid ? "  (test event: never counted)" : "")
            )
            if result.status == .invalid { invalid += 1 }
        }
        if invalid > 0 {
            print(
                "\(invalid) of \(results.count) events were refused; nothing of them was stored. Fix them and publish "
                    + "again: events already stored are recognised, not stored twice."
            )
            throw ExitCode(2)
        }
    }
}

extension PublishCommand {
    /// The event with `"test": true` (anything that is not an object is left for the node to refuse).
    static func markedAsTest(_ value: JSONValue) -> JSONValue {
        guard case .object(var object) = value else { return value }
        object["test"] = .bool(true)
        return .object(object)
    }
}

/// How a submit result reads in a terminal.
enum SubmitResultText {
    static func line(_ result: SubmitResult) -> String {
        let id = result.id ?? "(no id)"
        let version = result.version.map { $0 > 1 || result.latest != nil ? "  version \($0)" : "" } ?? ""
        // An older version sent again: say which one the event is at now.
        let now = result.latest.map { "; the event is at version \($0) now" } ?? ""
        switch result.status {
        case .queued where result.existing:
            return "queued     \(id)\(version)  sequence \(result.sequence ?? 0)  (already queued; identical, nothing "
                + "new stored\(now))"
        case .queued:
            guard let base = result.basedOn else { return "queued     \(id)  sequence \(result.sequence ?? 0)" }
            let what = (result.changes ?? []).contains { $0.field == "withdrawn" } ? "withdrawal" : "correction"
            let changes = (result.changes ?? []).map { "    changed: \($0)" }
            return
                (["queued     \(id)\(version) (\(what) of version \(base))  sequence \(result.sequence ?? 0)"]
                + (changes.isEmpty ? ["    changed: nothing"] : changes)).joined(separator: "\n")
        case .delivered:
            return "delivered  \(id)\(version)  sequence \(result.sequence ?? 0)  (already at the hub; identical, "
                + "nothing new stored\(now))"
        case .rejected:
            return "rejected   \(id)  by the hub: \(result.reason ?? "no reason given")"
        case .invalid:
            let issues = (result.issues ?? []).map { "    \($0.field): \($0.message) [\($0.code.rawValue)]" }
            return (["invalid    event \(result.index + 1) (\(id)):"] + issues).joined(separator: "\n")
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a node's outbox and hub link, or the hub's events and connected nodes."
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(name: .long, help: "Print the daemon's answer as JSON.")
    var json = false

    @Flag(name: .long, help: "Node: wait until everything accepted has reached the hub (at most --wait seconds).")
    var waitDrained = false

    @Option(name: .long, help: "Hub: wait until it holds at least this many events (at most --wait seconds).")
    var waitTotal: Int?

    @Option(name: .long, help: "Seconds to wait for a --wait-… condition.")
    var wait: Int = 60

    func run() async throws {
        let (endpoint, curve) = try connection.controlEndpoint()
        let request = StatusRequest(
            waitForTotal: waitTotal,
            waitForDrained: waitDrained ? true : nil,
            timeoutMillis: wait * 1000
        )
        let report = try await ControlClient.withConnection(
            to: endpoint,
            timeout: connection.timeoutDuration,
            curve: curve
        ) { try $0.status(request) }
        switch report {
        case .node(let node, let raw):
            if json {
                print(String(decoding: raw, as: UTF8.self))
                return
            }
            print(StatusText.node(node))
        case .hub(let hub, let raw):
            if json {
                print(String(decoding: raw, as: UTF8.self))
                return
            }
            print(StatusText.hub(hub))
        }
    }
}

/// How status reads in a terminal.
enum StatusText {
    static func ago(_ millis: Int64?) -> String {
        guard let millis else { return "never" }
        return millis < 1000 ? "\(millis) ms ago" : String(format: "%.1f s ago", Double(millis) / 1000)
    }

    static func node(_ node: NodeStatusReport) -> String {
        """
        node \(node.node) (region \(node.region)), knutepunkt \(node.version)
          outbox:  \(node.outbox.lastSequence) accepted, delivered through \(node.outbox.deliveredThrough), \
        backlog \(node.outbox.backlog), rejected by hub \(node.outbox.rejected)
          hub:     \(node.hub.endpoint) — \(node.hub.state), last heard \(ago(node.hub.lastHeardMillisAgo)), \
        last ACK \(ago(node.hub.lastAckMillisAgo))
        """ + (node.taxonomy.map { "\n  taxonomy: \(TaxonomyCommand.describe($0, hubState: node.hub.state))" } ?? "")
            + returns(node.returns) + (node.lockedMonths ?? []).map { "\n  locked:  \($0)" }.joined()
    }

    /// "  returns: return due for 2026-11 (NO-VEST-FONNA), 7 days overdue" — one line each; all made: "none due".
    static func returns(_ due: [NodeStatusReport.ReturnDue]?) -> String {
        guard let due else { return "" }
        guard !due.isEmpty else { return "\n  returns: none due" }
        return due.map { "\n  returns: \($0.text)" }.joined()
    }

    static func hub(_ hub: HubStatusReport) -> String {
        var lines = [
            "hub \(hub.hub), knutepunkt \(hub.version), storage \(hub.storage)",
            "  events: \(hub.events.total) stored, \(hub.events.rejected) refused"
                + (hub.events.versions.map { versions in
                    ", \(hub.events.withdrawn ?? 0) withdrawn, \(versions) versions in all"
                } ?? ""),
        ]
        if let taxonomy = hub.taxonomy {
            lines.append("  taxonomy: \(TaxonomyCommand.describe(taxonomy, hubState: nil))")
        }
        for (region, count) in hub.events.byRegion.sorted(by: { $0.key < $1.key }) {
            lines.append("    \(region.padding(toLength: 14, withPad: " ", startingAt: 0)) \(count)")
        }
        lines.append("  nodes:")
        for node in hub.nodes {
            let heard = node.lastHeardAt.map { "last heard \(ago(node.lastHeardMillisAgo)) (\($0))" } ?? "never heard"
            let state = node.connected ? "connected, \(heard)" : "not connected, \(heard)"
            lines.append(
                "    \(node.id.padding(toLength: 14, withPad: " ", startingAt: 0)) \(node.events) events, settled through \(node.settledThrough), \(state)"
            )
        }
        if let tests = hub.tests, tests.total > 0 {
            let last = tests.latest.first.map { ", the last from \($0.node) (\($0.id), \($0.receivedAt))" } ?? ""
            lines.append("  test events: \(tests.total) committed\(last); never counted")
        }
        if let security = hub.security {
            let refused = security.refused.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            lines.append(
                "  security: \(security.mode == "curve" ? "CURVE, keys checked by ZAP" : "INSECURE (plaintext)"); "
                    + (refused.isEmpty ? "nothing refused" : "refused: " + refused.joined(separator: ", "))
            )
        }
        return lines.joined(separator: "\n")
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Check a spreadsheet (CSV or .xlsx) row by row; with --commit, import its good rows through your node.",
        discussion: """
            The first row names the columns after the event's fields (date, kind, node, target_groups, …; see \
            docs/events.md); lists go in one cell separated by |. Every row is checked first and each problem is \
            reported by line and column. Nothing is sent without --commit; then only the good rows go. Each row is \
            one activity for good: by its id column, else by its key column (your own reference for the row), else \
            by an id the import writes into the file before sending. A row imported before is recognised and not \
            stored twice; a changed row becomes a correction of its activity. An Excel workbook (.xlsx) is read from \
            its first sheet, dates in date cells as dates; it needs a key or id column, since ids cannot be written \
            into it. Examples: Configs/examples/activities.csv, Configs/examples/activities.xlsx
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The CSV file (`;`, `,` or tab separated; UTF-8) or Excel workbook (.xlsx).")
    var file: String

    @Flag(name: .long, help: "Import the good rows (without it, only check).")
    var commit = false

    func run() async throws {
        guard case (.node(let node), let taxonomy) = try loadDaemonConfiguration(connection.config) else {
            throw ValidationError("\(connection.config) configures the hub; import through your node's configuration")
        }
        guard let contents = FileManager.default.contents(atPath: file) else {
            throw DataError.unreadable(file)
        }
        let plan: SpreadsheetImport
        do {
            plan = try SpreadsheetImport(bytes: [UInt8](contents), node: node, taxonomy: taxonomy)
        } catch {
            throw DataError(.data, "\(file): \(error)")
        }
        for problem in plan.problems { print("\(file): \(problem)") }
        print("\(plan.rowCount) rows: \(plan.good.count) good, \(plan.badRowCount) with problems")
        if plan.headerBroken {
            print("The header row must be fixed before anything can be imported.")
            throw ExitCode(2)
        }
        guard commit else {
            if plan.good.isEmpty { throw ExitCode(2) }
            print("Nothing was imported. Run again with --commit to import the \(plan.good.count) good rows.")
            if plan.badRowCount > 0 { throw ExitCode(2) }
            return
        }
        if let written = plan.fileWithIDs() {
            // Before anything is sent: importing the file again, after editing a row, then corrects that row's
            // activity instead of adding a second one.
            do {
                try Data(written).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw ValidationError(
                    "\(plan.givenIDs.count) rows of \(file) have no id, and it cannot be written into the file "
                        + "(\(error)); add an id or a key column (your own reference for each row), or make the file "
                        + "writable, so that importing it again never stores a row twice"
                )
            }
            print(
                "gave \(plan.givenIDs.count) rows an id and wrote it into \(file) (column id): keep that column when you "
                    + "edit the spreadsheet, so that a changed row corrects its activity instead of adding one"
            )
        }
        let bar = ProgressBar(label: "importing")
        let outcome = try await plan.submit(
            to: node.controlEndpoint,
            timeout: connection.timeoutDuration,
            submittedBy: EventIdentity.operatingSystemUser
        ) {
            bar.show(done: $0, of: $1)
        }
        bar.finish()
        for problem in outcome.corrected { print("\(file): \(problem)") }
        for problem in outcome.refused { print("\(file): \(problem)") }
        print(
            "imported \(outcome.queued) new rows (queued for the hub); \(outcome.corrected.count) corrected; "
                + "\(outcome.alreadyThere) were already there; \(outcome.refused.count) refused by the node"
        )
        if plan.badRowCount > 0 || !outcome.refused.isEmpty { throw ExitCode(2) }
    }
}

/// A one-line progress bar on standard error (a line per 10 % when standard error is not a terminal).
struct ProgressBar: Sendable {
    var label: String
    private let terminal = isatty(STDERR_FILENO) == 1

    init(label: String) { self.label = label }

    func show(done: Int, of total: Int) {
        let fraction = total == 0 ? 1 : Double(done) / Double(total)
        if terminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
        } else if total > 0, done == total || (done * 10 / total) != ((done - 1) * 10 / total) {
            FileHandle.standardError.write(Data("\(label): \(done)/\(total)\n".utf8))
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
