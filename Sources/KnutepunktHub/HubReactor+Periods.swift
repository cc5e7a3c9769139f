import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore

/// Monthly returns (docs/events.md, "Monthly returns"): validated against the hub's taxonomy and attributed to the
/// sender like events, committed and acknowledged with their batch, kept in a table of their own and never counted
/// as activity. After the commit the gap facts are folded again with them (no report is not no service).
extension HubReactor {
    /// Why an arriving return is refused.
    struct ReturnRefusal: Error {
        var reason: ReasonCode
        var detail: String
    }

    /// Checks one arriving return: the record to store, or why it is refused (NACK after the commit).
    func checkReturn(
        _ object: JSONValue,
        _ ingest: HubSessionStateMachine.Ingest,
        today: LocalDate
    ) -> Result<HubReturnRecord, ReturnRefusal> {
        switch MonthlyReturn.validate(object, taxonomy: validator.taxonomy, today: today) {
        case .failure(let failure):
            return .failure(
                ReturnRefusal(
                    reason: .refusing(failure.issues),
                    detail: failure.issues.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
                )
            )
        case .success(let record):
            if let refusal = sessions.admission.attribution(of: record.region, from: ingest.nodeID) {
                refusals[refusal.counter, default: 0] += 1
                return .failure(ReturnRefusal(reason: refusal.reason, detail: refusal.detail))
            }
            if let lock = periodLocks.lock(region: record.region, month: record.month) {
                return .failure(ReturnRefusal(reason: .periodLocked, detail: "month: \(lock.refusal)"))
            }
            return .success(HubReturnRecord(source: ingest.nodeID, sequence: ingest.sequence, record: record))
        }
    }

    /// After the commit that stored them: a log line each, the counter, and the gap facts folded again.
    func settleReturns(_ returns: [HubReturnRecord]) {
        guard !returns.isEmpty else { return }
        for item in returns {
            logger.info(
                "monthly return committed",
                metadata: [
                    "node.id": "\(item.source)", "sequence": "\(item.sequence)", "local.node": "\(item.record.node)",
                    "month": "\(item.record.month)", "status": "\(item.record.status.rawValue)",
                    "version": "\(item.record.version)",
                ]
            )
            setup.metrics.committedReturn(item.record.status.rawValue)
        }
        gaps.returnsStored()
    }
}

// Sign-off and lock (docs/protocol.md, "PERIOD"): a step is checked against the ledger's rules, recorded in the store,
// and, when the locks change, announced to every node session of KPN/1.3 (PERIODS).
extension HubReactor {
    /// A PERIOD request over the control socket. `key` is the CURVE key it came with (nil in plaintext): a node's
    /// key (a node listed as a viewer, for its workspace) may take only the step a regional lead takes for that
    /// node's own region, so that no node can accept or reopen a month, or sign off another region's.
    func periodReply(_ body: [UInt8], key: String? = nil) -> ControlMessage {
        func failure(_ code: String, _ message: String) -> ControlMessage {
            ControlMessage(command: .error, body: JSONBody.encode(ControlFailure(code: code, message: message)))
        }
        let request: PeriodRequest
        do {
            request = try JSONBody.decode(PeriodRequest.self, from: body)
        } catch {
            return failure(ControlFailure.malformedRequestCode, "PERIOD: \(error)")
        }
        if request.step == nil {
            return ControlMessage(command: .periodResult, body: JSONBody.encode(periodResult(request, state: nil)))
        }
        guard let kind = request.step, let role = PeriodLedger.Role(rawValue: request.role ?? ""),
            let by = request.by, !by.isEmpty
        else {
            return failure(ControlFailure.malformedRequestCode, "PERIOD needs step, by and role")
        }
        guard validator.taxonomy.region(request.region) != nil else {
            return failure(ControlFailure.malformedRequestCode, "\(request.region) is not a region of the taxonomy")
        }
        if let key, let owner = sessions.admission.policy.keyring?.owner(of: key) {
            guard kind == .signOff, role == .lead, request.region == owner.region,
                request.actorRegion == owner.region
            else {
                return failure(
                    PeriodRequest.refusedCode,
                    "this request comes with the key of node \(owner.node): a node's key signs off its own region's "
                        + "months (\(owner.region)) as its lead and nothing else; accepting and reopening are the "
                        + "national centre's"
                )
            }
        }
        let step = PeriodLedger.Step(
            region: request.region,
            month: request.month,
            kind: kind,
            by: by,
            role: role,
            at: LocalDate.utcTimestamp(Date()),
            reason: request.reason
        )
        var next = ledger
        switch next.apply(step, actorRegion: request.actorRegion, today: LocalDate.today()) {
        case .failure(let refusal):
            return failure(PeriodRequest.refusedCode, refusal.message)
        case .success(let state):
            do {
                try store.recordPeriodStep(step)
            } catch {
                return failure(ControlFailure.storeFailureCode, "the step was not recorded: \(error)")
            }
            ledger = next
            let locks = PeriodLocks(version: UInt64(ledger.steps.count), locks: ledger.locks)
            let changed = locks.locks != periodLocks.locks
            periodLocks = locks
            if changed {
                let message = PeriodsMessage(locks)
                for session in sessions.sessions where PeriodsMessage.speaks(session.version) {
                    send(message.frames, to: session.peer)
                }
            }
            logger.info(
                "reporting period step recorded",
                metadata: [
                    "region": "\(step.region)", "month": "\(step.month)", "step": "\(step.kind.rawValue)",
                    "by": "\(step.by)", "role": "\(step.role.rawValue)", "state": "\(PeriodLedger.describe(state))",
                ]
            )
            return ControlMessage(command: .periodResult, body: JSONBody.encode(periodResult(request, state: state)))
        }
    }

    private func periodResult(_ request: PeriodRequest, state: PeriodLedger.State?) -> PeriodResult {
        let state = state ?? ledger.state(region: request.region, month: request.month)
        return PeriodResult(
            region: request.region,
            month: request.month,
            state: PeriodLedger.describe(state),
            locked: { if case .locked = state { return true } else { return false } }(),
            history: ledger.history(region: request.region, month: request.month)
        )
    }
}
