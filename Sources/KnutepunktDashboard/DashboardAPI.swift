import Foundation
import HTTPTypes
import Hummingbird
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktHTTP
import KnutepunktProtocol
import KnutepunktStore
import ServiceLifecycle

/// The JSON and CSV behind every view, and the live stream (docs/api.md). Mounted behind the token check.
struct DashboardAPI: Sendable {
    let feed: DashboardFeed
    let access: DashboardAccess

    var state: DashboardState { feed.state }
    var taxonomy: Taxonomy { feed.configuration.taxonomy }

    func add<Context: RequestContext>(to api: RouterGroup<Context>) {
        api.get("me") { request, _ in
            WebResponse.json(access.user(of: request))
        }
        api.get("overview") { _, _ in
            let snapshot = state.snapshot
            return WebResponse.json(
                Overview(
                    asOf: snapshot.views?.asOf,
                    events: snapshot.views?.events,
                    openGaps: snapshot.gaps.count,
                    redGaps: snapshot.gaps.values.filter { $0.severity == "RED" }.count,
                    gapSequence: snapshot.gapSequence,
                    hubProblem: snapshot.hubProblem,
                    storeProblem: snapshot.storeProblem
                )
            )
        }
        api.get("heatmap") { _, _ in
            guard let heatmap = heatmap() else { return Self.starting }
            return WebResponse.json(heatmap)
        }
        api.get("heatmap.csv") { request, _ in
            guard let views = state.snapshot.views else { return Self.starting }
            // The coverage table as `knutepunkt coverage --csv` writes it (cells under 5 written <5).
            let dialect = Self.dialect(request)
            return Self.csv(views.coverage.csv(dialect), name: "heatmap-\(views.asOf).csv")
        }
        api.get("summary") { _, _ in
            guard let views = state.snapshot.views else { return Self.starting }
            return WebResponse.json(views.overview)
        }
        api.get("gaps") { _, _ in
            WebResponse.json(gaps())
        }
        api.get("gaps.csv") { request, _ in
            let body = gaps()
            let dialect = Self.dialect(request)
            var groupOf: [String: Int] = [:]
            for (index, group) in body.groups.enumerated() {
                for key in group.keys { groupOf[key] = index + 1 }
            }
            let table = ReportTable(
                columns: GapRecord.tableColumns,
                rows: body.gaps.enumerated().map { index, entry in
                    entry.gap.tableRow(
                        rank: index + 1,
                        group: groupOf[entry.gap.key] ?? 0,
                        decimalMark: dialect == .csv ? "." : ","
                    )
                }
            )
            return Self.csv(table.csv(dialect), name: "gaps.csv")
        }
        api.get("completeness") { _, _ in
            WebResponse.json(try await completeness())
        }
        api.get("periods") { request, _ in
            try await WebResponse.json(periods(for: access.user(of: request)))
        }
        api.post("periods/:region/:month/:step") { request, context in
            try await decideMonth(request, context: context)
        }
        api.get("acknowledgements") { _, _ in
            WebResponse.json(state.snapshot.acknowledgements)
        }
        api.post("acknowledgements") { request, context in
            try await acknowledge(request, context: context)
        }
        api.get("events") { request, _ in
            guard let query = eventQuery(request) else {
                return DashboardRoutes.problem(.badRequest, "from and to must be dates (YYYY-MM-DD), from before to")
            }
            return WebResponse.json(try await events(query))
        }
        api.get("events.csv") { request, _ in
            guard let query = eventQuery(request) else {
                return DashboardRoutes.problem(.badRequest, "from and to must be dates (YYYY-MM-DD), from before to")
            }
            return Self.csv(try await events(query).csv, name: "events.csv")
        }
        api.get("events/:id/history") { _, context in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
                return DashboardRoutes.problem(.badRequest, "an event id is a UUID")
            }
            guard let history = try await history(id) else {
                return DashboardRoutes.problem(.notFound, "the hub holds no version of this event")
            }
            return WebResponse.json(history)
        }
        api.get("nodes") { _, _ in
            WebResponse.json(nodes())
        }
        api.get("trends") { _, _ in
            guard let views = state.snapshot.views else { return Self.starting }
            return WebResponse.json(views.trends)
        }
        api.get("trends.csv") { request, _ in
            guard let views = state.snapshot.views else { return Self.starting }
            var table = ReportTable(columns: ["region", "target_group", "quarter", "partial", "in_window", "events"])
            for series in views.trends.series {
                for (index, quarter) in views.trends.quarters.enumerated() {
                    table.rows.append([
                        .text(series.region), .text(series.targetGroup), .text(quarter),
                        .text(views.trends.partial[index] ? "yes" : "no"),
                        .text(views.trends.inWindow[index] ? "yes" : "no"),
                        series.events[index].map { .integer($0) } ?? .withheld,
                    ])
                }
            }
            return Self.csv(table.csv(Self.dialect(request)), name: "trends-\(views.asOf).csv")
        }
        api.get("programmes") { _, _ in
            guard let views = state.snapshot.views else { return Self.starting }
            return WebResponse.json(views.programmes)
        }
        api.get("programmes.csv") { request, _ in
            guard let views = state.snapshot.views else { return Self.starting }
            var table = ReportTable(columns: ["code", "name", "evidence_band", "tiers", "ratings", "delivered_in"])
            for programme in views.programmes {
                let ratings = programme.ratings.map {
                    [$0.system, $0.rating, $0.scaleVersion, $0.date].compactMap { $0 }.joined(separator: " ")
                }
                table.rows.append([
                    .text(programme.code), .text(programme.name), .text(programme.evidenceBand),
                    .text(programme.tiers.joined(separator: " ")), .text(ratings.joined(separator: "; ")),
                    .text(programme.deliveredIn.joined(separator: " ")),
                ])
            }
            return Self.csv(table.csv(Self.dialect(request)), name: "programmes.csv")
        }
        api.get("stream") { _, _ in
            stream()
        }
    }

    // MARK: Views

    struct Overview: Encodable {
        var asOf: String?
        var events: Int?
        var openGaps: Int
        var redGaps: Int
        var gapSequence: UInt64
        var hubProblem: String?
        var storeProblem: String?
    }

    /// The heatmap. The store's total of events is an operational counter and is served with the overview (like the
    /// events per node daemon), not here with the statistics (docs/disclosure.md).
    struct Heatmap: Encodable {
        var asOf: String
        var countries: [DashboardViews.HeatmapCountry]
    }

    /// The heatmap with the open gaps marked on their cells.
    func heatmap() -> Heatmap? {
        let snapshot = state.snapshot
        guard var views = snapshot.views else { return nil }
        var markers: [String: [DashboardViews.GapMarker]] = [:]
        for gap in snapshot.sortedGaps {
            guard let region = gap.region, let group = gap.targetGroup else { continue }
            markers["\(region)|\(group)", default: []].append(
                DashboardViews.GapMarker(key: gap.key, rule: gap.rule, severity: gap.severity)
            )
        }
        for country in views.heatmap.indices {
            for cell in views.heatmap[country].cells.indices {
                let key =
                    "\(views.heatmap[country].cells[cell].region)|\(views.heatmap[country].cells[cell].targetGroup)"
                views.heatmap[country].cells[cell].gaps = markers[key] ?? []
            }
        }
        return Heatmap(asOf: views.asOf, countries: views.heatmap)
    }

    struct Gaps: Encodable {
        var sequence: UInt64
        var epoch: String?
        var asOf: String?
        /// The open gaps, highest priority first, group by group.
        var gaps: [Gap]
        /// The open gaps grouped (the same rule and severity about one subject in several regions, or several
        /// subjects in one region), highest priority first.
        var groups: [GapGroup]
    }

    struct Gap: Encodable {
        var gap: GapRecord
        /// The latest acknowledgement of this opening of the gap.
        var acknowledgement: Acknowledgement?
        /// The API address of the events behind the gap (its region and target group, in its window).
        var events: String?
    }

    func gaps() -> Gaps {
        let snapshot = state.snapshot
        let asOf = snapshot.views.flatMap { LocalDate(iso: $0.asOf) } ?? LocalDate.today()
        let windowStart = asOf.adding(months: -feed.configuration.thresholds.windowMonths)
        let groups = GapGrouping.groups(Array(snapshot.gaps.values), taxonomy: taxonomy)
        let ranked = groups.flatMap { $0.keys.compactMap { snapshot.gaps[$0] } }
        return Gaps(
            sequence: snapshot.gapSequence,
            epoch: snapshot.gapEpoch,
            asOf: snapshot.views?.asOf,
            gaps: ranked.map { gap in
                var query: [String] = []
                if let region = gap.region { query.append("region=\(region)") }
                if let group = gap.targetGroup { query.append("targetGroup=\(group)") }
                let reference = GapRecordReference(key: gap.key, openedOn: gap.openedOn)
                return Gap(
                    gap: gap,
                    acknowledgement: snapshot.acknowledgements.first { $0.covers(reference) },
                    events: query.isEmpty
                        ? nil
                        : "\(DashboardRoutes.prefix)/api/events?" + query.joined(separator: "&")
                            + "&from=\(windowStart.iso)&to=\(asOf.iso)"
                )
            },
            groups: groups
        )
    }

    struct Nodes: Encodable {
        struct Daemon: Encodable {
            var id: String
            var region: String
            var connected: Bool
            var lastHeardSecondsAgo: Int64?
            var settledThrough: UInt64
            var events: Int
            /// The start of each public key it may connect with (Z85).
            var keys: [String]
            /// Events waiting in the node's outbox: only the node knows it (`knutepunkt status` on the node).
            var backlog: Int?
        }
        var statusAt: String?
        var hub: String?
        var version: String?
        var security: String?
        var hubProblem: String?
        var daemons: [Daemon]
        var localNodes: [DashboardViews.LocalNode]
    }

    func nodes() -> Nodes {
        let snapshot = state.snapshot
        let keys = feed.configuration.nodeKeys
        return Nodes(
            statusAt: snapshot.statusAt.map(AcknowledgementStore.timestamp),
            hub: snapshot.status?.hub,
            version: snapshot.status?.version,
            security: snapshot.status?.security?.mode,
            hubProblem: snapshot.hubProblem,
            daemons: (snapshot.status?.nodes ?? []).map { node in
                Nodes.Daemon(
                    id: node.id,
                    region: node.region,
                    connected: node.connected,
                    lastHeardSecondsAgo: node.lastHeardMillisAgo.map { $0 / 1000 },
                    settledThrough: node.settledThrough,
                    events: node.events,
                    keys: (keys[node.id] ?? []).map { String($0.prefix(12)) + "…" },
                    backlog: nil
                )
            },
            localNodes: snapshot.views?.localNodes ?? []
        )
    }

    // MARK: Events

    func eventQuery(_ request: Request) -> EventQuery? {
        let parameters = request.uri.queryParameters
        let today = state.snapshot.views.flatMap { LocalDate(iso: $0.asOf) } ?? LocalDate.today()
        let to = parameters.get("to").map { LocalDate(iso: $0) } ?? today
        let from =
            parameters.get("from").map { LocalDate(iso: $0) }
            ?? to.map { $0.adding(months: -feed.configuration.thresholds.windowMonths) }
        guard let from, let to, from < to else { return nil }
        return EventQuery(
            region: parameters.get("region").flatMap { $0.isEmpty ? nil : $0 },
            targetGroup: parameters.get("targetGroup").flatMap { $0.isEmpty ? nil : $0 },
            from: from,
            to: to,
            limit: parameters.get("limit").flatMap(Int.init) ?? 500
        )
    }

    func events(_ query: EventQuery) async throws -> EventListing {
        let taxonomy = taxonomy
        return try await feed.perform { resources in
            try EventListing.read(query, from: resources.hubStore(), taxonomy: taxonomy)
        }
    }

    /// Every version of one event, counts under 5 withheld.
    func history(_ id: UUID) async throws -> EventHistory? {
        try await feed.perform { resources in
            try EventHistory.read(id, from: resources.hubStore(), withholdSmallCounts: true)
        }
    }

    // MARK: Acknowledgements

    struct AcknowledgementRequest: Decodable {
        var key: String
        var note: String
    }

    static let maximumNoteLength = 2000

    func acknowledge<Context: RequestContext>(_ request: Request, context: Context) async throws -> Response {
        guard let user = access.user(of: request) else {
            return DashboardRoutes.problem(.unauthorized, "a token is needed")
        }
        guard user.role.mayAcknowledge else {
            return DashboardRoutes.problem(.forbidden, "only analysts acknowledge gaps; \(user.name) is a viewer")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            return DashboardRoutes.problem(.unsupportedMediaType, "send JSON: {\"key\": GAP_KEY, \"note\": TEXT}")
        }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        guard let wanted = try? JSONDecoder().decode(AcknowledgementRequest.self, from: Data(buffer: body)) else {
            return DashboardRoutes.problem(.badRequest, "send JSON: {\"key\": GAP_KEY, \"note\": TEXT}")
        }
        let note = wanted.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty, note.count <= Self.maximumNoteLength else {
            return DashboardRoutes.problem(.badRequest, "a note of 1 to \(Self.maximumNoteLength) characters is needed")
        }
        guard let gap = state.snapshot.gaps[wanted.key] else {
            return DashboardRoutes.problem(.notFound, "no open gap has the key \(wanted.key)")
        }
        let reference = GapRecordReference(key: gap.key, openedOn: gap.openedOn)
        let acknowledgement = try await feed.perform { resources in
            let stored = try resources.acknowledgements.add(
                gap: reference,
                severity: gap.severity,
                user: user,
                note: note,
                at: Date()
            )
            resources.state.update(.acknowledged(stored)) { $0.acknowledgements.insert(stored, at: 0) }
            return stored
        }
        var response = WebResponse.json(acknowledgement)
        response.status = .created
        return response
    }

    // MARK: Live stream

    /// Server-Sent Events: every change the feed sees, until the client leaves or the dashboard stops.
    func stream() -> Response {
        let notices = state.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            // The first message says where the page stands, so it can tell a reconnect from a first connect.
            let hello = "retry: 2000\nevent: hello\ndata: {\"gapSequence\":\(state.snapshot.gapSequence)}\n\n"
            try await writer.write(ByteBuffer(string: hello))
            for await notice in notices.cancelOnGracefulShutdown() {
                try await writer.write(ByteBuffer(string: notice.serverSentEvent))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: Responses

    static var starting: Response {
        DashboardRoutes.problem(.serviceUnavailable, "the dashboard is still reading the hub's store; try again")
    }

    /// The CSV dialect a download asks for: `?dialect=excel` for Norwegian Excel, else plain CSV.
    static func dialect(_ request: Request) -> ReportTable.Dialect {
        request.uri.queryParameters.get("dialect") == "excel" ? .excel : .csv
    }

    static func csv(_ text: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Disposition")!] = "attachment; filename=\"\(name)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
