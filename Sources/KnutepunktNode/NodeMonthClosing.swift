import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktWorkspace
import KnutepunktZMQ
import Logging

/// Closing the month in the workspace, as the node daemon does it (``MonthClosing``): the months come from the
/// taxonomy's reporting periods and the returns the node holds (RETURNS over its control socket), with the region's
/// sign-off and lock as the hub has them (PERIOD, only a look); a return goes through the node's RETURN request like
/// `knutepunkt return` (into the outbox, to the hub exactly once); the sign-off through the hub's PERIOD request like
/// `knutepunkt period sign-off`, in the lead's name, as this node's CURVE key, which the hub lists as a viewer.
struct NodeMonthClosing: MonthClosing {
    /// The hub's control socket as this node reaches it (`node.workspaceHubControl`).
    struct Hub: Sendable {
        var endpoint: String
        var curve: ZMQCurveClient?
    }

    let taxonomy: Taxonomy
    let nodeControl: @Sendable () async throws -> String
    let hub: Hub?
    let timeout: Duration
    let logger: Logger

    /// The section lists the months of the last year (older ones are for `knutepunkt completeness`).
    static let monthsShown = 12
    /// How long the look at the hub's sign-offs may take.
    static let lookTimeout: Duration = .seconds(2)

    func months(region: String, today: LocalDate) async throws -> [MonthStatus] {
        let held = try await ControlClient.withConnection(to: try await nodeControl(), timeout: timeout) {
            try $0.returns()
        }
        // As the node's status judges them: a return counts from when the node accepted it, unless the hub refused it.
        let kept = held.returns.filter { $0.state != "refused" }
        let made = kept.compactMap { entry -> ReceivedReturn? in
            guard let month = ReportingMonth(text: entry.month),
                let status = MonthlyReturn.Status(rawValue: entry.status),
                let day = LocalDate(iso: entry.acceptedOn)
            else { return nil }
            return ReceivedReturn(
                node: entry.node,
                region: region,
                month: month,
                version: entry.version,
                status: status,
                receivedOn: day,
                submittedBy: entry.submittedBy
            )
        }
        let table = Completeness(
            taxonomy: taxonomy,
            returns: made,
            asOf: today,
            timelyDays: Completeness.defaultTimelyDays,
            region: region,
            from: ReportingMonth(today).adding(months: -Self.monthsShown)
        )
        let periods = await approvals(region: region, months: table.months.map(\.text))
        let latest = Dictionary(kept.map { ("\($0.node) \($0.month)", $0) }, uniquingKeysWith: { $1 })
        return table.cells.map { cell in
            var status = MonthStatus(month: cell.month.text, node: cell.node, state: cell.state.rawValue)
            status.dueOn = cell.dueOn.iso
            switch cell.state {
            case .due: status.state = "due"
            case .overdue:
                status.state = "overdue"
                status.daysOverdue = cell.daysLate
            case .onTime, .late:
                status.state = "returned"
                let entry = latest["\(cell.node) \(cell.month.text)"]
                status.by = entry?.submittedBy
                status.at = entry?.acceptedAt
                status.delivery = entry?.state
                status.nilReturn = cell.status == .nil
            }
            if let approval = periods[cell.month.text], approval.state != "open", let step = approval.history.last {
                status.state = approval.locked ? "locked" : "signedOff"
                status.approvedBy = step.by
                status.approvedAt = step.at
            }
            return status
        }
        // Newest month first, then the local nodes in order.
        .sorted { ($1.month, $0.node) < ($0.month, $1.node) }
    }

    func makeReturn(month: String, node: String, nilReturn: Bool, by user: String) async throws -> MonthStatus {
        let request = ReturnRequest(
            node: node,
            month: month,
            status: (nilReturn ? MonthlyReturn.Status.nil : .complete).rawValue,
            submittedBy: user
        )
        let result = try await ControlClient.withConnection(to: try await nodeControl(), timeout: timeout) {
            try $0.makeReturn(request)
        }
        if result.status == .invalid {
            throw MonthClosingError(
                code: .refused,
                message: (result.issues ?? []).map(\.message).joined(separator: "; ")
            )
        }
        let today = LocalDate.today()
        return try await months(region: taxonomy.node(node)?.region ?? "", today: today)
            .first { $0.month == month && $0.node == node }
            ?? MonthStatus(month: month, node: node, state: "returned", by: user, nilReturn: nilReturn)
    }

    func signOff(month: String, region: String, by user: String) async throws -> [MonthStatus] {
        guard let hub else {
            throw MonthClosingError(
                code: .hubNotSetUp,
                message: "this node cannot reach the hub's control socket (node.workspaceHubControl), so it cannot "
                    + "send a sign-off; ask operations, or sign off with `knutepunkt period sign-off`"
            )
        }
        let today = LocalDate.today()
        let outstanding = try await months(region: region, today: today)
            .filter { $0.month == month && ($0.state == "due" || $0.state == "overdue") }
        guard outstanding.isEmpty else {
            throw MonthClosingError(
                code: .returnsOutstanding,
                message: "the return for \(month) is still outstanding for "
                    + outstanding.map(\.node).joined(separator: ", ")
                    + "; make it (or a nil return) before the month is signed off"
            )
        }
        let request = PeriodRequest(
            region: region,
            month: month,
            step: .signOff,
            by: user,
            role: PeriodLedger.Role.lead.rawValue,
            actorRegion: region
        )
        do {
            _ = try await ControlClient.withConnection(to: hub.endpoint, timeout: timeout, curve: hub.curve) {
                try $0.period(request)
            }
        } catch let error as ClientError where error.code == .refused {
            throw MonthClosingError(code: .refused, message: error.message)
        } catch {
            logger.warning("the hub did not take the sign-off", metadata: ["error": "\(error)"])
            throw MonthClosingError(
                code: .hubUnreachable,
                message: "the national hub did not answer, so nothing was signed off; the returns are safe in the "
                    + "node's outbox. Try again later"
            )
        }
        return try await months(region: region, today: today)
    }

    /// The region's months as the hub has them (sign-off, lock), one look each on one connection; none when the node
    /// cannot ask the hub or the hub does not answer (the section then shows the node's own view).
    private func approvals(region: String, months: [String]) async -> [String: PeriodResult] {
        guard let hub, !months.isEmpty else { return [:] }
        do {
            // A short wait: with the hub away the section still opens promptly, with the node's own view.
            return try await ControlClient.withConnection(to: hub.endpoint, timeout: Self.lookTimeout, curve: hub.curve)
            {
                client in
                var results: [String: PeriodResult] = [:]
                for month in months {
                    results[month] = try client.period(PeriodRequest(region: region, month: month))
                }
                return results
            }
        } catch {
            logger.warning("the hub's sign-offs could not be read", metadata: ["error": "\(error)"])
            return [:]
        }
    }
}
