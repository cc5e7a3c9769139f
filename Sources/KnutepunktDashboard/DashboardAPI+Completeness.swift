import Foundation
import Hummingbird
import KnutepunktDomain
import KnutepunktStore

/// `GET dashboard/api/completeness`: the monthly returns per local node × month (docs/api.md), read from the hub's
/// store as of today: what the page's grid shows, overdue returns marked.
extension DashboardAPI {
    struct CompletenessBody: Encodable {
        struct Tally: Encodable {
            var expected: Int
            var received: Int
            var onTime: Int
            var overdue: Int

            init(_ tally: Completeness.Tally) {
                expected = tally.expected
                received = tally.received
                onTime = tally.onTime
                overdue = tally.overdue
            }
        }

        struct Cell: Encodable {
            var month: String
            /// `on time`, `late`, `overdue` or `due`.
            var state: String
            var status: String?
            var receivedOn: String?
            /// The day timeliness is judged by: made at the node (or received, where the hub cannot believe that).
            var madeOn: String?
            var dueOn: String
            var daysLate: Int?
        }

        struct Row: Encodable {
            var region: String
            var node: String
            var cells: [Cell]
        }

        var asOf: String
        var timelyDays: Int
        var months: [String]
        var national: Tally
        var regions: [String: Tally]
        var rows: [Row]
    }

    func completeness() async throws -> CompletenessBody {
        let taxonomy = taxonomy
        let timelyDays = feed.configuration.thresholds.timelyDays
        let table = try await feed.perform { resources in
            try resources.hubStore().completeness(taxonomy: taxonomy, asOf: LocalDate.today(), timelyDays: timelyDays)
        }
        var rows: [CompletenessBody.Row] = []
        for cell in table.cells {
            let entry = CompletenessBody.Cell(
                month: cell.month.text,
                state: cell.state.rawValue,
                status: cell.status?.rawValue,
                receivedOn: cell.receivedOn?.iso,
                madeOn: cell.madeOn?.iso,
                dueOn: cell.dueOn.iso,
                daysLate: cell.daysLate
            )
            if rows.last?.node == cell.node {
                rows[rows.count - 1].cells.append(entry)
            } else {
                rows.append(CompletenessBody.Row(region: cell.region, node: cell.node, cells: [entry]))
            }
        }
        return CompletenessBody(
            asOf: table.asOf.iso,
            timelyDays: table.timelyDays,
            months: table.months.map(\.text),
            national: .init(table.national),
            regions: table.regions.mapValues(CompletenessBody.Tally.init),
            rows: rows
        )
    }
}
