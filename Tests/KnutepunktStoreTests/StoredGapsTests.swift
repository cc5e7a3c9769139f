import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The gap lifecycle is stored: a reopened store resumes with the same open gaps, opening days, sequence and epoch,
/// and keeps every gap's history.
@Suite struct StoredGapsTests {
    static let day1 = LocalDate(year: 2026, month: 3, day: 1)!
    static let day2 = LocalDate(year: 2026, month: 3, day: 2)!

    static func finding(_ rule: GapRule, _ region: String?, _ severity: GapSeverity, group: String? = nil) -> GapFinding
    {
        GapFinding(
            rule: rule,
            severity: severity,
            region: region,
            targetGroup: group,
            message: "\(rule.rawValue) \(region ?? "national")",
            // G12 reports an infinite max/min when a region has nothing: it must survive the store.
            inputs: ["observed": 0, "maxMin": .infinity],
            thresholds: ["k": 0.5]
        )
    }

    static func evaluation(_ findings: [GapFinding]) -> GapEvaluator.Evaluation {
        GapEvaluator.Evaluation(findings: findings)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aReopenedStoreResumesTheLifecycle(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        #expect(try store.loadGaps() == nil)

        var lifecycle = GapLifecycle()
        let hiconf = Self.finding(.g1AbsentService, "NO-VEST", .red, group: "HICONF")
        let inequity = Self.finding(.g12NationalInequity, nil, .amber, group: "PND")
        let first = lifecycle.apply(Self.evaluation([hiconf, inequity]), on: Self.day1)
        try store.saveGaps(
            StoredGaps(epoch: "e1", sequence: lifecycle.sequence, open: lifecycle.snapshot.gaps),
            changes: first
        )
        try store.close()

        let reopened = try fixture.open()
        defer { try? reopened.close() }
        let stored = try #require(try reopened.loadGaps())
        #expect(stored.epoch == "e1")
        #expect(stored.sequence == 2)
        #expect(stored.open == lifecycle.snapshot.gaps)
        #expect(stored.open.first { $0.finding.rule == .g12NationalInequity }?.finding.inputs["maxMin"] == .infinity)

        // The next day HICONF is served: its gap closes; the G12 gap stays open since day 1.
        var resumed = GapLifecycle(open: stored.open, sequence: stored.sequence)
        let second = resumed.apply(Self.evaluation([inequity]), on: Self.day2)
        #expect(second.map(\.sequence) == [3])
        try reopened.saveGaps(
            StoredGaps(epoch: stored.epoch, sequence: resumed.sequence, open: resumed.snapshot.gaps),
            changes: second
        )
        let again = try #require(try reopened.loadGaps())
        #expect(again.sequence == 3)
        #expect(again.open.map(\.finding.key) == [inequity.key])
        #expect(again.open.first?.openedOn == Self.day1)
        #expect(again.open.first?.lastEvaluated == Self.day2)

        let history = try reopened.gapHistory(limit: 10)
        #expect(history.count == 2)
        let closed = try #require(history.first { $0.finding.key == hiconf.key })
        #expect(closed.openedOn == Self.day1)
        #expect(closed.closedOn == Self.day2)
        #expect(history.first { $0.finding.key == inequity.key }?.closedOn == nil)
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aGapThatClosesAndOpensAgainHasTwoEntries(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        var lifecycle = GapLifecycle()
        let prison = Self.finding(.g1AbsentService, "NO-NORD", .red, group: "PRISON")
        for (day, findings) in [(Self.day1, [prison]), (Self.day2, []), (Self.day2, [prison])] {
            let changes = lifecycle.apply(Self.evaluation(findings), on: day)
            try store.saveGaps(
                StoredGaps(epoch: "e", sequence: lifecycle.sequence, open: lifecycle.snapshot.gaps),
                changes: changes
            )
        }
        let history = try store.gapHistory(limit: 10).filter { $0.finding.key == prison.key }
        #expect(history.count == 2)
        #expect(history.filter { $0.closedOn == nil }.count == 1)
        #expect(try store.loadGaps()?.sequence == 3)
    }
}
