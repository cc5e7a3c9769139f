import Foundation

/// When each node was last heard from (wall clock, so it means something after a restart), and which of those times
/// the store does not have yet: written at most every `flushInterval` (a crash loses at most that much of them) and at
/// stop. Pure: the caller passes the times.
struct NodeContacts {
    let flushInterval: Duration
    private(set) var lastHeard: [String: Date]
    private var unrecorded: [String: Date] = [:]
    private var nextFlush: ContinuousClock.Instant

    init(recorded: [String: Date], flushInterval: Duration, now: ContinuousClock.Instant) {
        lastHeard = recorded
        self.flushInterval = flushInterval
        nextFlush = now + flushInterval
    }

    /// A sign of life from `node` (any message of its session counts).
    mutating func heard(_ node: String, at date: Date) {
        lastHeard[node] = date
        unrecorded[node] = date
    }

    /// The times to write now, if any are waiting and the interval has passed (or `force`, at stop).
    mutating func due(now: ContinuousClock.Instant, force: Bool = false) -> [String: Date]? {
        guard !unrecorded.isEmpty, force || now >= nextFlush else { return nil }
        nextFlush = now + flushInterval
        return unrecorded
    }

    /// The times handed out by ``due(now:force:)`` are in the store.
    mutating func recorded(_ written: [String: Date]) {
        for (node, date) in written where unrecorded[node] == date { unrecorded[node] = nil }
    }
}
