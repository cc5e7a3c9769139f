import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore

/// Which stored events to list: the events behind a heatmap cell or a gap.
package struct EventQuery: Sendable, Hashable {
    package var region: String?
    package var targetGroup: String?
    /// Exclusive start and inclusive end (as the gap window: `from < date ≤ to`).
    package var from: LocalDate
    package var to: LocalDate
    /// Most events listed.
    package var limit: Int

    package static let maximumLimit = 1000

    package init(region: String?, targetGroup: String?, from: LocalDate, to: LocalDate, limit: Int = 500) {
        self.region = region
        self.targetGroup = targetGroup
        self.from = from
        self.to = to
        self.limit = max(1, min(limit, Self.maximumLimit))
    }

    func matches(_ event: ActivityEvent) -> Bool {
        from < event.date && event.date <= to && (region == nil || event.region == region)
            && (targetGroup == nil || event.targetGroups.contains(targetGroup!))
    }
}

/// The stored events a query matched, as they may leave the hub: each event's figures under 5 are withheld, and
/// when fewer than 5 events match, none is listed (their number alone could single out a family's service). Each
/// event is its latest version (withdrawn events are not listed), with the address of its history.
package struct EventListing: Sendable, Hashable, Codable {
    package struct Event: Sendable, Hashable, Codable {
        package var id: String
        /// The latest version's number (1: never corrected).
        package var version: Int
        /// The API address of every version of the event (``EventHistory``).
        package var history: String
        package var date: String
        package var region: String
        package var node: String
        package var kind: String
        package var tier: String
        package var targetGroups: [String]
        package var ageBands: [String]
        package var professions: [String]
        package var programmes: [String]
        package var funding: String
        package var sessions: Int
        /// nil when withheld (1…4).
        package var families: Int?
        package var participants: Int?
    }

    package var region: String?
    package var targetGroup: String?
    package var from: String
    package var to: String
    /// Events matched; nil when withheld (1…4).
    package var matched: Int?
    /// True when the matches are fewer than 5 and nothing is listed.
    package var withheld: Bool
    /// Listed events, newest first (at most the query's limit).
    package var events: [Event]
    /// More events matched than are listed.
    package var truncated: Bool

    /// Reads the store's events (validated as of `to`) and lists those `query` matches.
    package static func read(
        _ query: EventQuery,
        from store: any HubStore,
        taxonomy: Taxonomy
    ) throws -> EventListing {
        var matched: [ActivityEvent] = []
        try store.forEachEvent(validator: EventValidator(taxonomy: taxonomy), today: query.to) { event in
            if query.matches(event) { matched.append(event) }
        }
        matched.sort { ($0.date, $0.id.uuidString) > ($1.date, $1.id.uuidString) }
        let withheld = SmallCells.isSmall(matched.count)
        let listed = withheld ? [] : matched.prefix(query.limit)
        return EventListing(
            region: query.region,
            targetGroup: query.targetGroup,
            from: query.from.iso,
            to: query.to.iso,
            matched: withheld ? nil : matched.count,
            withheld: withheld,
            events: listed.map { event in
                Event(
                    id: event.id.uuidString.lowercased(),
                    version: event.version,
                    history: Self.historyPath(event.id),
                    date: event.date.iso,
                    region: event.region,
                    node: event.node,
                    kind: event.kind,
                    tier: event.tier,
                    targetGroups: event.targetGroups,
                    ageBands: event.ageBands,
                    professions: event.professions,
                    programmes: event.programmes,
                    funding: event.funding,
                    sessions: event.sessions,
                    families: SmallCells.isSmall(event.families) ? nil : event.families,
                    participants: SmallCells.isSmall(event.participants) ? nil : event.participants
                )
            },
            truncated: !withheld && matched.count > query.limit
        )
    }

    /// Where the history of event `id` is served (DashboardAPI).
    package static func historyPath(_ id: UUID) -> String {
        "\(DashboardRoutes.prefix)/api/events/\(id.lowercasedText)/history"
    }

    /// The listing as CSV, one row per event; withheld figures read `<5`.
    package var csv: String {
        var lines = [
            CSVText.row([
                "id", "version", "date", "region", "node", "kind", "tier", "target_groups", "age_bands",
                "professions", "programmes", "funding", "sessions", "families", "participants",
            ])
        ]
        for event in events {
            lines.append(
                CSVText.row([
                    event.id, String(event.version), event.date, event.region, event.node, event.kind, event.tier,
                    event.targetGroups.joined(separator: " "), event.ageBands.joined(separator: " "),
                    event.professions.joined(separator: " "), event.programmes.joined(separator: " "), event.funding,
                    String(event.sessions), event.families.map(String.init) ?? "<5",
                    event.participants.map(String.init) ?? "<5",
                ])
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
