/// Keeps a peer from flooding a daemon's log: one line per kind of problem at once, then at most one per `interval`
/// that says how many were left out meanwhile. Pure: the caller passes the time.
package struct LogThrottle: Sendable {
    package var interval: Duration
    private var kinds: [String: (loggedAt: ContinuousClock.Instant, suppressed: Int)] = [:]

    package init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Whether a line about `kind` should be written now; if so, how many of the same kind were left out since the
    /// last one written (nil when it should not).
    package mutating func admit(_ kind: String, now: ContinuousClock.Instant) -> Int? {
        if var entry = kinds[kind], now < entry.loggedAt + interval {
            entry.suppressed += 1
            kinds[kind] = entry
            return nil
        }
        let suppressed = kinds[kind]?.suppressed ?? 0
        kinds[kind] = (now, 0)
        if kinds.count > 1024 { kinds = kinds.filter { now < $0.value.loggedAt + interval } }
        return suppressed
    }
}
