import KnutepunktDomain
import KnutepunktGaps
import Testing

@Suite struct GapLifecycleTests {
    static let day1 = LocalDate(year: 2026, month: 3, day: 1)!
    static let day2 = LocalDate(year: 2026, month: 3, day: 2)!
    static let day3 = LocalDate(year: 2026, month: 3, day: 3)!

    static func finding(_ group: String, _ severity: GapSeverity = .red, region: String = "NO-VEST") -> GapFinding {
        GapFinding(
            rule: .g1AbsentService,
            severity: severity,
            region: region,
            targetGroup: group,
            message: "no \(group) in \(region)"
        )
    }

    static func evaluation(
        _ findings: [GapFinding],
        staleRegions: [String] = [],
        uncovered: Set<String> = []
    ) -> GapEvaluator.Evaluation {
        GapEvaluator.Evaluation(findings: findings, staleRegions: staleRegions, uncovered: uncovered)
    }

    @Test func gapsOpenStayOpenAndCloseWithNumberedChanges() {
        var lifecycle = GapLifecycle()
        let first = lifecycle.apply(Self.evaluation([Self.finding("HICONF"), Self.finding("PRISON")]), on: Self.day1)
        #expect(first.map(\.sequence) == [1, 2])
        #expect(first.map(\.change.key) == ["G1|NO-VEST|HICONF", "G1|NO-VEST|PRISON"])

        // Still firing, unchanged: no update, but the last evaluation moves on.
        let second = lifecycle.apply(Self.evaluation([Self.finding("HICONF"), Self.finding("PRISON")]), on: Self.day2)
        #expect(second.isEmpty)
        #expect(lifecycle.open["G1|NO-VEST|HICONF"]?.openedOn == Self.day1)
        #expect(lifecycle.open["G1|NO-VEST|HICONF"]?.lastEvaluated == Self.day2)

        // HICONF worsens nothing but PRISON is served now; a new gap appears; a severity change is a change.
        let third = lifecycle.apply(
            Self.evaluation([Self.finding("HICONF", .amber), Self.finding("SAMI")]),
            on: Self.day3
        )
        #expect(third.map(\.sequence) == [3, 4, 5])
        guard case .changed(let changed) = third[0].change, case .closed(let closed, let on) = third[1].change,
            case .opened(let opened) = third[2].change
        else {
            Issue.record("unexpected changes \(third)")
            return
        }
        #expect(changed.finding.severity == .amber && changed.openedOn == Self.day1)
        #expect(closed.finding.targetGroup == "PRISON" && on == Self.day3)
        #expect(opened.finding.targetGroup == "SAMI")
        #expect(lifecycle.snapshot.sequence == 5)
        #expect(lifecycle.snapshot.gaps.map(\.finding.key) == ["G1|NO-VEST|HICONF", "G1|NO-VEST|SAMI"])
    }

    @Test func noDataNeitherOpensNorClosesAGap() {
        var lifecycle = GapLifecycle()
        _ = lifecycle.apply(
            Self.evaluation([Self.finding("HICONF"), Self.finding("HICONF", region: "NO-NORD")]),
            on: Self.day1
        )
        // NO-VEST falls silent: its G1 is held, not fixed; and no new gap opens there.
        let silent = lifecycle.apply(
            Self.evaluation([Self.finding("HICONF", region: "NO-NORD")], staleRegions: ["NO-VEST"]),
            on: Self.day2
        )
        #expect(silent.isEmpty)
        #expect(lifecycle.open.keys.sorted() == ["G1|NO-NORD|HICONF", "G1|NO-VEST|HICONF"])
        // The store no longer covers NO-NORD for G1 (a store restored from an older backup): held too.
        let uncovered = lifecycle.apply(Self.evaluation([], uncovered: ["NO-NORD|G1"]), on: Self.day3)
        #expect(uncovered.map(\.change.key) == ["G1|NO-VEST|HICONF"])
        #expect(lifecycle.open.keys.sorted() == ["G1|NO-NORD|HICONF"])
    }

    @Test func aLateSubscriberGetsSnapshotThenEveryLaterChangeOnce() {
        var lifecycle = GapLifecycle()
        var published: [GapLifecycle.Update] = []
        published += lifecycle.apply(Self.evaluation([Self.finding("HICONF"), Self.finding("PRISON")]), on: Self.day1)
        let snapshot = lifecycle.snapshot
        published += lifecycle.apply(Self.evaluation([Self.finding("HICONF"), Self.finding("SAMI")]), on: Self.day2)
        // The subscriber applies the snapshot, then only updates numbered above it.
        var seen = Dictionary(uniqueKeysWithValues: snapshot.gaps.map { ($0.finding.key, $0) })
        for update in published where update.sequence > snapshot.sequence {
            switch update.change {
            case .opened(let gap), .changed(let gap): seen[gap.finding.key] = gap
            case .closed(let gap, _): seen[gap.finding.key] = nil
            }
        }
        // The same gaps, findings and opening dates (the last evaluation date is not a change, and not published).
        #expect(seen.mapValues(\.finding) == lifecycle.open.mapValues(\.finding))
        #expect(seen.mapValues(\.openedOn) == lifecycle.open.mapValues(\.openedOn))
    }
}
