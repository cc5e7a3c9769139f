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
