/// The figures of ``HubCounts`` kept per (source, region, node) and per source, so that a status report reads a few
/// rows instead of scanning every stored event.
///
/// The same value serves twice: as what the summary tables hold (read back by `counts()`), and as the changes one
/// transaction makes to them (added up in memory while the transaction decides its rows, then written once per key).
/// Keyed by source first because a source's events are written by one hub at a time (the PostgreSQL store's
/// per-source locks), so hubs sharing a database rarely wait for each other's summary rows; and a source's events
/// come from one region and a few nodes, so the table holds about as many rows as there are nodes.
///
/// Invariant (checked by the store tests against ``HubStore/countsByScan()``): for every key, `counted` is the number
/// of its stored rows that are their event's latest version and not a withdrawal, `withdrawn` the number that are the
/// latest and a withdrawal, `versions` the number of rows; `rejected[source]` the number of refusals on record.
package struct HubCountSummary: Sendable, Hashable {
    /// Where stored versions are counted: the columns of the events table the status report groups by.
    package struct Key: Sendable, Hashable, Comparable {
        package var source: String
        package var region: String
        package var node: String

        package init(source: String, region: String, node: String) {
            self.source = source
            self.region = region
            self.node = node
        }

        package static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.source, lhs.region, lhs.node) < (rhs.source, rhs.region, rhs.node)
        }
    }

    /// The stored versions under one key.
    package struct Tally: Sendable, Hashable {
        /// Latest versions that are not withdrawals (the events that count).
        package var counted = 0
        /// Latest versions that withdraw their event.
        package var withdrawn = 0
        /// Every version.
        package var versions = 0

        package init(counted: Int = 0, withdrawn: Int = 0, versions: Int = 0) {
            self.counted = counted
            self.withdrawn = withdrawn
            self.versions = versions
        }

        package var isZero: Bool { counted == 0 && withdrawn == 0 && versions == 0 }
    }

    package private(set) var events: [Key: Tally] = [:]
    /// Refusals on record per source.
    package private(set) var rejected: [String: Int] = [:]

    package init() {}

    package var isEmpty: Bool { events.isEmpty && rejected.isEmpty }

    /// Adds `tally` under `key` (a row read back, or a change).
    package mutating func add(_ key: Key, _ tally: Tally) {
        var sum = events[key, default: Tally()]
        sum.counted += tally.counted
        sum.withdrawn += tally.withdrawn
        sum.versions += tally.versions
        if sum.isZero { events[key] = nil } else { events[key] = sum }
    }

    /// Adds `count` refusals of `source`.
    package mutating func addRejected(_ source: String, _ count: Int = 1) {
        let sum = rejected[source, default: 0] + count
        rejected[source] = sum == 0 ? nil : sum
    }

    /// A version stored (a new row): latest when stored, unless the same transaction stores a later one, which then
    /// reports this one through ``superseded(_:withdrawn:)``.
    package mutating func stored(_ key: Key, latest: Bool = true, withdrawn: Bool) {
        add(key, Tally(counted: latest && !withdrawn ? 1 : 0, withdrawn: latest && withdrawn ? 1 : 0, versions: 1))
    }

    /// A stored version that was its event's latest is latest no longer (a later version replaced it).
    package mutating func superseded(_ key: Key, withdrawn: Bool) {
        add(key, Tally(counted: withdrawn ? 0 : -1, withdrawn: withdrawn ? -1 : 0))
    }

    /// The keys whose tally changed, in key order (the order rows are written in, so that two writers lock them in
    /// the same order).
    package var changedEvents: [(Key, Tally)] {
        events.sorted { $0.key < $1.key }
    }

    /// The sources whose refusals changed, in order.
    package var changedRejections: [(String, Int)] {
        rejected.sorted { $0.key < $1.key }
    }

    /// The status report's figures.
    package var counts: HubCounts {
        var byRegion: [String: Int] = [:]
        var byNode: [String: Int] = [:]
        var bySource: [String: Int] = [:]
        var withdrawn = 0
        var versions = 0
        for (key, tally) in events {
            withdrawn += tally.withdrawn
            versions += tally.versions
            // A scan groups only the rows that count: a key whose events were all withdrawn or replaced elsewhere
            // has no group.
            guard tally.counted != 0 else { continue }
            byRegion[key.region, default: 0] += tally.counted
            byNode[key.node, default: 0] += tally.counted
            bySource[key.source, default: 0] += tally.counted
        }
        return HubCounts(
            total: byRegion.values.reduce(0, +),
            byRegion: byRegion.filter { $0.value != 0 },
            byNode: byNode.filter { $0.value != 0 },
            bySource: bySource.filter { $0.value != 0 },
            rejected: rejected.values.reduce(0, +),
            withdrawn: withdrawn,
            versions: versions
        )
    }
}
