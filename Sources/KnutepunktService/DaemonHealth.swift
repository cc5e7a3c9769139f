import Synchronization

/// What a daemon's `/healthz` and `/readyz` report: whether its socket thread still turns its loop (liveness), and
/// whether it is ready to do its work (readiness), with a few details for the operator.
///
/// Written by the daemon (its thread calls ``beat(now:)`` on every turn of its loop; its service marks it ready once
/// the store is open and the sockets are bound), read by the HTTP server from other threads.
package final class DaemonHealth: Sendable {
    /// One answer: healthy or not, and why.
    package struct Status: Sendable, Hashable {
        package var healthy: Bool
        /// Short facts for the operator, e.g. `["state": "running", "lastTurnMillisAgo": "12"]`.
        package var details: [String: String]
    }

    private enum Phase {
        case starting
        case running
        case stopping
        case stopped
    }

    private struct State {
        var phase: Phase = .starting
        var ready = false
        var lastTurn: ContinuousClock.Instant?
        var details: [String: String] = [:]
        /// Problems that make the daemon not ready while they last, by key.
        var problems: [String: String] = [:]
    }

    /// How long the loop may go without a turn before the daemon counts as stuck. The loops poll at most a second at
    /// a time; a turn that takes longer is a group commit or a gap evaluation, never 30 seconds.
    package let stallAfter: Duration
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    package init(stallAfter: Duration = .seconds(30)) {
        self.stallAfter = stallAfter
    }

    /// The daemon's thread turned its loop.
    package func beat(now: ContinuousClock.Instant) {
        state.withLock {
            $0.lastTurn = now
            if $0.phase == .starting { $0.phase = .running }
        }
    }

    /// Ready (store open, sockets bound) or no longer ready (stopping).
    package func setReady(_ ready: Bool) {
        state.withLock {
            $0.ready = ready
            if !ready, $0.phase != .stopped { $0.phase = .stopping }
        }
    }

    /// The daemon's thread has ended.
    package func stopped() {
        state.withLock {
            $0.phase = .stopped
            $0.ready = false
        }
    }

    /// A problem that keeps the daemon from doing its work although it runs (the hub's store refusing commits):
    /// `/readyz` says not ready and shows `text` under `key` until it is cleared with nil.
    package func setProblem(_ key: String, _ text: String?) {
        state.withLock { state in
            state.problems[key] = text
            state.details[key] = text ?? "ok"
        }
    }

    /// A detail shown by `/readyz` (e.g. the node's hub link), replaced on each call.
    package func setDetail(_ key: String, _ value: String) {
        state.withLock { $0.details[key] = value }
    }

    /// Alive: starting, or running with a turn of the loop within ``stallAfter``.
    package func liveness() -> Status {
        let now = clock.now
        return state.withLock { state in
            switch state.phase {
            case .starting:
                return Status(healthy: true, details: ["state": "starting"])
            case .stopped:
                return Status(healthy: false, details: ["state": "stopped"])
            case .running, .stopping:
                let ago = state.lastTurn.map { now - $0 } ?? .zero
                let millis = ago.components.seconds * 1000 + ago.components.attoseconds / 1_000_000_000_000_000
                return Status(
                    healthy: ago < stallAfter,
                    details: [
                        "state": ago < stallAfter ? "\(state.phase)" : "stalled", "lastTurnMillisAgo": "\(millis)",
                    ]
                )
            }
        }
    }

    /// Ready: marked ready and alive.
    package func readiness() -> Status {
        let alive = liveness()
        return state.withLock { state in
            var details = state.details
            details["state"] = alive.details["state"]
            return Status(healthy: alive.healthy && state.ready && state.problems.isEmpty, details: details)
        }
    }
}
