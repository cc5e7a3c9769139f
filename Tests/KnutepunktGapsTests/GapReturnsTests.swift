import Foundation
import KnutepunktDomain
import Testing

@testable import KnutepunktGaps

private typealias T = GapTestTaxonomy

/// The reporting periods wired into the rules (issue "no report ≠ no service"): the returns the taxonomy expects and
/// the hub holds become ``ExpectedReturns``; a region with a return overdue in the window gets one "no report"
/// finding and no service gap, while a return not yet due, or a nil return, never makes a region silent.
@Suite struct GapReturnsTests {
    /// Every node reporting from 2025-01-01; the hub holds a return (complete or nil) for every month of NO-A and
    /// NO-B up to May 2026, and NO-C's are missing from March.
    static func returns(asOf: LocalDate) -> (Taxonomy, [ReceivedReturn]) {
        var taxonomy = T.taxonomy
        for node in taxonomy.nodes { taxonomy.reportingPeriods[node.code] = .init(active: T.date("2025-01-01")) }
        var returns: [ReceivedReturn] = []
        for node in taxonomy.nodes {
            for month in ReportingMonth.range(
                from: ReportingMonth(text: "2025-01")!,
                through: ReportingMonth(text: "2026-05")!
            ) {
                if node.region == "NO-C", month >= ReportingMonth(text: "2026-03")! { continue }
                returns.append(
                    ReceivedReturn(
                        node: node.code,
                        region: node.region,
                        month: month,
                        version: 1,
                        status: node.region == "NO-B" ? .nil : .complete,
                        receivedOn: month.last.adding(days: 3)
                    )
                )
            }
        }
        return (taxonomy, returns)
    }

    @Test("a return not yet due is not missing; an overdue one is; a reopened one no longer counts")
    func expectedReturns() {
        let (taxonomy, returns) = Self.returns(asOf: T.asOf)
        // 15 June: May's return is due on 15 June, so it is owed only from 16 June.
        let june15 = ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: T.asOf, timelyDays: 15)
        #expect(
            june15.missing(node: "NO-C-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).map(\.iso)
                == ["2026-03-01", "2026-04-01"]
        )
        let june16 = ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: T.date("2026-06-16"), timelyDays: 15)
        #expect(june16.missing(node: "NO-C-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).count == 3)
        #expect(june16.missing(node: "NO-A-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).isEmpty)
        var reopened = returns
        reopened.append(
            ReceivedReturn(
                node: "NO-A-1",
                region: "NO-A",
                month: ReportingMonth(text: "2026-02")!,
                version: 2,
                status: .reopened,
                receivedOn: T.date("2026-04-01")
            )
        )
        let withReopen = ExpectedReturns(taxonomy: taxonomy, returns: reopened, asOf: T.asOf, timelyDays: 15)
        #expect(
            withReopen.missing(node: "NO-A-1", from: T.date("2025-01-01"), to: T.date("2026-05-01")).map(\.iso)
                == ["2026-02-01"]
        )
    }

    @Test("missing returns: 'no report' for the region, never a service gap; nil returns are reports")
    func noReportNotNoService() throws {
        let (taxonomy, returns) = Self.returns(asOf: T.asOf)
        // PND: NO-A has some, NO-B none (it made nil returns: it reported, and served nobody), NO-C none (no returns).
        var facts = GapCoverageRuleTests.withPND(5, 0, 0)
        facts.returns = ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: T.asOf, timelyDays: 15)
        let evaluation = GapEvaluator.evaluate(facts, taxonomy: taxonomy)
        #expect(evaluation.staleRegions == ["NO-C"])
        let finding = try #require(evaluation.findings.first { $0.region == "NO-C" })
        #expect(finding.key == "D1|NO-C|NO_REPORT" && finding.inputs["missingReturns"] == 2)
        #expect(!evaluation.findings.contains { $0.region == "NO-C" && $0.rule != .d1StaleNode })
        #expect(evaluation.findings.contains { $0.key == "G1|NO-B|PND" }, "NO-B reported: its zero is no service")
        // Without the returns NO-C's zero would read as no service.
        let blind = GapEvaluator.evaluate(GapCoverageRuleTests.withPND(5, 0, 0), taxonomy: T.taxonomy)
        #expect(blind.findings.contains { $0.key == "G1|NO-C|PND" })
    }
}
