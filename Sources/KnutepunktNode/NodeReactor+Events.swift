import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore

// What coordinators ask of their node about events: submit (new events, corrections, withdrawals) and list.
extension NodeReactor {
    /// Validates every submitted event, applies the versioning rules and appends the new versions in one fsync'd
    /// transaction, then answers each request.
    func accept(_ submissions: [(request: Request, submit: SubmitRequest)]) {
        let today = LocalDate.today()
        let now = Date()
        let configuration = setup.configuration
        let defaults = EventDefaults(
            region: configuration.region,
            node: configuration.defaultNode,
            makeID: { UUID.timeOrdered() }
        )
        var results: [[SubmitResult]] = []
        var items: [OutboxStore.Submission] = []
        var slots: [(request: Int, index: Int)] = []
        // One span per request, child of the coordinator's (docs/tracing.md); its fields go into every event the
        // request stores, so the hub's spans of those events are its children.
        let traces = submissions.map { NodeSubmissionTrace(submission: $0.submit, setup: setup) }
        for (requestIndex, submission) in submissions.enumerated() {
            var answers: [SubmitResult] = []
            for (index, original) in submission.submit.events.enumerated() {
                // Who submitted and when are the node's to say (from the request and its clock), never the text's;
                // the submitter is checked like any text of the event.
                var object = original
                if case .object(var members) = object {
                    members["submitted_by"] = submission.submit.submittedBy.map(JSONValue.string)
                    members["submitted_at"] = nil
                    object = .object(members)
                }
                switch validator.validate(object, defaults: defaults, today: today) {
                case .success(let event) where lockedMonth(of: event) != nil:
                    answers.append(
                        SubmitResult(
                            index: index,
                            id: event.id.lowercasedText,
                            status: .invalid,
                            issues: [PeriodLocks.issue(lockedMonth(of: event)!)]
                        )
                    )
                case .success(var event):
                    event.submittedAt = LocalDate.utcTimestamp(now)
                    // The version the node checked it against, when the hub announced one; never the text's.
                    event.taxonomyVersion = reference.version.map { Int($0) }
                    event.trace = traces[requestIndex].fields
                    answers.append(SubmitResult(index: index, id: event.id.lowercasedText, status: .queued))
                    items.append(
                        OutboxStore.Submission(
                            event: event,
                            versionGiven: original["version"] != nil && original["version"] != .null,
                            correctChanged: submission.submit.correctChanged
                        )
                    )
                    slots.append((requestIndex, index))
                case .failure(let failure):
                    answers.append(
                        SubmitResult(index: index, id: original.idText, status: .invalid, issues: failure.issues)
                    )
                }
            }
            results.append(answers)
        }
        if !items.isEmpty {
            let outcomes: [OutboxStore.SubmitOutcome]
            let appending = traces.map { $0.appending(setup.tracer) }
            defer { for span in appending { span.end() } }
            do {
                outcomes = try outbox.submit(items, acceptedAt: now)
            } catch {
                for trace in traces { trace.failed(error) }
                logger.error("cannot write the outbox; submissions refused", metadata: ["error": "\(error)"])
                let diskFull = error.code == .diskFull
                let failure = ControlFailure(
                    code: diskFull ? ControlFailure.diskFullCode : ControlFailure.storeFailureCode,
                    message: "the node could not store your events (\(error)); nothing was accepted, try again later"
                )
                for submission in submissions { replyFailure(submission.request, failure) }
                return
            }
            for (slot, outcome) in zip(slots, outcomes) {
                results[slot.request][slot.index].apply(outcome)
                if let sequence = outcome.sequence { lastAssigned = max(lastAssigned, sequence) }
            }
        }
        setup.metrics.submitted(
            accepted: results.joined().filter { $0.sequence != nil && !$0.existing }.count,
            invalid: results.joined().compactMap {
                $0.status == .invalid ? ReasonCode.refusing($0.issues ?? []).name : nil
            }
        )
        for ((submission, answers), trace) in zip(zip(submissions, results), traces) {
            reply(submission.request, .submitResult, JSONBody.encode(answers))
            trace.accepted(answers, logger: logger)
        }
        perform(uplink.appended(through: lastAssigned, now: clock.now))
    }

