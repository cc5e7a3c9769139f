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
/// documents name, and the gap report finds them.
@Suite struct SampleGapReportTests {
    @Test func theSampleShowsTodaysKnownGaps() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let taxonomy = InProcessDaemons.taxonomy
        let today = LocalDate.today()
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 2026)
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        for region in ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"] {
            var batch = HubBatch()
            for (index, event) in sample.activities(region: region).enumerated() {
                batch.events.append(
                    HubEventRecord(
                        source: region,
                        sequence: UInt64(index + 1),
                        event: event,
                        payload: event.canonicalJSON()
                    )
                )
            }
            _ = try store.commit(batch, receivedAt: Date())
        }
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
        #expect(fires(.g13MissingInfantDay, "NO-MIDT"))
        #expect(!fires(.g13MissingInfantDay, "NO-VEST"))
        // A knowledge gap: no evidence-based programme at all for high-conflict families.
        #expect(fires(.g7Evidence, nil, group: "HICONF"))
    }
}
