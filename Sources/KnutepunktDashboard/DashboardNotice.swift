import KnutepunktProtocol

/// A change the dashboard's pages hear about live (a Server-Sent Event): the event's name and its JSON data.
package enum DashboardNotice: Sendable, Hashable {
    /// One change to one gap, as the hub published it.
    case gap(GapUpdate)
    /// The gap list was replaced by a fresh snapshot (first contact, a hub restart or a dropped change).
    case gaps(sequence: UInt64, count: Int)
    /// The views read from the store changed (new events arrived).
    case views(asOf: String, events: Int)
    /// The hub's node status changed.
    case status
    /// An analyst acknowledged a gap.
    case acknowledged(Acknowledgement)
    /// The hub cannot be reached (a message), or can again (nil).
    case hub(problem: String?)

    /// The SSE event name.
    package var name: String {
        switch self {
        case .gap: "gap"
        case .gaps: "gaps"
        case .views: "views"
        case .status: "status"
        case .acknowledged: "acknowledged"
        case .hub: "hub"
        }
    }

    /// The SSE data: one line of JSON.
    package var data: [UInt8] {
        switch self {
        case .gap(let update): JSONBody.encode(update)
        case .gaps(let sequence, let count): JSONBody.encode(["sequence": Int(sequence), "count": count])
        case .views(let asOf, let events): JSONBody.encode(Views(asOf: asOf, events: events))
        case .status: JSONBody.encode([String: String]())
        case .acknowledged(let acknowledgement): JSONBody.encode(acknowledgement)
        case .hub(let problem): JSONBody.encode(Hub(problem: problem))
        }
    }

    /// The notice as one SSE message (`event:` and `data:` lines, then a blank line).
    package var serverSentEvent: String {
        "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }

    private struct Views: Encodable {
        var asOf: String
        var events: Int
    }

    private struct Hub: Encodable {
        var problem: String?
    }
}
