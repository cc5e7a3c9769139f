/// A per-node rate limit on events (a token bucket): `rate` events per second on average, bursts up to `burst`.
/// Pure: the caller passes the time.
///
/// A message is let through whenever the bucket is not empty, even if it holds more events than are left — the
/// bucket goes into debt — so a batch larger than `burst` is never refused forever; the messages after it wait until
/// the debt is paid back. On average a node gets `rate` events per second, and a flooding node no more.
package struct RateLimiter: Sendable {
    package var rate: Double
    package var burst: Double
    private var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]

    package init(eventsPerSecond rate: Int, burst: Int? = nil) {
        self.rate = Double(max(1, rate))
        self.burst = Double(max(1, burst ?? rate))
    }

    /// Whether `node` may send `events` events now; takes them from its bucket when it may.
    package mutating func admit(_ node: String, events: Int, now: ContinuousClock.Instant) -> Bool {
        var bucket = buckets[node] ?? (burst, now)
        let elapsed = now - bucket.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
        bucket.at = now
        defer { buckets[node] = bucket }
        guard bucket.tokens > 0 else { return false }
        bucket.tokens -= Double(events)
        return true
    }
}
