import KnutepunktDomain

/// Closing the month (reporting periods: monthly returns, the regional lead's sign-off, the lock).
///
/// The workspace shows the section, checks who may do what, records who did it, and hands each step to an
/// implementation of this protocol: the node daemon's (`NodeMonthClosing`), which makes returns through the node's
/// RETURN request and signs off through the hub's PERIOD request, as `knutepunkt return` and `knutepunkt period
/// sign-off` do. Without one (``WorkspaceConfiguration/monthClosing`` nil) the section says it is not available and
/// the calls answer 501.
package protocol MonthClosing: Sendable {
    /// Each local node's months that are due, overdue or done, as of `today`.
    func months(region: String, today: LocalDate) async throws -> [MonthStatus]
    /// Makes the return of `month` for `node`: its activities as recorded, or a nil return ("no activities").
    func makeReturn(month: String, node: String, nilReturn: Bool, by user: String) async throws -> MonthStatus
    /// The regional lead signs `month` off for the region (after which the national centre may accept and lock it).
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
    /// Who made the return, and when the node accepted it (ISO 8601), if anyone has.
    package var by: String?
    package var at: String?
    /// The return was a nil return.
    package var nilReturn: Bool
    /// Where the return is: `queued` at the node, `delivered` (stored at the hub) or `refused` by the hub.
    package var delivery: String?
    /// The last day the return is on time (`YYYY-MM-DD`), and how many days past it an outstanding one is.
    package var dueOn: String?
    package var daysOverdue: Int?
    /// Who signed the region's month off (or, once locked, accepted it) and when, as the hub recorded it.
    package var approvedBy: String?
    package var approvedAt: String?

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

/// Why a step of closing the month could not be taken, in words the section shows.
package struct MonthClosingError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        /// The node cannot ask the hub (no `workspaceHubControl`): the sign-off cannot be sent.
        package static let hubNotSetUp = Code(rawValue: "HUB_NOT_SET_UP")
        /// The hub did not answer the sign-off: nothing was signed off.
        package static let hubUnreachable = Code(rawValue: "HUB_UNREACHABLE")
        /// A local node's return for the month is still outstanding: the month cannot be signed off yet.
        package static let returnsOutstanding = Code(rawValue: "RETURNS_OUTSTANDING")
        /// The node or the hub refused the step (its reason is the message).
        package static let refused = Code(rawValue: "REFUSED")
        package var description: String { rawValue }
    }

    package var code: Code
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code): \(message)" }
}
