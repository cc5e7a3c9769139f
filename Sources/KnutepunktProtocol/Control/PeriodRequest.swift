import KnutepunktDomain

/// The body of a PERIOD request (KPC, docs/protocol.md): a step in a region's month — sign-off, accept, reopen — by a
/// signed-in person in their role, or (without `step`) only a look at the month's state and history. The hub checks
/// the step against ``PeriodLedger``'s rules; who the person is and their role come from the sign-in that sent the
/// request (the dashboard's access file), which the hub's control socket trusts like any viewer.
package struct PeriodRequest: Codable, Sendable, Hashable {
    package var region: String
    /// `YYYY-MM`.
    package var month: String
    package var step: PeriodLedger.Step.Kind?
    package var by: String?
    /// `lead`, `analyst` or `coordinator`.
    package var role: String?
    /// The region a regional lead leads.
    package var actorRegion: String?
    package var reason: String?

    /// The ERROR code of a step the rules refuse.
    package static let refusedCode = "PERIOD_REFUSED"

    package init(
        region: String,
        month: String,
        step: PeriodLedger.Step.Kind? = nil,
        by: String? = nil,
        role: String? = nil,
        actorRegion: String? = nil,
        reason: String? = nil
    ) {
        self.region = region
        self.month = month
        self.step = step
        self.by = by
        self.role = role
        self.actorRegion = actorRegion
        self.reason = reason
    }
}

/// The hub's answer to PERIOD: where the month stands and every step taken in it.
package struct PeriodResult: Codable, Sendable, Hashable {
    package var region: String
    package var month: String
    /// "open", "signed off by … at …", "locked (accepted by … at …)".
    package var state: String
    package var locked: Bool
    package var history: [PeriodLedger.Step]

    package init(region: String, month: String, state: String, locked: Bool, history: [PeriodLedger.Step]) {
        self.region = region
        self.month = month
        self.state = state
        self.locked = locked
        self.history = history
    }
}
