import KnutepunktDomain

/// The body of a SUBMIT request: the events, who submits them, and how a changed event without a version is taken.
///
/// Two forms (docs/protocol.md, "SUBMIT and SUBMIT_RESULT"): a JSON array of event objects (KPC/1 as first
/// written), or an object `{"events": […], "submittedBy": "…", "correctChanged": false}`. The events stay JSON values:
/// the node validates each one itself.
package struct SubmitRequest: Sendable, Hashable {
    package var events: [JSONValue]
    /// Who submits: the coordinator's name, or the operating-system user of the command-line tool. The node writes
    /// it into every version it accepts (`submitted_by`).
    package var submittedBy: String?
    /// An event the node holds with other content, submitted without `based_on`, becomes a correction of the
    /// node's latest version instead of being refused with CONFLICTING_CONTENT. Spreadsheet imports set it: the
    /// spreadsheet is the coordinator's record, and a changed row is a correction.
    package var correctChanged: Bool
    /// The trace of the coordinator's submission, as propagation fields (`traceparent`…); empty when not traced.
    package var trace: [String: String] = [:]

    package init(events: [JSONValue], submittedBy: String? = nil, correctChanged: Bool = false) {
        self.events = events
        self.submittedBy = submittedBy
        self.correctChanged = correctChanged
    }

    /// The request's JSON body.
    package var body: [UInt8] {
        var object = JSONObject()
        object["events"] = .array(events)
        if let submittedBy { object["submittedBy"] = .string(submittedBy) }
        if correctChanged { object["correctChanged"] = .bool(true) }
        if !trace.isEmpty {
            var fields = JSONObject()
            for key in trace.keys.sorted() { fields[key] = .string(trace[key]!) }
            object["trace"] = .object(fields)
        }
        return JSONValue.object(object).serialized()
    }

    /// Reads either form; nil with a sentence when the body is neither.
    package static func parse(_ body: [UInt8]) -> Result<SubmitRequest, ControlFailure> {
        let malformed = { (message: String) in
            Result<SubmitRequest, ControlFailure>.failure(
                ControlFailure(code: ControlFailure.malformedRequestCode, message: message)
            )
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(body)
        } catch {
            return malformed("the SUBMIT body is not JSON: \(error)")
        }
        switch value {
        case .array(let items):
            return .success(SubmitRequest(events: items))
        case .object(let object) where object["events"] != nil:
            guard case .array(let items)? = object["events"] else {
                return malformed("\"events\" must be a JSON array of event objects")
            }
            var request = SubmitRequest(events: items)
            switch object["submittedBy"] {
            case nil, .null?: break
            case .string(let name)?: request.submittedBy = name
            default: return malformed("\"submittedBy\" must be text")
            }
            switch object["correctChanged"] {
            case nil, .null?: break
            case .bool(let flag)?: request.correctChanged = flag
            default: return malformed("\"correctChanged\" must be true or false")
            }
            if case .object(let fields)? = object["trace"] {
                // Propagation fields only; anything else there is ignored (tracing never refuses a submission).
                for member in fields.members.prefix(ActivityEvent.maxTraceFields) {
                    if case .string(let value) = member.value { request.trace[member.key] = value }
                }
            }
            return .success(request)
        case .object:
            // One event object on its own.
            return .success(SubmitRequest(events: [value]))
        default:
            return malformed("SUBMIT expects a JSON array of event objects, one object, or {\"events\": […]}")
        }
    }
}

/// The body of a WITHDRAW request: the node appends the next version of the event, a withdrawal with this reason.
package struct WithdrawRequest: Codable, Sendable, Hashable {
    package var id: String
    package var reason: String
    package var submittedBy: String?
    /// The version the coordinator saw; nil: the node's latest version.
    package var basedOn: Int?

    package init(id: String, reason: String, submittedBy: String? = nil, basedOn: Int? = nil) {
        self.id = id
        self.reason = reason
        self.submittedBy = submittedBy
        self.basedOn = basedOn
    }
}

/// The body of an EVENTS request: which of the node's events to list.
package struct EventsRequest: Codable, Sendable, Hashable {
    /// Only events the node accepted on or after this day (`YYYY-MM-DD`, in Europe/Oslo).
    package var since: String?
    /// Only events in this state: `queued`, `delivered`, `refused` or `withdrawn`.
    package var state: String?
    /// Most events listed, newest first (default 1,000; at most 100,000).
    package var limit: Int?

    package init(since: String? = nil, state: String? = nil, limit: Int? = nil) {
        self.since = since
        self.state = state
        self.limit = limit
    }

    package static let states = ["queued", "delivered", "refused", "withdrawn"]
    package static let defaultLimit = 1_000
    package static let maximumLimit = 100_000
}

/// The body of EVENT_LIST: the node's events, the latest version of each, newest accepted first.
package struct EventList: Codable, Sendable, Hashable {
    package struct Entry: Codable, Sendable, Hashable {
        package var id: String
        package var version: Int
        /// `queued`, `delivered`, `refused` or `withdrawn` (a withdrawal the hub has stored).
        package var state: String
        package var sequence: UInt64
        /// The activity's day, kind and local node (absent if the node no longer has the version's content).
        package var date: String?
        package var kind: String?
        package var node: String?
        /// When the node accepted this version (UTC, ISO 8601) and who submitted it.
        package var acceptedAt: String
        package var submittedBy: String?
        /// The hub's refusal: its reason name and detail.
        package var reason: String?
        /// A withdrawal's reason.
        package var withdrawalReason: String?

        package init(
            id: String,
            version: Int,
            state: String,
            sequence: UInt64,
            date: String? = nil,
            kind: String? = nil,
            node: String? = nil,
            acceptedAt: String,
            submittedBy: String? = nil,
            reason: String? = nil,
            withdrawalReason: String? = nil
        ) {
            self.id = id
            self.version = version
            self.state = state
            self.sequence = sequence
            self.date = date
            self.kind = kind
            self.node = node
            self.acceptedAt = acceptedAt
            self.submittedBy = submittedBy
            self.reason = reason
            self.withdrawalReason = withdrawalReason
        }
    }

    package var events: [Entry]
    /// More events matched than are listed.
    package var truncated: Bool

    package init(events: [Entry], truncated: Bool) {
        self.events = events
        self.truncated = truncated
    }
}

/// The body of a HISTORY request: which event's versions to show.
package struct HistoryRequest: Codable, Sendable, Hashable {
    package var id: String

    package init(id: String) { self.id = id }
}

/// The body of EVENT_HISTORY: every version of one event the node holds, oldest first. Versions a later one
/// replaced may be missing once delivered and past the node's retention.
package struct NodeEventHistory: Codable, Sendable, Hashable {
    package struct Version: Codable, Sendable, Hashable {
        /// The version's state and who and when, as EVENTS lists it.
        package var entry: EventList.Entry
        /// The version as the node stored it: the event's JSON object, as text.
        package var event: String

        package init(entry: EventList.Entry, event: String) {
            self.entry = entry
            self.event = event
        }
    }

    package var id: String
    package var versions: [Version]

    package init(id: String, versions: [Version]) {
        self.id = id
        self.versions = versions
    }
}
