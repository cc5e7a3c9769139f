import KnutepunktDomain

/// Completeness and timeliness of the monthly returns (DOMAIN.md §6, DHIS2's terms), per local node × month and
/// rolled up per region and nationally: how many returns were expected, how many came in, how many on time (at most
/// `timelyDays` after the month ended). Pure: built from the taxonomy's reporting periods and the returns the hub
/// holds, as of a day.
package struct Completeness: Sendable, Hashable {
    /// DHIS2's default: a return is on time up to 15 days after its month (the hub's `gaps.timelyDays`). A return's
    /// day is the one it was made at the node, where the hub can believe it (``ReceivedReturn/timelyOn``).
    package static let defaultTimelyDays = 15

    /// Where one node's return for one month stands.
    package enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Received within `timelyDays` after the month.
        case onTime = "on time"
        /// Received after that.
        case late
        /// Not received, and its due day has passed.
        case overdue
        /// Not received, not due yet.
        case due

        package var isReceived: Bool { self == .onTime || self == .late }
    }

    /// One local node × month.
    package struct Cell: Sendable, Hashable {
        package var region: String
        package var node: String
        package var month: ReportingMonth
        package var state: State
        /// complete or nil, for a received return.
        package var status: MonthlyReturn.Status?
        package var receivedOn: LocalDate?
        /// The day timeliness is judged by, for a received return (``ReceivedReturn/timelyOn``): the day the
        /// coordinator made it at the node, or the day it arrived.
        package var madeOn: LocalDate?
        /// The last day the return is on time.
        package var dueOn: LocalDate
        /// Days past `dueOn`, for an overdue return (as of the table's day) or a late one (when it came).
        package var daysLate: Int?
    }

    /// Returns expected, received and on time, and the rates.
    package struct Tally: Sendable, Hashable {
        package var expected = 0
        package var received = 0
        package var onTime = 0
        package var overdue = 0

        package init() {}

        /// received ÷ expected; nil with none expected.
        package var reportingRate: Double? { expected > 0 ? Double(received) / Double(expected) : nil }
        /// on time ÷ expected; nil with none expected.
        package var onTimeRate: Double? { expected > 0 ? Double(onTime) / Double(expected) : nil }

        mutating func add(_ cell: Cell) {
            expected += 1
            if cell.state.isReceived { received += 1 }
            if cell.state == .onTime { onTime += 1 }
            if cell.state == .overdue { overdue += 1 }
        }
    }

    package var asOf: LocalDate
    package var timelyDays: Int
    /// Region, node, month order.
    package var cells: [Cell]
    package var regions: [String: Tally]
    package var nodes: [String: Tally]
    package var national: Tally
    /// The months the table spans, in order.
    package var months: [ReportingMonth]

    /// The table as of `asOf`, for the months that have ended in `from...to` (nil: all of them), for one region or
    /// every region of the taxonomy.
    package init(
        taxonomy: Taxonomy,
        returns: [ReceivedReturn],
        asOf: LocalDate,
        timelyDays: Int,
        region: String? = nil,
        from: ReportingMonth? = nil,
        to: ReportingMonth? = nil
    ) {
        self.asOf = asOf
        self.timelyDays = timelyDays
        let latest = ReceivedReturn.latest(returns)
        var cells: [Cell] = []
        var regions: [String: Tally] = [:]
        var nodes: [String: Tally] = [:]
        var national = Tally()
        var months: Set<ReportingMonth> = []
        for regionEntry in taxonomy.regions where region == nil || regionEntry.code == region {
            for node in taxonomy.nodes(inRegion: regionEntry.code) {
                guard let period = taxonomy.reportingPeriod(of: node.code) else { continue }
                for month in period.expectedMonths(asOf: asOf) {
                    if let from, month < from { continue }
                    if let to, month > to { continue }
                    let due = month.dueDate(timelyDays: timelyDays)
                    let held = latest[node.code]?[month]
                    var cell = Cell(
                        region: regionEntry.code,
                        node: node.code,
                        month: month,
                        state: due < asOf ? .overdue : .due,
                        dueOn: due
                    )
                    if let held, held.status.isReceived {
                        cell.status = held.status
                        cell.receivedOn = held.receivedOn
                        cell.madeOn = held.timelyOn
                        cell.state = held.timelyOn <= due ? .onTime : .late
                        if cell.state == .late { cell.daysLate = due.days(to: held.timelyOn) }
                    } else if cell.state == .overdue {
                        cell.daysLate = due.days(to: asOf)
                    }
                    cells.append(cell)
                    months.insert(month)
                    regions[regionEntry.code, default: Tally()].add(cell)
                    nodes[node.code, default: Tally()].add(cell)
                    national.add(cell)
                }
            }
        }
        self.cells = cells
        self.regions = regions
        self.nodes = nodes
        self.national = national
        self.months = months.sorted()
    }

    /// The returns of `nodes` that are due or overdue as of the table's day, oldest first: what a node's status
    /// lists ("return due for 2026-11, 7 days overdue").
    package func outstanding(nodes codes: Set<String>? = nil) -> [Cell] {
        cells.filter { !$0.state.isReceived && (codes?.contains($0.node) ?? true) }
            .sorted { ($0.month, $0.node) < ($1.month, $1.node) }
    }
}

extension Completeness.Cell {
    /// "return due for 2026-11 (NO-VEST-FONNA), 7 days overdue" / "… due by 2026-12-15".
    package var dueSentence: String {
        switch state {
        case .overdue:
            let days = daysLate ?? 0
            return "return due for \(month) (\(node)), \(days) \(days == 1 ? "day" : "days") overdue"
        case .due:
            return "return due for \(month) (\(node)) by \(dueOn)"
        case .onTime, .late:
            return "return for \(month) (\(node)) received \(receivedOn.map(\.iso) ?? "")"
        }
    }
}
