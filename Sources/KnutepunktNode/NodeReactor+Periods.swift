import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore

// Monthly returns at the node (docs/events.md, "Monthly returns"): made by a coordinator over KPC, checked against
// the taxonomy the node holds, stored in the outbox with the next sequence number like an event, and sent like one.
extension NodeReactor {
    /// RETURN: checks the return, appends it as the next version of its record (or recognises it as the one held),
    /// and answers with SUBMIT_RESULT holding one result.
    func makeReturn(_ request: Request) {
        guard let body = try? JSONBody.decode(ReturnRequest.self, from: request.message.body) else {
            replyFailure(
                request,
                ControlFailure(
                    code: ControlFailure.malformedRequestCode,
                    message: "RETURN expects {\"node\": \"…\", \"month\": \"YYYY-MM\", \"status\": \"complete\"}"
                )
            )
            return
        }
        let now = Date()
        var object = JSONObject()
        object["record"] = .string(MonthlyReturn.recordName)
        object["region"] = .string(setup.configuration.region)
        object["node"] = (body.node ?? setup.configuration.defaultNode).map(JSONValue.string) ?? .null
        object["month"] = .string(body.month)
        object["status"] = .string(body.status)
        object["reason"] = body.reason.map(JSONValue.string) ?? .null
        object["submitted_by"] = body.submittedBy.map(JSONValue.string) ?? .null
        var result = SubmitResult(index: 0, id: nil, status: .invalid)
        switch MonthlyReturn.validate(.object(object), taxonomy: validator.taxonomy, today: LocalDate.today()) {
        case .failure(let failure):
            result.issues = failure.issues
        case .success(let record) where periodLocks.lock(region: record.region, month: record.month) != nil:
            result.id = record.id.lowercasedText
            result.issues = [
                PeriodLocks.issue(periodLocks.lock(region: record.region, month: record.month)!, field: "month")
            ]
        case .success(let record) where Self.madeAtIssue(body.madeAt, month: record.month, now: now) != nil:
            result.id = record.id.lowercasedText
            result.issues = [Self.madeAtIssue(body.madeAt, month: record.month, now: now)!]
        case .success(var record):
            record.submittedAt = body.madeAt ?? LocalDate.utcTimestamp(now)
            result.id = record.id.lowercasedText
            do {
                if let outcome = try outbox.submitReturn(record, acceptedAt: now) {
                    result.sequence = outcome.sequence
                    result.version = outcome.version
                    result.existing = outcome.existing
                    result.status =
                        switch outcome.status {
                        case .queued: .queued
                        case .delivered: .delivered
                        case .rejected: .rejected
                        }
                    if !outcome.existing {
                        lastAssigned = max(lastAssigned, outcome.sequence)
                        if outcome.version > 1 { result.basedOn = outcome.version - 1 }
                    }
                } else {
                    result.issues = [
                        ValidationIssue(
                            field: "status",
                            code: .invalidVersion,
                            message: "this node holds no return of \(record.node) for \(record.month) to reopen"
                        )
                    ]
                }
            } catch {
                logger.error("cannot write the outbox; return refused", metadata: ["error": "\(error)"])
                replyFailure(
                    request,
                    ControlFailure(
                        code: error.code == .diskFull ? ControlFailure.diskFullCode : ControlFailure.storeFailureCode,
                        message: "the node could not store the return (\(error)); nothing was accepted, try again"
                    )
                )
                return
            }
        }
        reply(request, .submitResult, JSONBody.encode([result]))
        perform(uplink.appended(through: lastAssigned, now: clock.now))
    }

