import Foundation
import KnutepunktConfig
import KnutepunktDomain
import Testing

/// `active:` and `closed:` on the taxonomy's local nodes: when each is expected to make monthly returns.
@Suite struct TaxonomyReportingPeriodTests {
    static func shipped(replacing old: String, with new: String) throws -> String {
        let text = try String(contentsOfFile: RepositoryFiles.taxonomy, encoding: .utf8)
        #expect(text.contains(old))
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test("the shipped taxonomy expects a monthly return from every local node since January 2026")
    func shippedPeriods() throws {
        let taxonomy = try TaxonomyFile.load(path: RepositoryFiles.taxonomy)
        #expect(taxonomy.nodes.count == 19)
        for node in taxonomy.nodes {
            #expect(
                taxonomy.reportingPeriod(of: node.code) == .init(active: LocalDate(iso: "2026-01-01")!),
                "\(node.code)"
            )
        }
    }

    @Test("active and closed are read; a node without them is not expected to report")
    func read() throws {
        let text = try Self.shipped(
            replacing: "town: Haugesund, active: 2026-01-01}",
            with: "town: Haugesund, active: 2026-03-10, closed: 2026-10-31}"
        ).replacingOccurrences(of: "town: Bergen, active: 2026-01-01}", with: "town: Bergen}")
        let taxonomy = try TaxonomyFile.inspect(text: text, name: "taxonomy.yaml").taxonomy!
        let period = try #require(taxonomy.reportingPeriod(of: "NO-VEST-FONNA"))
        #expect(period.active == LocalDate(iso: "2026-03-10") && period.closed == LocalDate(iso: "2026-10-31"))
        #expect(period.expectedMonths(asOf: LocalDate(iso: "2026-12-07")!).map(\.text).first == "2026-03")
        #expect(period.expectedMonths(asOf: LocalDate(iso: "2026-12-07")!).map(\.text).last == "2026-10")
        #expect(taxonomy.reportingPeriod(of: "NO-VEST-BERGEN") == nil)
    }

    @Test("mistakes name the key and the fix")
    func mistakes() throws {
        let text = try Self.shipped(
            replacing: "town: Haugesund, active: 2026-01-01}",
            with: "town: Haugesund, active: 2026-03-10, closed: 2026-01-31}"
        )
        let inspection = TaxonomyFile.inspect(text: text, name: "taxonomy.yaml")
        #expect(inspection.taxonomy == nil)
        #expect(
            inspection.errors.contains {
                ($0.key ?? "").hasSuffix(".closed") && $0.message.contains("before it became active")
            }
        )
        let bad = try Self.shipped(
            replacing: "town: Haugesund, active: 2026-01-01}",
            with: "town: Haugesund, active: March}"
        )
        #expect(
            TaxonomyFile.inspect(text: bad, name: "taxonomy.yaml").errors.contains {
                ($0.key ?? "").hasSuffix(".active")
            }
        )
    }
}
