import ArgumentParser
import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktReports

struct ReturnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return",
        abstract: "Make a local node's monthly return: the month's activities are all at the hub, or there were none.",
        discussion: """
            A return says that the activities the hub holds for the node and month are all of them (or, with --nil, \
            that there were none). It travels like an event: the node queues it and the hub stores it exactly once. \
            --reopen REASON takes it back (the month is open again); making it again is its next version.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "The local node (default: the node's defaultNode).")
    var node: String?

    @Option(name: .long, help: "The month, YYYY-MM (e.g. 2026-11).")
    var month: String

    @Flag(name: .customLong("nil"), help: "A nil return: no activities this month.")
    var nilReturn = false

    @Option(name: .long, help: "Reopen the return, with why (e.g. \"two trainings were not entered\").")
    var reopen: String?

    func validate() throws {
        if nilReturn, reopen != nil { throw ValidationError("choose one of --nil and --reopen") }
    }

    func run() async throws {
        let configuration = try connection.nodeConfiguration()
        let status: MonthlyReturn.Status = reopen != nil ? .reopened : nilReturn ? .nil : .complete
        let request = ReturnRequest(
            node: node,
            month: month,
            status: status.rawValue,
            reason: reopen,
            submittedBy: EventIdentity.operatingSystemUser
        )
        let result = try await ControlClient.withConnection(
            to: configuration.controlEndpoint,
            timeout: connection.timeoutDuration
        ) {
            try $0.makeReturn(request)
        }
        if let issues = result.issues, result.status == .invalid {
            print("refused: " + issues.map(\.description).joined(separator: "; "))
            throw ExitCode(2)
        }
        let what = "\(status.rawValue) return for \(month) (\(node ?? configuration.defaultNode ?? "?"))"
        if result.existing {
            print("\(what): already made, version \(result.version ?? 1), \(result.status.rawValue)")
        } else {
            print(
                "\(what): \(result.status.rawValue), version \(result.version ?? 1), sequence \(result.sequence ?? 0)"
            )
        }
    }
}

struct CompletenessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completeness",
        abstract: "Monthly returns: received and on time, per local node × month, per region and nationally.",
        discussion: """
            A local node is expected to make a return for every month from its active: date to its closed: date in \
            the taxonomy; a return is on time when the hub has it at most timelyDays (gaps.yaml, default 15) after \
            the month. Reads the hub's store; safe while the hub runs.
            """
    )

    @OptionGroup var options: HubReportOptions
    @OptionGroup var format: ReportFormatOptions

    @Option(name: .long, help: "Only this region (e.g. NO-NORD).")
    var region: String?

    @Option(name: .long, help: "From this month, YYYY-MM.")
    var from: String?

    @Option(name: .long, help: "Through this month, YYYY-MM.")
    var to: String?

    func run() async throws {
        guard case (.hub(let hub), let taxonomy) = try loadDaemonConfiguration(options.config) else {
            throw ValidationError("\(options.config) configures a node; reports are read from the hub's configuration")
        }
        let limits = try loadGapThresholds(options.thresholds, besideTaxonomy: hub.taxonomyPath, taxonomy: taxonomy)
        var day = LocalDate.today()
        if let text = options.asOf {
            guard let parsed = LocalDate(iso: text) else {
                throw ValidationError("--as-of \(text) is not a date; write YYYY-MM-DD, e.g. 2026-06-30")
            }
            day = parsed
        }
        let asOf = day
        let wanted = try ReportFilters.region(region, among: taxonomy.regions.map(\.code))
        func month(_ text: String?, _ flag: String) throws -> ReportingMonth? {
            guard let text else { return nil }
            guard let month = ReportingMonth(text: text) else {
                throw ValidationError("--\(flag) \(text) is not a month; write YYYY-MM, e.g. 2026-11")
            }
            return month
        }
        let first = try month(from, "from")
        let last = try month(to, "to")
        let timelyDays = limits.timelyDays
        let completeness = try await hub.storage.withStore { store in
            try store.completeness(
                taxonomy: taxonomy,
                asOf: asOf,
                timelyDays: timelyDays,
                region: wanted,
                from: first,
                to: last
            )
        }
        let report = CompletenessReport(completeness, taxonomy: taxonomy)
        if format.printTable(report.table) { return }
        print(report.text, terminator: "")
    }
}

struct PeriodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "period",
        abstract: "Sign off, accept (lock) or reopen a region's month, or show where it stands and its history.",
        discussion: """
            You sign in with your dashboard token (--token or KNUTEPUNKT_TOKEN), checked against the hub's access \
            file (hub.dashboardAccess): a regional lead (lead:REGION) signs off the region's months, the national \
            analyst accepts a signed-off month, which locks it (new activities, corrections, withdrawals and returns \
            dated in it are refused with PERIOD_LOCKED), and reopens a month with --reason. Every step is kept.
            """
    )

    enum Step: String, ExpressibleByArgument, CaseIterable {
        case show
        case signOff = "sign-off"
        case accept
        case reopen
    }

    @Option(name: .long, help: "The hub's configuration file.")
    var config: String

    @Argument(help: "show, sign-off, accept or reopen.")
    var step: Step = .show

    @Option(name: .long, help: "The region, e.g. NO-VEST.")
    var region: String

    @Option(name: .long, help: "The month, YYYY-MM.")
    var month: String

    @Option(name: .long, help: "Why the month is reopened.")
    var reason: String?

    @Option(name: .long, help: "Your dashboard sign-in token (default: $KNUTEPUNKT_TOKEN).")
    var token: String?

    @Option(name: .long, help: "The access file (default: the hub's dashboardAccess).")
    var access: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        guard case (.hub(let hub), _) = try loadDaemonConfiguration(config) else {
            throw ValidationError("\(config) configures a node; months are signed off and locked at the hub")
        }
        var request = PeriodRequest(region: region, month: month)
        if step != .show {
            guard let file = access ?? hub.dashboardAccess else {
                throw ValidationError("the hub has no dashboardAccess file; pass --access FILE")
            }
            guard let secret = token ?? ProcessInfo.processInfo.environment["KNUTEPUNKT_TOKEN"] else {
                throw ValidationError("sign in with --token TOKEN (or KNUTEPUNKT_TOKEN)")
            }
            guard let user = try loadDashboardAccess(file).user(forToken: secret) else {
                throw ValidationError("the token is not in \(file)")
            }
            request.step = PeriodLedger.Step.Kind(rawValue: step.rawValue)
            request.by = user.name
            request.role = user.role.rawValue
            request.actorRegion = user.region
            request.reason = reason
        }
        let wanted = request
        let result = try await ControlClient.withConnection(to: hub.controlEndpoint, curve: hub.viewerCurve) {
            try $0.period(wanted)
        }
        if json {
            print(String(decoding: JSONBody.encode(result), as: UTF8.self))
            return
        }
        print("\(result.region) \(result.month): \(result.state)")
        for entry in result.history {
            print(
                "  \(entry.at)  \(entry.kind.rawValue)  by \(entry.by) (\(entry.role.rawValue))"
                    + (entry.reason.map { ": \($0)" } ?? "")
            )
        }
    }
}
