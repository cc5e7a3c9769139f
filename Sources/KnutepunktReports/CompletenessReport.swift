import KnutepunktDomain

/// The completeness report (`knutepunkt completeness`): monthly returns received and on time, nationally, per region
/// and per local node, and the node × month grid. Every format lists the rows in the same order: national, then
/// each region followed by its nodes, then each node's months.
package struct CompletenessReport: Sendable {
    package var completeness: Completeness
    package var taxonomy: Taxonomy

    package init(_ completeness: Completeness, taxonomy: Taxonomy) {
        self.completeness = completeness
        self.taxonomy = taxonomy
    }

    /// Every level as rows: `national`, `region`, `node` with the tallies; `month` with one return's state.
    package var table: ReportTable {
        var table = ReportTable(columns: [
            "level", "region", "node", "month", "expected", "received", "on_time", "overdue", "reporting_rate",
            "on_time_rate", "state", "status", "received_on", "made_on", "due_on", "days_late",
        ])
        func tally(_ level: String, _ region: String?, _ node: String?, _ tally: Completeness.Tally) {
            table.rows.append(
                [
                    .text(level), region.map(ReportTable.Value.text) ?? .empty,
                    node.map(ReportTable.Value.text) ?? .empty, .empty, .integer(tally.expected),
                    .integer(tally.received), .integer(tally.onTime), .integer(tally.overdue),
                    tally.reportingRate.map { .decimal($0, digits: 3) } ?? .empty,
                    tally.onTimeRate.map { .decimal($0, digits: 3) } ?? .empty, .empty, .empty, .empty, .empty, .empty,
                    .empty,
                ]
            )
        }
        tally("national", nil, nil, completeness.national)
        for region in regions {
            tally("region", region, nil, completeness.regions[region] ?? Completeness.Tally())
            for node in nodes(in: region) {
                tally("node", region, node, completeness.nodes[node] ?? Completeness.Tally())
            }
        }
        for cell in completeness.cells {
            table.rows.append(
                [
                    .text("month"), .text(cell.region), .text(cell.node), .text(cell.month.text), .empty, .empty,
                    .empty,
                    .empty, .empty, .empty, .text(cell.state.rawValue),
                    cell.status.map { .text($0.rawValue) } ?? .empty,
                    cell.receivedOn.map { .text($0.iso) } ?? .empty, cell.madeOn.map { .text($0.iso) } ?? .empty,
                    .text(cell.dueOn.iso),
                    cell.daysLate.map(ReportTable.Value.integer) ?? .empty,
                ]
            )
        }
        return table
    }

    /// The text for a terminal: the tallies, then the grid (✓ on time, `+n` late by n days, `MISSING` overdue,
    /// `due` not due yet, `nil` for an on-time nil return).
    package var text: String {
        var out =
            "monthly returns as of \(completeness.asOf.iso) (on time: made within \(completeness.timelyDays) days "
        out += "after the month)\n"
        var summary = ReportTable(columns: [
            "returns", "expected", "received", "on time", "overdue", "reporting rate", "on-time rate",
        ])
        func row(_ name: String, _ tally: Completeness.Tally) {
            summary.rows.append([
                .text(name), .integer(tally.expected), .integer(tally.received), .integer(tally.onTime),
                .integer(tally.overdue), Self.percent(tally.reportingRate), Self.percent(tally.onTimeRate),
            ])
        }
        row("national", completeness.national)
        for region in regions {
            row(region, completeness.regions[region] ?? Completeness.Tally())
        }
        out += summary.text() + "\n"
        let months = completeness.months
        guard !months.isEmpty else { return out + "no returns are expected (no local node has an active: date)\n" }
        var grid = ReportTable(columns: ["node"] + months.map(\.text))
        var byNode: [String: [ReportingMonth: Completeness.Cell]] = [:]
        for cell in completeness.cells { byNode[cell.node, default: [:]][cell.month] = cell }
        for region in regions {
            for node in nodes(in: region) {
                grid.rows.append(
                    [.text(node)]
                        + months.map { month in
                            guard let cell = byNode[node]?[month] else { return .empty }
                            return .text(Self.mark(cell))
                        }
                )
            }
        }
        out += grid.text()
        out += "✓ on time · +n late by n days · MISSING overdue · due not due yet · nil a nil return\n"
        return out
    }

    static func mark(_ cell: Completeness.Cell) -> String {
        switch cell.state {
        case .onTime: cell.status == .nil ? "nil" : "✓"
        case .late: "+\(cell.daysLate ?? 0)"
        case .overdue: "MISSING"
        case .due: "due"
        }
    }

    static func percent(_ rate: Double?) -> ReportTable.Value {
        guard let rate else { return .text("–") }
        return .text("\(Int((rate * 100).rounded())) %")
    }

    private var regions: [String] {
        taxonomy.regions.map(\.code).filter { completeness.regions[$0] != nil }
    }

    private func nodes(in region: String) -> [String] {
        taxonomy.nodes(inRegion: region).map(\.code).filter { completeness.nodes[$0] != nil }
    }
}
