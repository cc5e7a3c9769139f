import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktReports
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The sample data set of the one-command network, stored as the hub stores it, carries the gaps the source
/// documents name, and the gap report finds them. Evaluated as of a fixed day in November, so that the running year's
/// infant day (G13, judged after 1 October) is in question whatever day the test runs.
@Suite struct SampleGapReportTests {
    /// Stores the sample's activities and the monthly returns its coordinators made by `asOf` (``SampleHubStore``).
    static func store(_ sample: SampleActivities, asOf: LocalDate, in store: SQLiteHubStore) throws {
        try SampleHubStore.store(sample, asOf: asOf, in: store)
    }

    @Test func theSampleShowsTodaysKnownGaps() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let taxonomy = InProcessDaemons.taxonomy
        let today = LocalDate(iso: "2026-11-30")!
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 2026)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        try SampleGapReportTests.store(sample, asOf: today, in: store)
        try store.close()

        let report = try GapReport.evaluate(
            location: .sqlite(path: folder.file("hub.sqlite")),
            taxonomy: taxonomy,
            thresholds: .standard,
            asOf: today
        )
        func fires(_ rule: GapRule, _ region: String?, group: String? = nil, severity: GapSeverity? = nil) -> Bool {
            report.findings.contains {
                $0.rule == rule && $0.region == region && (group == nil || $0.targetGroup == group)
                    && (severity == nil || $0.severity == severity)
            }
        }
        // High-conflict families are served only in NO-SOROST, families affected by imprisonment only in NO-VEST.
        for region in ["NO-VEST", "NO-MIDT", "NO-NORD"] {
            #expect(fires(.g1AbsentService, region, group: "HICONF", severity: .red), "HICONF uncovered in \(region)")
        }
        for region in ["NO-SOROST", "NO-MIDT", "NO-NORD"] {
            #expect(fires(.g1AbsentService, region, group: "PRISON", severity: .red), "PRISON uncovered in \(region)")
        }
        #expect(!fires(.g1AbsentService, "NO-SOROST", group: "HICONF"))
        // Physicians left out in NO-NORD; a node gone silent there; no infant day in NO-MIDT.
        #expect(fires(.g6MissingProfession, "NO-NORD", severity: .red))
        #expect(!fires(.g6MissingProfession, "NO-SOROST"))
        #expect(report.findings.contains { $0.rule == .d1StaleNode && $0.node == "NO-NORD-FINNMARK" })
        #expect(fires(.g13MissingInfantDay, "NO-MIDT", severity: .amber))
        #expect(!fires(.g13MissingInfantDay, "NO-VEST"))
        // A knowledge gap: no evidence-based programme at all for high-conflict families.
        #expect(fires(.g7Evidence, nil, group: "HICONF"))
        // The sample's year is all the store holds: last year's infant day and G10's 8 quarters are "not enough
        // data yet", not gaps; every region reports; the report opens with the national summary.
        #expect(!report.findings.contains { $0.rule == .g10Decline || $0.detail == "2025" })
        #expect(report.overview.notes.map(\.region) == ["NO-MIDT", "NO-NORD", "NO-SOROST", "NO-VEST"])
        #expect(report.overview.notes.allSatisfy { $0.rules == [.g10Decline, .g13MissingInfantDay] })
        #expect(report.staleRegions.isEmpty)
        let prison = try #require(report.overview.summary.first { $0.targetGroup == "PRISON" })
        #expect(prison.sentence.hasPrefix("Families affected by imprisonment (PRISON): no service in 3 of 4 regions"))
        #expect(prison.sentenceNb.hasPrefix("Familier berørt av fengsling (PRISON): ingen tjeneste i 3 av 4 regioner"))
        // No infinite max/min, and no RED from the inequity rule on the sample's small counts.
        #expect(report.findings.allSatisfy { $0.inputs.values.allSatisfy(\.isFinite) })
        // Ranked: the first group is RED and about a target group nobody serves in three regions.
        #expect(report.groups.first?.severity == "RED" && report.groups.first?.kind == .acrossRegions)
    }
}

