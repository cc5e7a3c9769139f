import Foundation
import Hummingbird
import KnutepunktClient
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktProtocol
import KnutepunktStore
import Logging

/// Sign-off and lock on the dashboard (docs/api.md): `GET dashboard/api/periods`, where each region's month stands
/// (open, signed off by the regional lead, locked by the national centre) with every step taken, read from the hub's
/// ledger in its store; and `POST dashboard/api/periods/REGION/MONTH/accept` or `…/reopen` (`{"reason"}`), which the
/// national analyst sends to the hub as its PERIOD request, exactly as `knutepunkt period accept|reopen` does: the
/// hub checks the step against its rules, records who, when and why, and announces the lock to the nodes.
extension DashboardAPI {
    struct PeriodsBody: Encodable {
        struct Cell: Encodable {
            var region: String
            var month: String
            /// `open`, `signedOff` or `locked`.
            var state: String
            /// Who took the step the state comes from, when, and why (a reopening's reason stays in the history).
            var by: String?
            var at: String?
        }

        /// Newest first: the twelve months that have ended, and any older month with a step.
        var months: [String]
        var regions: [String]
        var cells: [Cell]
        /// Every step, newest first: `region`, `month`, `kind`, `by`, `role`, `at`, `reason`.
        var history: [PeriodLedger.Step]
        /// Whether the signed-in user may accept and reopen months (the national analyst).
        var mayDecide: Bool
    }

    /// The months shown: the last twelve that have ended, and older ones the ledger has steps for.
    static let periodMonths = 12

    func periods(for user: DashboardUser?) async throws -> PeriodsBody {
        let steps = try await feed.perform { resources in try resources.hubStore().periodSteps() }
        let ledger = PeriodLedger(steps: steps)
        let current = ReportingMonth(LocalDate.today())
        var months = Set((1...Self.periodMonths).map { current.adding(months: -$0).text })
        for step in steps { months.insert(step.month) }
        let ordered = months.sorted(by: >)
        let regions = taxonomy.regions.map(\.code).filter { !taxonomy.nodes(inRegion: $0).isEmpty }
        var cells: [PeriodsBody.Cell] = []
        for region in regions {
            for month in ordered {
                switch ledger.state(region: region, month: month) {
                case .open:
                    cells.append(PeriodsBody.Cell(region: region, month: month, state: "open"))
                case .signedOff(let step):
                    cells.append(
                        PeriodsBody.Cell(region: region, month: month, state: "signedOff", by: step.by, at: step.at)
                    )
                case .locked(let step):
                    cells.append(
                        PeriodsBody.Cell(region: region, month: month, state: "locked", by: step.by, at: step.at)
                    )
                }
            }
        }
        return PeriodsBody(
            months: ordered,
            regions: regions,
            cells: cells,
            history: steps.reversed(),
            mayDecide: user?.role.mayDecideMonths == true
        )
    }

    struct MonthDecision: Decodable {
        var reason: String?
    }

    /// Accepts or reopens a region's month in the analyst's name, through the hub's PERIOD request.
    func decideMonth<Context: RequestContext>(_ request: Request, context: Context) async throws -> Response {
        guard let user = access.user(of: request) else {
            return DashboardRoutes.problem(.unauthorized, "a token is needed")
        }
        guard let region = context.parameters.get("region"), let month = context.parameters.get("month"),
            ReportingMonth(text: month) != nil,
            let kind = context.parameters.get("step").flatMap(PeriodLedger.Step.Kind.init(rawValue:)),
            kind != .signOff
        else {
            return DashboardRoutes.problem(
                .badRequest,
                "periods/REGION/YYYY-MM/accept or periods/REGION/YYYY-MM/reopen"
            )
        }
        let what: Logger.Metadata = [
            "user": "\(user.name)", "role": "\(user.role.rawValue)", "region": "\(region)", "month": "\(month)",
            "step": "\(kind.rawValue)",
        ]
        guard user.role.mayDecideMonths else {
            feed.logger.notice("month step refused: not the national analyst", metadata: what)
            return DashboardRoutes.problem(
                .forbidden,
                "only the national centre's analyst accepts or reopens a month; \(user.name) is \(user.role.rawValue)"
            )
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            return DashboardRoutes.problem(.unsupportedMediaType, "send JSON: {\"reason\": TEXT}")
        }
        var request = request
        let body = try await request.collectBody(upTo: 16 * 1024)
        guard let wanted = try? JSONDecoder().decode(MonthDecision.self, from: Data(buffer: body)) else {
            return DashboardRoutes.problem(.badRequest, "send JSON: {\"reason\": TEXT}")
        }
        let reason = wanted.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if kind == .reopen, reason?.isEmpty != false || (reason?.count ?? 0) > Self.maximumNoteLength {
            return DashboardRoutes.problem(
                .badRequest,
                "reopening a month needs a reason of 1 to \(Self.maximumNoteLength) characters"
            )
        }
        guard let endpoint = feed.hubControlEndpoint else { return Self.starting }
        let step = PeriodRequest(
            region: region,
            month: month,
            step: kind,
            by: user.name,
            role: PeriodLedger.Role.analyst.rawValue,
            reason: kind == .reopen ? reason : nil
        )
        let configuration = feed.configuration
        do {
            let result = try await ControlClient.withConnection(
                to: endpoint,
                timeout: configuration.controlTimeout,
                curve: configuration.curve
            ) { try $0.period(step) }
            if kind == .accept {
                feed.logger.notice("month accepted", metadata: what)
            } else {
                feed.logger.notice("month reopened", metadata: what)
            }
            return WebResponse.json(result)
        } catch let error as ClientError where error.code == .refused {
            feed.logger.notice("month step refused by the hub", metadata: what.merging(["error": "\(error)"]) { $1 })
            return DashboardRoutes.problem(.conflict, error.message)
        } catch {
            feed.logger.warning(
                "the hub did not take the month step",
                metadata: what.merging(["error": "\(error)"]) { $1 }
            )
            return DashboardRoutes.problem(
                .serviceUnavailable,
                "the hub did not answer; nothing was recorded. Try again, or ask operations to check the hub"
            )
        }
    }
}
