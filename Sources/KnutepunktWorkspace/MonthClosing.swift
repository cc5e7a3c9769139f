import KnutepunktDomain

/// The seam for closing the month (reporting periods: monthly returns, the regional lead's sign-off, the lock).
///
/// The workspace shows the section, checks who may do what, records who did it, and hands each step to an
/// implementation of this protocol, which the reporting-periods work provides (over the node's control socket to
/// the hub). Until one is given (``WorkspaceConfiguration/monthClosing`` nil) the section says it is not available
/// and the calls answer 501. Wiring: implement these four calls and set the configuration's `monthClosing` in
/// `NodeDaemon`.
package protocol MonthClosing: Sendable {
    /// Each local node's months that are due, overdue or done, as of `today`.
    func months(region: String, today: LocalDate) async throws -> [MonthStatus]
    /// Makes the return of `month` for `node`: its activities as recorded, or a nil return ("no activities").
    func makeReturn(month: String, node: String, nilReturn: Bool, by user: String) async throws -> MonthStatus
    /// The regional lead signs `month` off for the region (after which the hub may lock it).
    func signOff(month: String, region: String, by user: String) async throws -> [MonthStatus]
}

/// One local node's month, as the section lists it.
package struct MonthStatus: Codable, Sendable, Hashable {
    /// `YYYY-MM`.
    package var month: String
    /// The local node (e.g. `NO-VEST-FONNA`).
    package var node: String
    /// `due`, `overdue`, `returned`, `signedOff` or `locked`.
    package var state: String
    /// Who made the return or signed it off, and when (ISO 8601), if anyone has.
    package var by: String?
    package var at: String?
    /// The return was a nil return.
    package var nilReturn: Bool

    package init(
        month: String,
        node: String,
        state: String,
        by: String? = nil,
        at: String? = nil,
        nilReturn: Bool = false
    ) {
        self.month = month
        self.node = node
        self.state = state
        self.by = by
        self.at = at
        self.nilReturn = nilReturn
    }
}
