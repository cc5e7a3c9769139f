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
        case .error: "ERROR"
        }
    }
}