/// The sample's monthly returns as the hub holds them: most on time, some late, and the silent node's missing once it
/// fell silent, so the completeness table shows beside the gaps.
@Suite struct SampleCompletenessTests {
    @Test func mostReturnsAreOnTimeSomeLateAndTheSilentNodesAreMissing() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let taxonomy = InProcessDaemons.taxonomy
        let today = LocalDate(iso: "2026-11-30")!
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 2026)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        try SampleGapReportTests.store(sample, asOf: today, in: store)
        let table = try store.completeness(taxonomy: taxonomy, asOf: today, timelyDays: 15)
        try store.close()

        // Expected: 19 local nodes, each from January 2026, for the months over by 30 November (January–October).
        #expect(table.national.expected == 19 * 10)
        #expect(table.months.first?.text == "2026-01" && table.months.last?.text == "2026-10")
        // Worked out from the returns the sample's coordinators made, by the day each was made.
        let made = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"].flatMap { sample.returns(region: $0, asOf: today) }
            .filter { $0.month <= ReportingMonth(text: "2026-10")! }
        let onTime = made.filter { $0.madeOn <= $0.month.last.adding(days: 15) }
        #expect(table.national.received == made.count)
        #expect(table.national.onTime == onTime.count)
        #expect(table.national.overdue == 190 - made.count)
        // Mostly on time, some late, some missing.
        #expect(onTime.count * 4 >= made.count * 3, "\(onTime.count) of \(made.count) on time")
        #expect(table.cells.contains { $0.state == .late })
        // The silent node (NO-NORD-FINNMARK, quiet for the last four months) made none after its last activity.
        let silent = "NO-NORD-FINNMARK"
        let last = try #require(sample.activities(region: "NO-NORD").filter { $0.node == silent }.map(\.date).max())
        let after = table.cells.filter { $0.node == silent && $0.month > ReportingMonth(last) }
        #expect(after.count >= 3 && after.allSatisfy { $0.state == .overdue })
        let before = table.cells.filter { $0.node == silent && $0.month <= ReportingMonth(last) }
        #expect(before.allSatisfy { $0.state.isReceived })
        // A late return is judged by the day it was made, not the day the hub stored it (all of them today).
        let late = try #require(table.cells.first { $0.state == .late })
        #expect(late.daysLate == late.dueOn.days(to: late.madeOn!) && late.madeOn! < late.receivedOn!)
    }
}

/// The hub's record of when each node daemon was last heard: a region whose daemon fell silent is "no report", not a
/// list of service gaps, and the other regions are compared without it.
@Suite struct SilentDaemonReportTests {
    @Test func aRegionWhoseDaemonWasLastHeardLongAgoHasNoReportAndIsLeftOutOfComparisons() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let taxonomy = InProcessDaemons.taxonomy
        let today = LocalDate(iso: "2026-11-30")!
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 2026)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        try SampleGapReportTests.store(sample, asOf: today, in: store)
        // The NO-MIDT daemon was last heard 100 days before the report's day; the others on that day.
        let noon = { (day: LocalDate) in
            Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 + 12 * 3600)
        }
        try store.recordLastHeard([
            "NO-MIDT": noon(today.adding(days: -100)), "NO-VEST": noon(today), "NO-NORD": noon(today),
            "NO-SOROST": noon(today),
        ])
        try store.close()

        let daemons = ["NO-SOROST": "NO-SOROST", "NO-VEST": "NO-VEST", "NO-MIDT": "NO-MIDT", "NO-NORD": "NO-NORD"]
        let report = try GapReport.evaluate(
            location: .sqlite(path: folder.file("hub.sqlite")),
            taxonomy: taxonomy,
            thresholds: .standard,
            asOf: today,
            daemonRegions: daemons
        )
        #expect(report.staleRegions == ["NO-MIDT"])
        let midt = report.findings.filter { $0.region == "NO-MIDT" }
        #expect(midt.map(\.key) == ["D1|NO-MIDT|NO_REPORT"])
        #expect(midt.first?.inputs["daysSinceHeard"] == 100)
        #expect(midt.first?.message.contains("its regional node has not been heard from for 100 days") == true)
        // High-conflict families: compared in 3 regions now, NO-MIDT "not comparable".
        let hiconf = try #require(report.overview.summary.first { $0.targetGroup == "HICONF" })
        #expect(hiconf.regionsNotComparable == ["NO-MIDT"] && hiconf.regionsWithout == ["NO-VEST", "NO-NORD"])
        // Without the daemons' regions the record cannot be read, and NO-MIDT is judged on its events as before.
        let unread = try GapReport.evaluate(
            location: .sqlite(path: folder.file("hub.sqlite")),
            taxonomy: taxonomy,
            thresholds: .standard,
            asOf: today
        )
        #expect(unread.staleRegions.isEmpty)
    }
}
