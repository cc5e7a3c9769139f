import KnutepunktDomain
import KnutepunktProtocol
import Testing

@Suite struct RateLimiterTests {
    @Test func aNodeGetsItsRateAndABatchLargerThanTheBurstStillPassesOnce() {
        var limiter = RateLimiter(eventsPerSecond: 100)
        let start = ContinuousClock.now
        var outcomes: [Bool] = []
        outcomes.append(limiter.admit("NO-NORD", events: 60, now: start))
        // 40 tokens left: the next message goes, into debt (−20) …
        outcomes.append(limiter.admit("NO-NORD", events: 60, now: start))
        // … so the one after is refused, and still after 150 ms (−5), but not after 300 ms (+10).
        outcomes.append(limiter.admit("NO-NORD", events: 1, now: start))
        outcomes.append(limiter.admit("NO-NORD", events: 1, now: start + .milliseconds(150)))
        outcomes.append(limiter.admit("NO-NORD", events: 1, now: start + .milliseconds(300)))
        // Another node has its own bucket.
        outcomes.append(limiter.admit("NO-VEST", events: 100, now: start))
        #expect(outcomes == [true, true, false, false, true, true])

        // A batch far beyond the burst passes once, then the node waits until its debt is paid.
        var small = RateLimiter(eventsPerSecond: 10)
        let big = [
            small.admit("X", events: 1024, now: start),
            small.admit("X", events: 1, now: start + .seconds(100)),
            small.admit("X", events: 1, now: start + .seconds(102)),
        ]
        #expect(big == [true, false, true])
    }

    @Test func tokensNeverExceedTheBurst() {
        var limiter = RateLimiter(eventsPerSecond: 10, burst: 20)
        let start = ContinuousClock.now
        let outcomes = [
            limiter.admit("A", events: 1, now: start),
            // An hour of silence refills to the burst (20), not 36,000.
            limiter.admit("A", events: 20, now: start + .seconds(3600)),
            limiter.admit("A", events: 1, now: start + .seconds(3600)),
        ]
        #expect(outcomes == [true, true, false])
    }
}
