import Foundation
import KnutepunktDomain
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The reporting-periods part of the HubStore contract (``HubPeriodsStore``), run against every backend (SQLite and a
/// real PostgreSQL server): monthly returns are committed with their batch and settle their sequence, are stored
/// exactly once (a resend is ignored), keep their versions, survive reopening the store, and are never counted as
/// activity.
@Suite struct HubPeriodsStoreTests {
    static func monthly(
        _ node: String,
        _ month: String,
        _ status: MonthlyReturn.Status,
        version: Int = 1
    ) -> MonthlyReturn {
        MonthlyReturn(
            region: "NO-VEST",
            node: node,
            month: ReportingMonth(text: month)!,
            status: status,
            reason: status == .reopened ? "two trainings were not entered" : nil,
            version: version,
            basedOn: version > 1 ? version - 1 : nil,
            submittedBy: "kari"
        )
    }

    @Test(arguments: HubStoreBackend.allCases)
    func returnsAreStoredOnceWithTheirVersionsAndNeverCounted(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        var batch = HubBatch()
        batch.events = [HubStoreConformanceTests.record("NO-VEST", 1)]
        batch.returns = [
            HubReturnRecord(
                source: "NO-VEST",
                sequence: 2,
                record: Self.monthly("NO-VEST-BERGEN", "2026-10", .complete)
            ),
            HubReturnRecord(source: "NO-VEST", sequence: 3, record: Self.monthly("NO-VEST-FONNA", "2026-10", .nil)),
        ]
        batch.settled = ["NO-VEST": 3]
        #expect(
            try store.commit(batch, receivedAt: Date(timeIntervalSince1970: 1_793_000_000)).decisions
                == HubCommitResult(countedChange: 1)
        )
        // A batch of nothing but a return is not empty: it settles a sequence. The resend of sequence 3 is ignored.
        var second = HubBatch()
        second.returns = [
            HubReturnRecord(source: "NO-VEST", sequence: 3, record: Self.monthly("NO-VEST-FONNA", "2026-10", .nil)),
            HubReturnRecord(
                source: "NO-VEST",
                sequence: 4,
                record: Self.monthly("NO-VEST-BERGEN", "2026-10", .reopened, version: 2)
            ),
        ]
        #expect(!second.isEmpty)
        second.settled = ["NO-VEST": 4]
        _ = try store.commit(second, receivedAt: Date(timeIntervalSince1970: 1_793_100_000))
        try store.close()

        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.settledProgress() == ["NO-VEST": 4])
        let returns = try reopened.monthlyReturns()
        #expect(returns.map(\.sequence) == [2, 3, 4])
        #expect(returns.map(\.record.status) == [.complete, .nil, .reopened])
        #expect(returns[2].record == Self.monthly("NO-VEST-BERGEN", "2026-10", .reopened, version: 2))
        #expect(returns[0].receivedAt == Date(timeIntervalSince1970: 1_793_000_000))
        #expect(returns[2].receivedAt == Date(timeIntervalSince1970: 1_793_100_000))
        // Never activity: one event stored and counted.
        #expect(try reopened.counts().total == 1)
        var events = 0
        try reopened.forEachActivityCount { _, count in events += count.events }
        #expect(events == 1)
        // Completeness reads the latest version of each: BERGEN's October was reopened, FONNA's nil return counts.
        // Only these two nodes expected, from October (the shipped taxonomy expects every node from January).
        var taxonomy = InProcessDaemons.taxonomy
        taxonomy.reportingPeriods = [:]
        for node in ["NO-VEST-BERGEN", "NO-VEST-FONNA"] {
            taxonomy.reportingPeriods[node] = .init(active: LocalDate(iso: "2026-10-01")!)
        }
        let table = try reopened.completeness(
            taxonomy: taxonomy,
            asOf: LocalDate(iso: "2026-11-10")!,
            timelyDays: 15
        )
        #expect(table.national.expected == 2 && table.national.received == 1 && table.national.onTime == 1)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func periodStepsAreKeptInOrder(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        let steps = [
            PeriodLedger.Step(
                region: "NO-VEST",
                month: "2026-11",
                kind: .signOff,
                by: "liv",
                role: .lead,
                at: "2026-12-03T10:00:00Z",
                reason: nil
            ),
            PeriodLedger.Step(
                region: "NO-VEST",
                month: "2026-11",
                kind: .accept,
                by: "nina",
                role: .analyst,
                at: "2026-12-05T10:00:00Z",
                reason: nil
            ),
            PeriodLedger.Step(
                region: "NO-VEST",
                month: "2026-11",
                kind: .reopen,
                by: "nina",
                role: .analyst,
                at: "2026-12-06T10:00:00Z",
                reason: "late corrections"
            ),
        ]
        for step in steps { try store.recordPeriodStep(step) }
        try store.close()
        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.periodSteps() == steps)
    }

    @Test func aMigrationCopiesTheReturnsAndTheLocks() async throws {
        let from = try await HubStoreFixture(.sqlite)
        let to = try await HubStoreFixture(.postgres)
        defer {
            from.remove()
            to.remove()
        }
        let source = try from.open()
        defer { try? source.close() }
        var batch = HubBatch()
        batch.returns = [
            HubReturnRecord(source: "NO-VEST", sequence: 1, record: Self.monthly("NO-VEST-BERGEN", "2026-10", .nil))
        ]
        batch.settled = ["NO-VEST": 1]
        _ = try source.commit(batch, receivedAt: Date(timeIntervalSince1970: 1_793_000_000))
        try source.recordPeriodStep(
            PeriodLedger.Step(
                region: "NO-VEST",
                month: "2026-10",
                kind: .signOff,
                by: "liv",
                role: .lead,
                at: "2026-11-03T10:00:00Z",
                reason: nil
            )
        )
        let target = try to.open()
        defer { try? target.close() }
        for _ in 0..<2 {
            let report = try HubStoreMigration.run(from: source, to: target)
            #expect(report.verified, "\(report.mismatches)")
        }
        #expect(try target.monthlyReturns() == source.monthlyReturns())
        #expect(try target.periodSteps() == source.periodSteps())
    }
}
