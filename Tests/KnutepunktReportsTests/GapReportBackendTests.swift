import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktReports
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The gap report reads a hub's store through the store API alone, so it says the same of the same events on either
/// backend, and refuses counters that do not cover the store rather than report on part of it.
@Suite struct GapReportBackendTests {
    static let today = LocalDate(iso: "2026-12-01")!

    /// The sample year of two regions, committed as the hub commits it.
    static func fill(_ store: any HubStore) throws {
        let sample = SampleActivities(taxonomy: InProcessDaemons.taxonomy, start: today.adding(days: -364), seed: 9)
        for region in ["NO-VEST", "NO-NORD"] {
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
    }

    @Test func bothBackendsGiveTheSameReport() async throws {
        var reports: [GapReport] = []
        for backend in HubStoreBackend.allCases {
            let fixture = try await HubStoreFixture(backend)
            defer { fixture.remove() }
            let store = try fixture.open()
            try Self.fill(store)
            try store.close()
            reports.append(
                try GapReport.evaluate(
                    location: fixture.storage,
                    taxonomy: InProcessDaemons.taxonomy,
                    thresholds: .standard,
                    asOf: Self.today
                )
            )
        }
        #expect(reports.count == 2)
        #expect(reports[0].events > 100)
        #expect(reports[0].events == reports[1].events)
        #expect(reports[0].findings == reports[1].findings)
        #expect(!reports[0].findings.isEmpty, "the sample carries gaps")
    }

    @Test func anEmptyStoreIsReportedWithoutEvents() async throws {
        let fixture = try await HubStoreFixture(.sqlite)
        defer { fixture.remove() }
        try fixture.open().close()
        let report = try GapReport.evaluate(
            location: fixture.storage,
            taxonomy: InProcessDaemons.taxonomy,
            thresholds: .standard,
            asOf: Self.today
        )
        #expect(report.events == 0)
    }
}