    /// RETURNS: the latest version of every return the outbox holds, with its delivery state.
    func listReturns(_ request: Request) {
        do {
            let listed = try outbox.monthlyReturns().map { held in
                let state =
                    switch held.status {
                    case .queued: "queued"
                    case .delivered: "delivered"
                    case .rejected: "refused"
                    }
                return ReturnList.Entry(
                    node: held.record.node,
                    month: held.record.month.text,
                    status: held.record.status.rawValue,
                    version: held.record.version,
                    state: state,
                    sequence: held.sequence,
                    submittedBy: held.record.submittedBy,
                    acceptedAt: LocalDate.utcTimestamp(held.acceptedAt),
                    acceptedOn: LocalDate.today(now: held.acceptedAt).iso,
                    reason: held.record.reason
                )
            }
            reply(request, .returnList, JSONBody.encode(ReturnList(returns: listed)))
        } catch {
            replyFailure(request, ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
        }
    }

    /// Why a RETURN's `madeAt` cannot be the moment the return was made: not a UTC timestamp, in the future, or on a
    /// day (in Norway) before its month was over. Nil when it can (or is absent: now).
    static func madeAtIssue(_ madeAt: String?, month: ReportingMonth, now: Date) -> ValidationIssue? {
        guard let madeAt else { return nil }
        func issue(_ code: ValidationIssue.Code, _ message: String) -> ValidationIssue {
            ValidationIssue(field: "submitted_at", code: code, message: message)
        }
        guard let moment = LocalDate.utcTimestamp(madeAt) else {
            return issue(.badDate, "madeAt must be a UTC time written YYYY-MM-DDThh:mm:ssZ")
        }
        if moment > now { return issue(.dateOutOfRange, "madeAt \(madeAt) is in the future") }
        if LocalDate.today(now: moment) <= month.last {
            return issue(
                .dateOutOfRange,
                "madeAt \(madeAt) is before \(month) was over; a return is made after its month"
            )
        }
        return nil
    }

    /// The returns of this node's local nodes that are due or overdue today, for STATUS; nil when the taxonomy
    /// expects none of them.
    func outstandingReturns() -> [NodeStatusReport.ReturnDue]? {
        let taxonomy = validator.taxonomy
        let mine = Set(
            taxonomy.nodes(inRegion: setup.configuration.region).map(\.code).filter {
                taxonomy.reportingPeriod(of: $0) != nil
            }
        )
        guard !mine.isEmpty else { return nil }
        let held = (try? outbox.monthlyReturns()) ?? []
        // The node's own view: a return counts from when the node accepted it, unless the hub refused it.
        let made = held.filter { $0.status != .rejected }.map {
            ReceivedReturn(
                node: $0.record.node,
                region: $0.record.region,
                month: $0.record.month,
                version: $0.record.version,
                status: $0.record.status,
                receivedOn: LocalDate.today(now: $0.acceptedAt)
            )
        }
        let table = Completeness(
            taxonomy: taxonomy,
            returns: made,
            asOf: LocalDate.today(),
            timelyDays: Completeness.defaultTimelyDays,
            region: setup.configuration.region
        )
        return table.outstanding(nodes: mine).map {
            NodeStatusReport.ReturnDue(
                node: $0.node,
                month: $0.month.text,
                dueOn: $0.dueOn.iso,
                daysOverdue: $0.state == .overdue ? $0.daysLate ?? 0 : 0,
                text: $0.dueSentence
            )
        }
    }
}

// Locked months at the node (docs/protocol.md, "PERIODS"): learnt from the hub over the link, kept in the outbox
// across restarts, enforced before anything is queued.
extension NodeReactor {
    /// Takes the hub's locks — the first set of a session whatever its version, later ones when they are newer than
    /// the ones held — and records them in the outbox, so that they hold across a restart until the hub is reached
    /// again. The first set of a session is the hub's whole truth: a hub restored from an older backup, or another
    /// hub, numbers its steps afresh, and the node must not keep a lock that hub no longer has.
    func received(_ message: PeriodsMessage) {
        let first = !periodLocksThisSession
        periodLocksThisSession = true
        guard first || message.locks.version >= periodLocks.version, message.locks != periodLocks else { return }
        periodLocks = message.locks
        do {
            try outbox.recordPeriodLocks(message.locks)
        } catch {
            // Enforced from memory all the same; after a restart the hub sends them again on WELCOME.
            logger.error("recording the locked months in the outbox failed", metadata: ["error": "\(error)"])
        }
        logger.info(
            "locked months from the hub",
            metadata: [
                "version": "\(message.locks.version)",
                "locked": "\(message.locks.locks.map { "\($0.region) \($0.month)" }.joined(separator: ", "))",
            ]
        )
    }

    /// The lock an event runs into: its own month, or — for a correction or withdrawal — the month of the version it
    /// replaces (moving an activity out of a locked month changes that month too).
    func lockedMonth(of event: ActivityEvent) -> PeriodLedger.Lock? {
        guard !periodLocks.locks.isEmpty, !event.isTest else { return nil }
        if let lock = periodLocks.lock(region: event.region, date: event.date) { return lock }
        guard event.basedOn != nil || event.isWithdrawn,
            let held = try? outbox.latest(of: event.id),
            let date = (try? JSONValue.parse(held.payload))?["date"]?.stringValue.flatMap(LocalDate.init(iso:))
        else { return nil }
        return periodLocks.lock(region: event.region, date: date)
    }
}
