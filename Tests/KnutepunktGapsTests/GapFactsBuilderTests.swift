import Testing

@testable import KnutepunktGaps

@Suite("GapFacts.Builder")
struct GapFactsBuilderTests {
    typealias T = GapTestTaxonomy

    @Test("window and quarters: as of 2026-06-30 the window is 2025-07-01…2026-06-30, quarters 2024Q3…2026Q2")
    func window() {
        let facts = GapFacts(asOf: T.date("2026-06-30"))
        #expect(facts.windowStart == T.date("2025-06-30"))
        #expect(!facts.inWindow(T.date("2025-06-30")) && facts.inWindow(T.date("2025-07-01")))
        #expect(facts.inWindow(T.date("2026-06-30")) && !facts.inWindow(T.date("2026-07-01")))
        #expect(facts.firstQuarter == T.date("2024-07-01"))
        #expect(facts.quarterIndex(of: T.date("2026-06-30")) == 7)
        #expect(facts.quarterIndex(of: T.date("2024-06-30")) == nil)
        // Mid-quarter, the running quarter is left out.
        let mid = GapFacts(asOf: T.date("2026-06-15"))
        #expect(mid.firstQuarter == T.date("2024-04-01"))
        #expect(mid.quarterIndex(of: T.date("2026-04-01")) == nil)
        #expect(mid.quarterIndex(of: T.date("2026-03-31")) == 7)
    }

    @Test("events fold into the same facts as written by hand")
    func equalsHandMade() {
        let events = [
            T.event(date: "2026-05-10", groups: ["PND"], programmes: ["P_EB"], tier: "S", families: 4),
            T.event(
                kind: "TRAINING",
                date: "2026-02-01",
                groups: ["PND", "PAR_MH"],
                programmes: ["P_EB"],
                professions: ["PHN", "GP"],
                funding: "TEMPORARY_PROJECT"
            ),
            T.event(
                node: "NO-A-2",
                kind: "CONSULT_COLLAB",
                date: "2025-09-15",
                groups: ["PAR_MH"],
                tier: "T",
                bands: ["M3_12"],
                professions: ["PSYCH", "CW"]
            ),
            // Before the window: counts in its quarter and as last year's infant day only.
            T.event(
                region: "NO-B",
                node: "NO-B-1",
                kind: "INFANT_DAY",
                date: "2025-03-01",
                groups: ["ALL"],
                tier: "U",
                bands: ["PREG", "M0_3"],
                professions: ["MIDWIFE"]
            ),
            // After as-of: ignored.
            T.event(region: "NO-B", node: "NO-B-1", date: "2026-07-01"),
            // Before the 8 quarters: only a (superseded) report date.
            T.event(date: "2024-05-01"),
        ]
        let built = GapFacts.build(asOf: T.date("2026-06-30"), taxonomy: T.taxonomy, events: events)

        var expected = GapFacts(asOf: T.date("2026-06-30"))
        var a = GapFacts.RegionFacts(births: 10_000)
        a.events = ["PND": 2, "PAR_MH": 2]
        a.families = ["PND": 4, "PAR_MH": 0]
        a.deliveries = [.init("S", "M0_3")]
        a.activeAgeBands = ["M0_3", "M3_12"]
        a.professionEvents = ["PHN": 1, "GP": 1, "PSYCH": 1, "CW": 1]
        a.consultTrainingEvents = 2
        a.temporaryEvents = 1
        a.totalEvents = 3
        a.quarterlyEvents = [0, 0, 0, 0, 1, 0, 1, 1]
        // The trends' cells: the 8 quarters and the running one (none: 2026-06-30 ends a quarter).
        a.quarterlyGroupEvents = ["PND": [0, 0, 0, 0, 0, 0, 1, 1, 0], "PAR_MH": [0, 0, 0, 0, 1, 0, 1, 0, 0]]
        a.programmesByTargetGroup = ["PND": ["P_EB"]]
        a.dyadicDeliveries = ["PND": 1]
        a.parentalMentalHealthCare = 1
        // What tells no report from no service, and when a condition began.
        a.firstData = T.date("2024-05-01")
        a.lastEvent = ["PND": T.date("2026-05-10"), "PAR_MH": T.date("2026-02-01")]
        a.lastAgeBand = ["M0_3": T.date("2026-05-10"), "M3_12": T.date("2025-09-15")]
        a.lastDelivery = [.init("S", "M0_3"): T.date("2026-05-10")]
        a.lastProfession = [
            "PHN": T.date("2026-02-01"), "GP": T.date("2026-02-01"), "PSYCH": T.date("2025-09-15"),
            "CW": T.date("2025-09-15"),
        ]
        a.lastEvidenceBased = ["PND": T.date("2026-05-10")]
        a.lastParentalCare = T.date("2025-09-15")
        var b = GapFacts.RegionFacts(births: 5_000)
        b.quarterlyEvents = [0, 0, 1, 0, 0, 0, 0, 0]
        b.quarterlyGroupEvents = ["ALL": [0, 0, 1, 0, 0, 0, 0, 0, 0]]
        b.infantDays = [2025: [T.date("2025-03-01")]]
        b.firstData = T.date("2025-03-01")
        b.lastEvent = ["ALL": T.date("2025-03-01")]
        b.lastAgeBand = ["PREG": T.date("2025-03-01"), "M0_3": T.date("2025-03-01")]

        expected.regions = ["NO-A": a, "NO-B": b, "NO-C": GapFacts.RegionFacts(births: 2_000)]
        var a1 = GapFacts.NodeFacts(region: "NO-A", lastReport: T.date("2026-05-10"))
        a1.programmesDelivered = ["P_EB"]
        a1.trains = true
        a1.lastProgrammeDelivery = ["P_EB": T.date("2026-05-10")]
        a1.lastTraining = T.date("2026-02-01")
        expected.nodes = [
            "NO-A-1": a1,
            "NO-A-2": GapFacts.NodeFacts(region: "NO-A", lastReport: T.date("2025-09-15")),
            "NO-B-1": GapFacts.NodeFacts(region: "NO-B", lastReport: T.date("2025-03-01")),
            "NO-C-1": GapFacts.NodeFacts(region: "NO-C"),
        ]
        #expect(built.regions["NO-A"] == expected.regions["NO-A"])
        #expect(built.regions["NO-B"] == expected.regions["NO-B"])
        #expect(built.nodes == expected.nodes)
        #expect(built == expected)
    }

