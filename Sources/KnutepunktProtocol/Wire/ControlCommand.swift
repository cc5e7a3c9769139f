/// The command byte of a KPC/1 (control protocol) message.
package enum ControlCommand: UInt8, CaseIterable, Sendable {
    /// client → daemon: a JSON array of events to accept.
    case submit = 0x01
    /// daemon → client: one JSON result per submitted event, in order.
    case submitResult = 0x02
    /// client → daemon: `{}`; asks for a status report.
    case status = 0x03
    /// daemon → client: the status report (a JSON object).
    case statusReply = 0x04
    /// client → hub: `{}`; asks for the open gaps (a ``GapSnapshot``).
    case gaps = 0x05
    /// hub → client: the open gaps and the sequence they are current as of.
    case gapSnapshot = 0x06
    /// client → node: `{"id", "reason", "submittedBy"}`; withdraw an event (answered with SUBMIT_RESULT).
    case withdraw = 0x07
    /// client → node: `{"since", "state", "limit"}`; list the node's events (answered with EVENT_LIST).
    case events = 0x08
    /// node → client: the node's events, latest version each, with their delivery state.
    case eventList = 0x09
    /// client → hub: a taxonomy document to publish, or only to compare (``TaxonomyRequest``).
    case taxonomy = 0x0A
    /// hub → client: the outcome (``TaxonomyResult``).
    case taxonomyResult = 0x0B
    /// client → node: a monthly return to make or reopen (``ReturnRequest``; answered with SUBMIT_RESULT).
    case monthlyReturn = 0x0C
    /// client → hub: a sign-off, acceptance or reopening of a region's month, or only a look at it (``PeriodRequest``).
    case period = 0x0D
    /// hub → client: the month's state and history (``PeriodResult``).
    case periodResult = 0x0E
    /// client → node: `{"id"}`; every version of one event the node holds (answered with EVENT_HISTORY).
    case history = 0x0F
    /// node → client: the versions, oldest first, each with its content and delivery state.
    case eventHistory = 0x10
    /// client → node: `{}`; the monthly returns the node holds (answered with RETURN_LIST).
    case returns = 0x11
    /// node → client: the latest version of each return, with its delivery state (``ReturnList``).
    case returnList = 0x12
    /// client → hub: `{"region"}`; the region's coverage per target group (answered with COVERAGE_RESULT).
    case coverage = 0x13
    /// hub → client: the region's coverage beside the national median, small counts withheld (``RegionCoverage``).
    case coverageResult = 0x14
    /// daemon → client: `{"code": …, "message": …}`; the request failed as a whole.
    case error = 0x7F

    /// The upper-case name used in logs and the protocol document.
    package var name: String {
        switch self {
        case .submit: "SUBMIT"
        case .submitResult: "SUBMIT_RESULT"
        case .status: "STATUS"
        case .statusReply: "STATUS_REPLY"
        case .gaps: "GAPS"
        case .gapSnapshot: "GAP_SNAPSHOT"
        case .withdraw: "WITHDRAW"
        case .events: "EVENTS"
        case .eventList: "EVENT_LIST"
        case .taxonomy: "TAXONOMY"
        case .taxonomyResult: "TAXONOMY_RESULT"
        case .monthlyReturn: "RETURN"
        case .period: "PERIOD"
        case .periodResult: "PERIOD_RESULT"
        case .history: "HISTORY"
        case .eventHistory: "EVENT_HISTORY"
        case .returns: "RETURNS"
        case .returnList: "RETURN_LIST"
        case .coverage: "COVERAGE"
        case .coverageResult: "COVERAGE_RESULT"
        case .error: "ERROR"
        }
    }
}
