import KnutepunktDomain
import KnutepunktGaps
import KnutepunktReports
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// A finding's `since` that the data only bound (`sinceBasis` AT_LEAST) reads as a bound in the text report, not as
/// the day the condition began.
@Suite struct GapReportSinceTests {
    static let today = LocalDate(iso: "2026-12-01")!

    /// The report of the sample year of two regions, its first group's findings all dated 2026-06-01 but one.
    static func report(earliestBasis: String?) throws -> GapReport {
        let taxonomy = InProcessDaemons.taxonomy
        var network = NetworkGapFacts(taxonomy: taxonomy, asOf: today, windowMonths: 12)
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 9)
        for region in ["NO-VEST", "NO-NORD"] {
            for event in sample.activities(region: region) { network.add(event) }
        }
        var report = GapReport.make(network: network, taxonomy: taxonomy, thresholds: .standard, events: 0)
        let group = try #require(report.groups.first)
        let keys = Set(group.keys)
        let members = report.findings.indices.filter { keys.contains(report.findings[$0].key) }
        for index in members {
            report.findings[index].since = LocalDate(iso: "2026-06-01")
            report.findings[index].sinceBasis = nil
        }
        let earliest = try #require(members.last)
        report.findings[earliest].since = LocalDate(iso: "2026-04-01")
        report.findings[earliest].sinceBasis = earliestBasis
        return report
    }

    @Test func aBoundIsWrittenAsOneInBothLanguages() throws {
        let report = try Self.report(earliestBasis: GapSince.atLeast)
        #expect(report.text(language: .en).contains("since 2026-04-01 or earlier\n"))
        #expect(report.text(language: .nb).contains("siden 2026-04-01 eller tidligere\n"))
    }

    @Test func anExactDayIsWrittenAsItIs() throws {
        let report = try Self.report(earliestBasis: nil)
        let text = report.text(language: .en)
        #expect(text.contains("since 2026-04-01\n"))
        #expect(!text.contains("or earlier"))
    }
}