    @Test("order does not matter, and a heartbeat noted later refreshes a node")
    func incremental() {
        let events = (1...6).map { T.event(date: "2026-0\($0)-0\($0)", groups: ["PND"], programmes: ["P_TH"]) }
        let forward = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: events)
        let backward = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: events.reversed())
        #expect(forward == backward)
        var builder = GapFacts.Builder(asOf: T.asOf, taxonomy: T.taxonomy)
        builder.noteReport(node: "NO-C-1", region: "NO-C", on: T.date("2026-06-01"))
        builder.noteReport(node: "NO-C-1", region: "NO-C", on: T.date("2026-05-01"))
        builder.noteReport(node: "NO-C-1", region: "NO-C", on: T.date("2026-07-01"))  // after as-of: ignored
        #expect(builder.facts.nodes["NO-C-1"]?.lastReport == T.date("2026-06-01"))
    }

    @Test("built from events, the rules find the same as with hand-made facts (G1 via the builder)")
    func endToEnd() {
        let events = [
            T.event(date: "2026-05-10", groups: ["HICONF"]),
            T.event(region: "NO-B", node: "NO-B-1", date: "2026-05-10", groups: ["HICONF"]),
        ]
        // Every region covered and reporting (T.built), else NO-C's silence would be "no report".
        #expect(T.run(GapRules.absentService, T.built(events)).summary == ["RED G1|NO-C|HICONF"])
        // Built as they are, NO-C never reported: no report, not no service.
        let facts = GapFacts.build(asOf: T.asOf, taxonomy: T.taxonomy, events: events)
        #expect(T.run(GapRules.absentService, facts).isEmpty)
    }
}
