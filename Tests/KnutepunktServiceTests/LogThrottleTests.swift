import KnutepunktService
import Testing

@Suite struct LogThrottleTests {
    @Test func oneLinePerKindPerIntervalWithTheCountLeftOut() {
        let t0 = ContinuousClock.now
        var throttle = LogThrottle(interval: .seconds(10))
        #expect(throttle.admit("malformed", now: t0) == 0)
        for second in 1...5 { #expect(throttle.admit("malformed", now: t0 + .seconds(second)) == nil) }
        #expect(throttle.admit("key revoked", now: t0 + .seconds(5)) == 0, "another kind has its own budget")
        #expect(throttle.admit("malformed", now: t0 + .seconds(10)) == 5, "the next line says how many were left out")
        #expect(throttle.admit("malformed", now: t0 + .seconds(11)) == nil)
    }
}
