import KnutepunktDomain

/// One cell of the hub's activity counters: everything the gap rules and the reports read about an event, and
/// nothing that identifies it. Events with equal cells are added up (``ActivityCount``); the counters per cell are
/// the hub's aggregate, kept in the same transaction that stores each event.
///
/// The dimensions are region × node × activity kind × tier × funding × day × target groups × age bands ×
/// professions × programmes. A day (not a month) is the time key so that any evaluation date (`--as-of`, the rolling
/// window, the 90 days of D1, the dates of infant days) is exact; it rolls up to months by `month`. The
/// multi-valued dimensions are kept as the *set* the event named (sorted, without repeats), so an event counts once
/// in exactly one cell and "events for target group g" is the sum over the cells whose set contains g — never
/// counted twice as a cross product of its lists would.
package struct ActivityCell: Sendable, Hashable, Comparable {
    package var region: String
    package var node: String
    package var kind: String
    package var tier: String
    package var funding: String
    package var date: LocalDate
    package var targetGroups: [String]
    package var ageBands: [String]
    package var professions: [String]
    package var programmes: [String]

    /// A cell from its dimensions; the lists are normalised (sorted, without repeats).
    package init(
        region: String,
        node: String,
        kind: String,
        tier: String,
        funding: String,
        date: LocalDate,
        targetGroups: [String],
        ageBands: [String],
        professions: [String],
        programmes: [String]
    ) {
        self.region = region
        self.node = node
        self.kind = kind
        self.tier = tier
        self.funding = funding
        self.date = date
        self.targetGroups = Self.normalised(targetGroups)
        self.ageBands = Self.normalised(ageBands)
        self.professions = Self.normalised(professions)
        self.programmes = Self.normalised(programmes)
    }

    /// A cell whose lists are already normalised (read back from the store, which only holds normalised cells).
    package init(
        normalised: Void,
        region: String,
        node: String,
        kind: String,
        tier: String,
        funding: String,
        date: LocalDate,
        targetGroups: [String],
        ageBands: [String],
        professions: [String],
        programmes: [String]
    ) {
        self.region = region
        self.node = node
        self.kind = kind
        self.tier = tier
        self.funding = funding
        self.date = date
        self.targetGroups = targetGroups
        self.ageBands = ageBands
        self.professions = professions
        self.programmes = programmes
    }

    /// The cell `event` counts in.
    package init(_ event: ActivityEvent) {
        self.init(
            region: event.region,
            node: event.node,
            kind: event.kind,
            tier: event.tier,
            funding: event.funding,
            date: event.date,
            targetGroups: event.targetGroups,
            ageBands: event.ageBands,
            professions: event.professions,
            programmes: event.programmes
        )
    }

    /// `YYYY-MM`, the month the cell's day is in.
    package var month: String { String(date.iso.prefix(7)) }

    /// A list dimension as stored: its codes joined by `,` (codes never contain one); empty for none.
    package static func joined(_ codes: [String]) -> String { codes.joined(separator: ",") }

    /// A stored list dimension read back.
    package static func split(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: ",").map(String.init)
    }

    private static func normalised(_ codes: [String]) -> [String] {
        guard codes.count > 1 else { return codes }
        // Sorted, then each repeat dropped where it follows its equal: events name a few codes per list, and a Set
        // for them cost more than the rest of making the cell.
        var sorted = codes.sorted()
        var kept = 1
        for index in 1..<sorted.count where sorted[index] != sorted[kept - 1] {
            sorted.swapAt(kept, index)
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    /// The dimensions in the order cells sort by (``<``), lists joined as stored.
    package var ordering: [String] {
        [
            region, node, date.iso, kind, tier, funding, Self.joined(targetGroups), Self.joined(ageBands),
            Self.joined(professions), Self.joined(programmes),
        ]
    }

    package static func < (lhs: ActivityCell, rhs: ActivityCell) -> Bool {
        lhs.ordering.lexicographicallyPrecedes(rhs.ordering)
    }
}

/// What the events of one ``ActivityCell`` add up to.
package struct ActivityCount: Sendable, Hashable {
    package var events: Int
    package var families: Int
    package var participants: Int
    package var sessions: Int

    package init(events: Int = 0, families: Int = 0, participants: Int = 0, sessions: Int = 0) {
        self.events = events
        self.families = families
        self.participants = participants
        self.sessions = sessions
    }

    /// One event's contribution.
    package init(_ event: ActivityEvent) {
        self.init(events: 1, families: event.families, participants: event.participants, sessions: event.sessions)
    }

    package static func + (lhs: ActivityCount, rhs: ActivityCount) -> ActivityCount {
        ActivityCount(
            events: lhs.events + rhs.events,
            families: lhs.families + rhs.families,
            participants: lhs.participants + rhs.participants,
            sessions: lhs.sessions + rhs.sessions
        )
    }

    package static func += (lhs: inout ActivityCount, rhs: ActivityCount) { lhs = lhs + rhs }
}

/// The counters of many cells: the aggregate as a value, for rebuilding and comparing.
package struct ActivityCounters: Sendable, Hashable {
    package private(set) var cells: [ActivityCell: ActivityCount] = [:]

    package init() {}

    /// Counts one event.
    package mutating func add(_ event: ActivityEvent) {
        add(ActivityCell(event), ActivityCount(event))
    }

    /// Makes room for `cells` cells without growing (a batch's counters: at most one cell per event).
    package mutating func reserveCapacity(_ cells: Int) {
        self.cells.reserveCapacity(cells)
    }

    /// Adds `count` to `cell`.
    package mutating func add(_ cell: ActivityCell, _ count: ActivityCount) {
        cells[cell, default: ActivityCount()] += count
    }

    /// All events counted.
    package var events: Int { cells.values.reduce(0) { $0 + $1.events } }
}
