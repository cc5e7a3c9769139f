import KnutepunktService
import Testing

/// What `/healthz` and `/readyz` say through a daemon's life: starting, running, stalled, stopping, stopped.
@Suite struct DaemonHealthTests {
    @Test func aDaemonIsAliveWhileItsLoopTurnsAndReadyOnlyWhenMarked() {
        let health = DaemonHealth(stallAfter: .seconds(30))
        // Starting (the store may take a while to open): alive, not ready.
        #expect(health.liveness().healthy)
        #expect(health.liveness().details["state"] == "starting")
        #expect(!health.readiness().healthy)
        health.beat(now: ContinuousClock().now)
        #expect(health.liveness().healthy)
        #expect(health.liveness().details["state"] == "running")
        #expect(!health.readiness().healthy)
        health.setReady(true)
        health.setDetail("hubLink", "greeting")
        let ready = health.readiness()
        #expect(ready.healthy)
        #expect(ready.details["hubLink"] == "greeting")
        // Shutting down: still alive, no longer ready; then stopped: neither.
        health.setReady(false)
        #expect(health.liveness().healthy)
        #expect(!health.readiness().healthy)
        health.stopped()
        #expect(!health.liveness().healthy)
        #expect(health.liveness().details["state"] == "stopped")
    }

    @Test func aLoopThatStopsTurningIsNotAlive() {
        let health = DaemonHealth(stallAfter: .seconds(30))
        health.setReady(true)
        // The last turn was a minute ago (time is passed in, so nothing waits).
        health.beat(now: ContinuousClock().now - .seconds(60))
        let live = health.liveness()
        #expect(!live.healthy)
        #expect(live.details["state"] == "stalled")
        #expect(Int(live.details["lastTurnMillisAgo"] ?? "") ?? 0 >= 60_000)
        #expect(!health.readiness().healthy)
    }
}
