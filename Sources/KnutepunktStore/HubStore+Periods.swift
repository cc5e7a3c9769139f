import Foundation
import KnutepunktDomain
import KnutepunktGaps

/// One version of a monthly return the hub accepted (docs/events.md, "Monthly returns"): committed with the batch it
/// came in, its sequence settled like an event's, kept in a table of its own and never counted as an activity.
package struct HubReturnRecord: Sendable, Hashable {
    package var source: String
    package var sequence: UInt64
    package var record: MonthlyReturn
    /// The canonical payload.
    package var payload: [UInt8]

    package init(source: String, sequence: UInt64, record: MonthlyReturn) {
        self.source = source
        self.sequence = sequence
        self.record = record
        self.payload = record.canonicalJSON()
    }
}

/// One stored version of a monthly return.
package struct HubStoredReturn: Sendable, Hashable {
    package var source: String
    package var sequence: UInt64
    package var record: MonthlyReturn
    /// When the hub stored it.
    package var receivedAt: Date

    package init(source: String, sequence: UInt64, record: MonthlyReturn, receivedAt: Date) {
        self.source = source
        self.sequence = sequence
        self.record = record
        self.receivedAt = receivedAt
    }

    /// As completeness reads it: the day it came and the day it was made at the node (its `submitted_at`), in Norway.
    package var received: ReceivedReturn {
        ReceivedReturn(
            node: record.node,
            region: record.region,
            month: record.month,
            version: record.version,
            status: record.status,
            receivedOn: LocalDate.today(now: receivedAt),
            madeOn: record.submittedAt.flatMap(LocalDate.utcTimestamp(_:)).map { LocalDate.today(now: $0) },
            submittedBy: record.submittedBy,
            reason: record.reason
        )
    }
}

/// What the hub store keeps of the reporting periods: the monthly returns. Part of ``HubStore``'s contract, checked
/// for both backends by the conformance tests.
///
/// A return version is stored at most once per (source, sequence) — a resend is ignored — and at most once per
/// (node, month, version): the node that makes the returns numbers their versions, and a second, different version
/// under a number already stored is ignored (the first one stands).
package protocol HubPeriodsStore {
    /// Every stored version of every return, oldest first.
    func monthlyReturns() throws(StoreError) -> [HubStoredReturn]
    /// Every sign-off, acceptance and reopening, oldest first: the ledger of locked months.
    func periodSteps() throws(StoreError) -> [PeriodLedger.Step]
    /// Appends one step to the ledger (the caller has checked it against the rules), durably.
    func recordPeriodStep(_ step: PeriodLedger.Step) throws(StoreError)
}

extension HubPeriodsStore {
    /// The returns owed and received as of `asOf`, for the gap rules; nil when the taxonomy expects no returns at all
    /// (no node has an `active:` date), so that silence is then read from reports and contact alone.
    package func expectedReturns(
        taxonomy: Taxonomy,
        asOf: LocalDate,
        timelyDays: Int
    ) throws(StoreError) -> ExpectedReturns? {
        guard !taxonomy.reportingPeriods.isEmpty else { return nil }
        return ExpectedReturns(
            taxonomy: taxonomy,
            returns: try monthlyReturns().map(\.received),
            asOf: asOf,
            timelyDays: timelyDays
        )
    }

    /// Completeness and timeliness as of `asOf` (``Completeness``).
    package func completeness(
        taxonomy: Taxonomy,
        asOf: LocalDate,
        timelyDays: Int,
        region: String? = nil,
        from: ReportingMonth? = nil,
        to: ReportingMonth? = nil
    ) throws(StoreError) -> Completeness {
        Completeness(
            taxonomy: taxonomy,
            returns: try monthlyReturns().map(\.received),
            asOf: asOf,
            timelyDays: timelyDays,
            region: region,
            from: from,
            to: to
        )
    }
}
