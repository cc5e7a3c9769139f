import Foundation
import HTTPTypes
import Hummingbird
import KnutepunktClient
import KnutepunktDomain
import KnutepunktHTTP
import KnutepunktProtocol
import KnutepunktSpreadsheet
import Logging

/// The JSON the workspace page uses, behind the sign-in check (docs/workspace.md).
struct WorkspaceAPI: Sendable {
    let routes: WorkspaceRoutes

    var configuration: WorkspaceConfiguration { routes.configuration }
    var node: WorkspaceNodeLink { routes.node }
    var logger: Logger { routes.logger }

    /// The largest request body: an event is small, a spreadsheet is not.
    static let maxEventBytes = 64 * 1024

    func add<Context: RequestContext>(to api: RouterGroup<Context>) {
        api.get("me") { request, _ in
            let user = try signedIn(request)
            return WebResponse.json(
                Me(
                    name: user.name,
                    role: user.role.rawValue,
                    region: configuration.region,
                    maySignOff: user.role.maySignOff,
                    mayChangeOthersActivities: user.role.mayChangeOthersActivities
                )
            )
        }
        api.get("form") { _, _ in
            WebResponse.json(form)
        }
        api.post("check") { request, _ in
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: Self.maxEventBytes))
            switch parse(body) {
            case .failure(let failure): return failure.response
            case .success(let value): return WebResponse.json(Checked(issues: check(value)))
            }
        }
        api.post("activities") { request, _ in
            let user = try signedIn(request)
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: Self.maxEventBytes))
            let value: JSONValue
            switch parse(body) {
            case .failure(let failure): return failure.response
            case .success(let parsed): value = parsed
            }
            return try await submit(value, by: user)
        }
        api.get("activities") { request, _ in
            _ = try signedIn(request)
            let query = request.uri.queryParameters
            let wanted = EventsRequest(
                since: query.get("since").flatMap { $0.isEmpty ? nil : $0 },
                state: query.get("state").flatMap { $0.isEmpty ? nil : $0 },
                limit: query.get("limit").flatMap(Int.init)
            )
            do {
                return WebResponse.json(try await node.events(wanted))
            } catch {
                return unreachable(error)
            }
        }
        api.get("activities/:id") { request, context in
            let user = try signedIn(request)
            guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else {
                return WorkspaceRoutes.problem(.badRequest, "an activity is named by its id, a UUID")
            }
            do {
                let history = try await node.history(of: id.lowercased())
                return WebResponse.json(Opened(history: history, user: user))
            } catch {
                return unreachable(error)
            }
        }
        api.post("activities/:id/withdraw") { request, context in
            let user = try signedIn(request)
            guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else {
                return WorkspaceRoutes.problem(.badRequest, "an activity is named by its id, a UUID")
            }
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: Self.maxEventBytes))
            guard let wanted = try? JSONBody.decode(Withdrawal.self, from: body),
                !wanted.reason.trimmingCharacters(in: .whitespaces).isEmpty
            else {
                return WorkspaceRoutes.problem(.badRequest, "say why: {\"reason\": \"…\", \"basedOn\": VERSION}")
            }
            return try await withdraw(id.lowercased(), wanted, by: user)
        }
        api.post("spreadsheet/check") { request, _ in
            _ = try signedIn(request)
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: Self.maxSpreadsheetBytes))
            switch spreadsheet(body) {
            case .failure(let failure): return failure.response
            case .success(let plan): return WebResponse.json(WorkspaceSpreadsheet(plan))
            }
        }
        api.post("spreadsheet/import") { request, _ in
            let user = try signedIn(request)
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: Self.maxSpreadsheetBytes))
            switch spreadsheet(body) {
            case .failure(let failure): return failure.response
            case .success(let plan): return try await importGoodRows(plan, by: user)
            }
        }
        api.get("template.csv") { _, _ in
            Self.csv(
                WorkspaceSpreadsheet.template(configuration.taxonomy, defaultNode: configuration.defaultNode),
                name: "activities-template.csv"
            )
        }
        api.get("codes.csv") { _, _ in
            Self.csv(WorkspaceSpreadsheet.codes(form), name: "activity-codes.csv")
        }
        api.get("months") { request, _ in
            guard let closing = configuration.monthClosing else {
                return WebResponse.json(Months(available: false, months: []))
            }
            do {
                // After a return the page asks with `drained`: the answer waits (bounded) until the hub has it.
                if request.uri.queryParameters.get("drained") != nil {
                    _ = try await node.status(waitingUpTo: configuration.deliveryWait)
                }
                let months = try await closing.months(region: configuration.region, today: LocalDate.today())
                return WebResponse.json(Months(available: true, months: months))
            } catch {
                return monthFailure(error)
            }
        }
        api.post("months/:month/return") { request, context in
            let user = try signedIn(request)
            var request = request
            let body = Array(buffer: try await request.collectBody(upTo: Self.maxEventBytes))
            guard let month = context.parameters.get("month"), Self.isMonth(month),
                let wanted = try? JSONBody.decode(MonthReturn.self, from: body)
            else {
                return WorkspaceRoutes.problem(.badRequest, "months/YYYY-MM/return expects {\"node\", \"nilReturn\"}")
            }
            guard user.role.mayMakeReturns else {
                return WorkspaceRoutes.problem(.forbidden, "only a coordinator or the regional lead makes returns")
            }
            guard let closing = configuration.monthClosing else { return Self.monthsUnavailable }
            let what: Logger.Metadata = [
                "user": "\(user.name)", "role": "\(user.role.rawValue)", "month": "\(month)",
                "node": "\(wanted.node)", "nil": "\(wanted.nilReturn)",
            ]
            do {
                let status = try await closing.makeReturn(
                    month: month,
                    node: wanted.node,
                    nilReturn: wanted.nilReturn,
                    by: user.name
                )
                logger.notice("month returned", metadata: what)
                return WebResponse.json(status)
            } catch {
                logger.notice("month return refused", metadata: what.merging(["error": "\(error)"]) { $1 })
                return monthFailure(error)
            }
        }
        api.post("months/:month/sign-off") { request, context in
            let user = try signedIn(request)
            guard let month = context.parameters.get("month"), Self.isMonth(month) else {
                return WorkspaceRoutes.problem(.badRequest, "name the month: months/YYYY-MM/sign-off")
            }
            let what: Logger.Metadata = ["user": "\(user.name)", "role": "\(user.role.rawValue)", "month": "\(month)"]
            guard user.role.maySignOff else {
                logger.notice("sign-off refused: not the regional lead", metadata: what)
                return WorkspaceRoutes.problem(.forbidden, "only the regional lead signs a month off")
            }
            guard let closing = configuration.monthClosing else { return Self.monthsUnavailable }
            do {
                let months = try await closing.signOff(month: month, region: configuration.region, by: user.name)
                logger.notice("month signed off", metadata: what)
                return WebResponse.json(Months(available: true, months: months))
            } catch {
                logger.notice("sign-off refused", metadata: what.merging(["error": "\(error)"]) { $1 })
                return monthFailure(error)
            }
        }
        api.get("picture") { _, _ in
            guard let hubGaps = configuration.hubGaps else {
                return WebResponse.json(
                    RegionPicture(
                        unavailable: "this node is not set up to ask the hub for its gaps (node.workspaceHubControl)"
                    )
                )
            }
            do {
                let snapshot = try await hubGaps()
                var coverage: RegionCoverage?
                do {
                    coverage = try await configuration.hubCoverage?(configuration.region)
                } catch {
                    logger.notice("the hub's coverage could not be read", metadata: ["error": "\(error)"])
                }
                return WebResponse.json(
                    RegionPicture(snapshot: snapshot, coverage: coverage, region: configuration.region)
                )
            } catch {
                logger.warning("the hub's gaps could not be read", metadata: ["error": "\(error)"])
                return WebResponse.json(
                    RegionPicture(unavailable: "the hub could not be asked just now; try again later")
                )
            }
        }
        api.get("status") { _, _ in
            WebResponse.json(await status())
        }
        api.get("delivery") { request, _ in
            _ = try signedIn(request)
            guard let id = request.uri.queryParameters.get("id"), UUID(uuidString: id) != nil else {
                return WorkspaceRoutes.problem(.badRequest, "name the activity: delivery?id=UUID")
            }
            return try await delivery(of: id.lowercased())
        }
    }

    /// The largest spreadsheet accepted.
    static let maxSpreadsheetBytes = 8 << 20

    var form: WorkspaceForm {
        WorkspaceForm(
            taxonomy: configuration.taxonomy,
            region: configuration.region,
            defaultNode: configuration.defaultNode
        )
    }

    /// A spreadsheet checked row by row, as `knutepunkt import` checks it; nothing is sent.
    func spreadsheet(_ body: [UInt8]) -> Result<SpreadsheetImport, ResponseFailure> {
        do {
            return .success(
                try SpreadsheetImport(
                    bytes: body,
                    nodeID: configuration.nodeID,
                    region: configuration.region,
                    defaultNode: configuration.defaultNode,
                    taxonomy: configuration.taxonomy
                )
            )
        } catch {
            return .failure(ResponseFailure(WorkspaceRoutes.problem(.badRequest, "\(error)")))
        }
    }

    /// Imports the good rows of a checked spreadsheet in `user`'s name; the header must be right first. A row is its
    /// id, else its key, else its content: importing the same file again stores nothing twice, and a changed row
    /// with an id or key corrects its activity.
    func importGoodRows(_ plan: SpreadsheetImport, by user: WorkspaceUser) async throws -> Response {
        guard !plan.headerBroken else {
            return WorkspaceRoutes.problem(.unprocessableContent, "fix the header row first; nothing was imported")
        }
        let outcome: SpreadsheetImport.Outcome
        do {
            outcome = try await plan.submit(
                to: try await configuration.controlEndpoint(),
                timeout: configuration.controlTimeout,
                submittedBy: user.name
            ) { _, _ in }
        } catch {
            return unreachable(error)
        }
        logger.notice(
            "spreadsheet imported",
            metadata: [
                "user": "\(user.name)", "role": "\(user.role.rawValue)", "rows.queued": "\(outcome.queued)",
                "rows.corrected": "\(outcome.corrected.count)", "rows.refused": "\(outcome.refused.count)",
                "rows.skipped": "\(plan.badRowCount)",
            ]
        )
        return WebResponse.json(
            Imported(
                queued: outcome.queued,
                corrected: outcome.corrected.map(\.text),
                alreadyThere: outcome.alreadyThere,
                refused: outcome.refused.map(\.text),
                skipped: plan.badRowCount
            )
        )
    }

    static func csv(_ text: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"\(name)\"",
            ],
            // A byte order mark, so that Excel reads the file as UTF-8.
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8)))
        )
    }

    /// Who signed in (the middleware let the request through, so there is someone).
    func signedIn(_ request: Request) throws -> WorkspaceUser {
        guard let user = routes.user(of: request) else {
            throw HTTPError(.unauthorized, message: "sign in first")
        }
        return user
    }

    /// The request body as JSON, or a 400 saying where it stops being JSON.
    func parse(_ body: [UInt8]) -> Result<JSONValue, ResponseFailure> {
        do {
            return .success(try JSONValue.parse(body))
        } catch {
            return .failure(
                ResponseFailure(WorkspaceRoutes.problem(.badRequest, "not JSON: \(error.located(in: body))"))
            )
        }
    }

    /// Every problem the validator finds, as the node would find them (its region and default local node); the
    /// privacy guard among them, so a note with an identity number never leaves the page's request.
    func check(_ value: JSONValue) -> [ValidationIssue] {
        let defaults = EventDefaults(
            region: configuration.region,
            node: configuration.defaultNode,
            makeID: { UUID.timeOrdered() }
        )
        switch routes.validator.validate(Self.withoutSubmitter(value), defaults: defaults, today: LocalDate.today()) {
        case .success: return []
        case .failure(let failure): return failure.issues
        }
    }

    /// Who submitted a version is the node's to write, from the session; never the page's.
    static func withoutSubmitter(_ value: JSONValue) -> JSONValue {
        guard case .object(var members) = value else { return value }
        members["submitted_by"] = nil
        members["submitted_at"] = nil
        return .object(members)
    }

    /// Sends to the node in `user`'s name and answers the node's result: queued, or refused with every problem its
    /// validator found (the same `EventValidator` as the CLI's, with the taxonomy version the node holds now, which
    /// may be newer than the one the form was built from). A correction (`based_on`) of someone else's activity
    /// needs the regional lead.
    func submit(_ value: JSONValue, by user: WorkspaceUser) async throws -> Response {
        if let id = value.objectValue?["id"]?.stringValue, value.objectValue?["based_on"] != nil,
            UUID(uuidString: id) != nil,
            let refusal = try await refusal(toChange: id.lowercased(), by: user, doing: "correct")
        {
            return refusal
        }
        let results: [SubmitResult]
        do {
            results = try await node.submit([Self.withoutSubmitter(value)], by: user)
        } catch {
            return unreachable(error)
        }
        let result = results[0]
        logger.notice(
            "activity submitted",
            metadata: [
                "user": "\(user.name)", "role": "\(user.role.rawValue)", "event.id": "\(result.id ?? "-")",
                "event.version": "\(result.version ?? 0)", "status": "\(result.status.rawValue)",
            ]
        )
        return WebResponse.json(result, status: result.status == .invalid ? .unprocessableContent : .ok)
    }

    /// Withdraws an activity in `user`'s name (the node appends the withdrawal as its next version).
    func withdraw(_ id: String, _ wanted: Withdrawal, by user: WorkspaceUser) async throws -> Response {
        if let refusal = try await refusal(toChange: id, by: user, doing: "withdraw") { return refusal }
        let result: SubmitResult
        do {
            result = try await node.withdraw(
                WithdrawRequest(id: id, reason: wanted.reason, submittedBy: user.name, basedOn: wanted.basedOn)
            )
        } catch {
            return unreachable(error)
        }
        logger.notice(
            "activity withdrawn",
            metadata: [
                "user": "\(user.name)", "role": "\(user.role.rawValue)", "event.id": "\(id)",
                "event.version": "\(result.version ?? 0)", "status": "\(result.status.rawValue)",
            ]
        )
        return WebResponse.json(result, status: result.status == .invalid ? .unprocessableContent : .ok)
    }

    /// Why `user` may not change activity `id` (403), or nil when they may: a coordinator changes the activities
    /// they recorded, the regional lead every one. An activity the node does not hold is left to the node to refuse.
    func refusal(toChange id: String, by user: WorkspaceUser, doing what: String) async throws -> Response? {
        guard !user.role.mayChangeOthersActivities else { return nil }
        let history: NodeEventHistory
        do {
            history = try await node.history(of: id)
        } catch let error as ClientError where error.code == .refused {
            return nil
        } catch {
            return unreachable(error)
        }
        let recordedBy = history.versions.first?.entry.submittedBy
        guard let recordedBy, recordedBy != user.name else { return nil }
        logger.notice(
            "change refused: not the recorder",
            metadata: ["user": "\(user.name)", "role": "\(user.role.rawValue)", "event.id": "\(id)"]
        )
        return WorkspaceRoutes.problem(
            .forbidden,
            "\(recordedBy) recorded this activity: only they or the regional lead may \(what) it"
        )
    }

    /// Waits until the node's outbox has drained (or ``WorkspaceConfiguration/deliveryWait`` passed), then says
    /// where the activity stands: the page asks again while it is queued.
    func delivery(of id: String) async throws -> Response {
        let report: NodeStatusReport
        let list: EventList
        do {
            report = try await node.status(waitingUpTo: configuration.deliveryWait)
            list = try await node.events(EventsRequest(limit: EventsRequest.maximumLimit))
        } catch {
            return unreachable(error)
        }
        guard let entry = list.events.first(where: { $0.id.lowercased() == id }) else {
            return WorkspaceRoutes.problem(.notFound, "this node holds no activity \(id)")
        }
        return WebResponse.json(Delivery(activity: entry, hub: HubLink(report.hub)))
    }

    /// The node's link to the hub and its outbox, for the banner every page shows.
    func status() async -> NodeLink {
        do {
            let report = try await node.status()
            return NodeLink(
                node: true,
                hub: HubLink(report.hub),
                backlog: report.outbox.backlog,
                lastSequence: report.outbox.lastSequence,
                deliveredThrough: report.outbox.deliveredThrough
            )
        } catch {
            return NodeLink(node: false, hub: nil, backlog: nil, lastSequence: nil, deliveredThrough: nil)
        }
    }

    func unreachable(_ error: any Error) -> Response {
        logger.warning("the node did not answer", metadata: ["error": "\(error)"])
        if let error = error as? ClientError, error.code == .refused {
            return WorkspaceRoutes.problem(.badRequest, error.message)
        }
        return WorkspaceRoutes.problem(
            .serviceUnavailable,
            "the node daemon did not answer; nothing was sent. Try again, or ask operations to check the node"
        )
    }

    /// A step of closing the month that failed: refused (422, the reason in words), not possible yet (409), or the
    /// node or the hub not answering (503).
    func monthFailure(_ error: any Error) -> Response {
        guard let error = error as? MonthClosingError else { return unreachable(error) }
        switch error.code {
        case .returnsOutstanding: return WorkspaceRoutes.problem(.conflict, error.message)
        case .refused: return WorkspaceRoutes.problem(.unprocessableContent, error.message)
        default: return WorkspaceRoutes.problem(.serviceUnavailable, error.message)
        }
    }

    struct ResponseFailure: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    struct Me: Encodable {
        var name: String
        var role: String
        var region: String
        var maySignOff: Bool
        var mayChangeOthersActivities: Bool
    }

    struct Checked: Encodable {
        var issues: [ValidationIssue]
    }

    struct HubLink: Encodable {
        /// `ready`, `greeting` or `disconnected`.
        var state: String
        var reachable: Bool
        var lastHeardSecondsAgo: Int64?

        init(_ uplink: NodeStatusReport.Uplink) {
            state = uplink.state
            reachable = uplink.state == "ready"
            lastHeardSecondsAgo = uplink.lastHeardMillisAgo.map { $0 / 1000 }
        }
    }

    struct NodeLink: Encodable {
        /// Whether the node daemon answered.
        var node: Bool
        var hub: HubLink?
        var backlog: Int?
        var lastSequence: UInt64?
        var deliveredThrough: UInt64?
    }

    static var monthsUnavailable: Response {
        WorkspaceRoutes.problem(.notImplemented, "closing the month is not available on this node yet")
    }

    static func isMonth(_ text: String) -> Bool {
        LocalDate(iso: text + "-01") != nil && text.count == 7
    }

    struct Months: Encodable {
        /// Whether this node closes months yet (the reporting-periods work wired in).
        var available: Bool
        var months: [MonthStatus]
    }

    struct MonthReturn: Decodable {
        var node: String
        var nilReturn: Bool
    }

    struct Imported: Encodable {
        var queued: Int
        var corrected: [String]
        var alreadyThere: Int
        var refused: [String]
        /// Rows with problems, left out.
        var skipped: Int
    }

    struct Withdrawal: Decodable {
        var reason: String
        var basedOn: Int?
    }

    /// One activity opened: every version the node holds, and whether the signed-in user may change it.
    struct Opened: Encodable {
        var id: String
        var versions: [NodeEventHistory.Version]
        var recordedBy: String?
        var mayChange: Bool

        init(history: NodeEventHistory, user: WorkspaceUser) {
            id = history.id
            versions = history.versions
            recordedBy = history.versions.first?.entry.submittedBy
            mayChange = user.role.mayChangeOthersActivities || recordedBy == nil || recordedBy == user.name
        }
    }

    struct Delivery: Encodable {
        var activity: EventList.Entry
        var hub: HubLink
    }
}