    /// WITHDRAW: the event's latest version again, as a withdrawal with the coordinator's reason, submitted like any
    /// version (validated, the reason screened for personal data, based on the version the coordinator saw).
    func withdraw(_ request: Request) {
        guard let body = try? JSONBody.decode(WithdrawRequest.self, from: request.message.body) else {
            replyFailure(
                request,
                ControlFailure(
                    code: ControlFailure.malformedRequestCode,
                    message: "WITHDRAW expects {\"id\": \"…\", \"reason\": \"…\"}"
                )
            )
            return
        }
        let latest: (outcome: OutboxStore.AppendOutcome, payload: [UInt8])?
        do {
            latest = try UUID(uuidString: body.id).flatMap { id throws(StoreError) in try outbox.latest(of: id) }
        } catch {
            replyFailure(request, ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
            return
        }
        guard let latest, case .object(var object)? = try? JSONValue.parse(latest.payload) else {
            replyFailure(
                request,
                ControlFailure(
                    code: ControlFailure.unknownEventCode,
                    message: "this node holds no event \(EventValidator.quoted(body.id)); `knutepunkt events` lists "
                        + "the ones it holds"
                )
            )
            return
        }
        object["version"] = nil
        object["based_on"] = .integer(Int64(body.basedOn ?? latest.outcome.version))
        object["withdrawn"] = .bool(true)
        object["withdrawal_reason"] = .string(body.reason)
        accept([(request, SubmitRequest(events: [.object(object)], submittedBy: body.submittedBy))])
    }

    /// EVENTS: the latest version of each event the node holds, newest first, with its delivery state.
    func listEvents(_ request: Request) {
        let wanted = (try? JSONBody.decode(EventsRequest.self, from: request.message.body)) ?? EventsRequest()
        var since: Date?
        if let text = wanted.since {
            guard let day = LocalDate(iso: text) else {
                replyFailure(
                    request,
                    ControlFailure(
                        code: ControlFailure.malformedRequestCode,
                        message: "since must be a day written YYYY-MM-DD"
                    )
                )
                return
            }
            since = day.startInNorway
        }
        if let state = wanted.state, !EventsRequest.states.contains(state) {
            replyFailure(
                request,
                ControlFailure(
                    code: ControlFailure.malformedRequestCode,
                    message: "state must be one of \(EventsRequest.states.joined(separator: ", "))"
                )
            )
            return
        }
        let limit = min(max(1, wanted.limit ?? EventsRequest.defaultLimit), EventsRequest.maximumLimit)
        do {
            // Monthly returns share the outbox but are not events: `status` shows them.
            let (listed, truncated) = try outbox.events(since: since, limit: limit) { entry in
                guard let object = try? JSONValue.parse(entry.payload), !MonthlyReturn.isReturn(object) else {
                    return false
                }
                return wanted.state == nil || EventList.Entry(entry).state == wanted.state
            }
            reply(
                request,
                .eventList,
                JSONBody.encode(EventList(events: listed.map(EventList.Entry.init), truncated: truncated))
            )
        } catch {
            replyFailure(request, ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
        }
    }
}

extension NodeReactor {
    /// HISTORY: every version of one event the node holds, with its content and delivery state.
    func history(_ request: Request) {
        guard let body = try? JSONBody.decode(HistoryRequest.self, from: request.message.body),
            let id = UUID(uuidString: body.id)
        else {
            replyFailure(
                request,
                ControlFailure(code: ControlFailure.malformedRequestCode, message: "HISTORY expects {\"id\": UUID}")
            )
            return
        }
        do {
            let versions = try outbox.versions(of: id)
            guard !versions.isEmpty else {
                replyFailure(
                    request,
                    ControlFailure(
                        code: ControlFailure.unknownEventCode,
                        message:
                            "this node holds no event \(id.lowercasedText); `knutepunkt events` lists the ones it holds"
                    )
                )
                return
            }
            let history = NodeEventHistory(
                id: id.lowercasedText,
                versions: versions.map {
                    NodeEventHistory.Version(
                        entry: EventList.Entry($0),
                        event: String(decoding: $0.payload, as: UTF8.self)
                    )
                }
            )
            reply(request, .eventHistory, JSONBody.encode(history))
        } catch {
            replyFailure(request, ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
        }
    }
}

extension SubmitResult {
    /// Takes what the outbox made of the event.
    mutating func apply(_ outcome: OutboxStore.SubmitOutcome) {
        version = outcome.version
        basedOn = outcome.basedOn
        if let refusal = outcome.refusal {
            status = .invalid
            issues = [
                ValidationIssue(
                    field: refusal.code == .staleVersion ? "based_on" : "id",
                    code: ValidationIssue.Code(rawValue: refusal.code.rawValue),
                    message: refusal.message
                )
            ]
            changes = outcome.changes.isEmpty ? nil : outcome.changes
            return
        }
        sequence = outcome.sequence
        existing = outcome.existing
        status =
            switch outcome.status ?? .queued {
            case .queued: .queued
            case .delivered: .delivered
            case .rejected: .rejected
            }
        reason = outcome.reason
        latest = outcome.latest
        if !outcome.existing, outcome.basedOn != nil { changes = outcome.changes }
    }
}

extension EventList.Entry {
    /// An outbox listing entry, with what its payload says.
    init(_ listed: OutboxStore.Listed) {
        let object = (try? JSONValue.parse(listed.payload))?.objectValue
        let withdrawal = object?["withdrawal_reason"]?.stringValue
        let state =
            switch listed.status {
            case .queued: "queued"
            case .rejected: "refused"
            case .delivered: withdrawal == nil ? "delivered" : "withdrawn"
            }
        self.init(
            id: listed.id,
            version: listed.version,
            state: state,
            sequence: listed.sequence,
            date: object?["date"]?.stringValue,
            kind: object?["kind"]?.stringValue,
            node: object?["node"]?.stringValue,
            acceptedAt: LocalDate.utcTimestamp(listed.acceptedAt),
            submittedBy: object?["submitted_by"]?.stringValue,
            reason: listed.status == .rejected ? listed.reason : nil,
            withdrawalReason: withdrawal
        )
    }
}
