import KnutepunktDomain

/// The body of a STATUS request. Empty asks for the status now; a wait condition makes the daemon answer when the
/// condition holds or the timeout passes, whichever comes first (a readiness signal for scripts and tests).
package struct StatusRequest: Codable, Sendable, Hashable {
    /// Hub: answer once it holds at least this many events.
    package var waitForTotal: Int?
    /// Node: answer once its outbox backlog is empty (everything accepted is at the hub).
    package var waitForDrained: Bool?
    /// Longest wait, in milliseconds (at most 600,000).
    package var timeoutMillis: Int?

    package init(waitForTotal: Int? = nil, waitForDrained: Bool? = nil, timeoutMillis: Int? = nil) {
        self.waitForTotal = waitForTotal
        self.waitForDrained = waitForDrained
        self.timeoutMillis = timeoutMillis
    }

    /// The longest wait the daemons honour.
    package static let maximumWait: Duration = .seconds(600)

    package var waits: Bool { waitForTotal != nil || waitForDrained == true }

    package var timeout: Duration {
        min(.milliseconds(max(0, timeoutMillis ?? 30_000)), Self.maximumWait)
    }
}
