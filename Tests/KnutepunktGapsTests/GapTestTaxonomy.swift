import Foundation
import KnutepunktDomain

@testable import KnutepunktGaps

/// A small taxonomy for the gap rule tests, built in code: three regions of very different size, four nodes, a few
/// target groups, age bands and programmes whose tiers and evidence bands make each rule's cases easy to compute.
///
/// Catalogue (tools left out): PREG has tier U (P_U); M0_3 has S (P_EB) and I (P_TH); M3_12 has I (P_TH) and T
/// (P_T). Evidence-based: P_EB for PND (CEBC 2), P_T for PAR_MH (EIF 3); none for ALL or HICONF.
enum GapTestTaxonomy {
    static let regionA = "NO-A"
    static let regionB = "NO-B"
    static let regionC = "NO-C"

    static let taxonomy: Taxonomy = {
        func region(_ code: String, _ births: Int) -> Taxonomy.Region {
            Taxonomy.Region(
                code: code,
                name: code,
                country: "NO",
                centre: code,
                births: Taxonomy.Figure(value: births, year: 2024, source: "test", estimate: true)
            )
        }
        func terms(_ codes: String) -> [Taxonomy.Term] {
            codes.split(separator: " ").map { Taxonomy.Term(code: String($0), name: String($0)) }
        }
        return Taxonomy(
            regions: [region("NO-A", 10_000), region("NO-B", 5_000), region("NO-C", 2_000)],
            nodes: [
                .init(code: "NO-A-1", region: "NO-A", name: "A1", town: "A1"),
                .init(code: "NO-A-2", region: "NO-A", name: "A2", town: "A2"),
                .init(code: "NO-B-1", region: "NO-B", name: "B1", town: "B1"),
                .init(code: "NO-C-1", region: "NO-C", name: "C1", town: "C1"),
            ],
            kinds: terms("INFANT_DAY CONSULT_COLLAB TRAINING DELIVERY SCREENING"),
            targetGroups: [Taxonomy.Term(code: "ALL", name: "ALL", exclusive: true)] + terms("PND PAR_MH HICONF"),
            tiers: terms("U S I T NA"),
            ageBands: terms("PREG M0_3 M3_12"),
            professions: terms("MIDWIFE PHN GP PAED PSYCH CW OTHER"),
            professionGroups: ["PHYSICIAN_ANY": ["GP", "PAED"]],
            funding: terms("PERMANENT TEMPORARY_PROJECT"),
            programmes: [
                .init(
                    code: "P_EB",
                    name: "evidence-based, PND",
                    tiers: ["S"],
                    ageBands: ["M0_3"],
                    targetGroups: ["PND"],
                    dyadic: true,
                    ratings: [.init(system: "CEBC", rating: "2")]
                ),
                .init(
                    code: "P_TH",
                    name: "theory only, PND",
                    tiers: ["I"],
                    ageBands: ["M0_3", "M3_12"],
                    targetGroups: ["PND"],
                    dyadic: true,
                    ratings: [.init(system: "UNGSINN", rating: "2")]
                ),
                .init(code: "P_U", name: "universal, unrated", tiers: ["U"], ageBands: ["PREG"]),
                .init(
                    code: "P_T",
                    name: "parent treatment",
                    tiers: ["T"],
                    ageBands: ["M3_12"],
                    targetGroups: ["PAR_MH"],
                    ratings: [.init(system: "EIF", rating: "3")]
                ),
                .init(
                    code: "TOOL",
                    name: "a screening tool",
                    tiers: ["U", "T"],
                    ageBands: ["PREG", "M0_3", "M3_12"],
                    targetGroups: ["PND"],
                    tool: true
                ),
            ]
        )
    }()

    static func date(_ iso: String) -> LocalDate { LocalDate(iso: iso)! }

    /// The default evaluation day.
    static let asOf = date("2026-06-15")

    /// Facts with every region (births from the taxonomy, data since three years before `asOf`, so the store covers
    /// every period a rule reads) and node (reported on `asOf`, so fresh) and no activity.
    static func facts(asOf: LocalDate = asOf) -> GapFacts {
        var facts = GapFacts(asOf: asOf)
        for region in taxonomy.regions {
            facts.regions[region.code] = GapFacts.RegionFacts(births: region.births.value)
            facts.regions[region.code]!.firstData = asOf.adding(months: -36)
        }
        for node in taxonomy.nodes {
            facts.nodes[node.code] = GapFacts.NodeFacts(region: node.region, lastReport: asOf)
        }
        return facts
    }

    /// `facts` with every local node of `region` silent (last report 2026-01-01, more than 90 days before `asOf`):
    /// the region does not report.
    static func silent(_ region: String, _ facts: GapFacts) -> GapFacts {
        var facts = facts
        for node in facts.nodes(inRegion: region) { facts.nodes[node]!.lastReport = date("2026-01-01") }
        return facts
    }

    /// `facts` with monthly returns on record (as of 2026-06-15): every local node owed one for each month from
    /// 2023-06 to 2026-04 (May's is not due until 15 June), and each came in, except 2026-03 and 2026-04 from `nodes`.
    /// The nodes' last activity is left as it is (fresh in ``facts(asOf:)``): a missing return is no report however
    /// recent the node's last activity.
    static func unreturned(_ nodes: [String], _ facts: GapFacts) -> GapFacts {
        var facts = facts
        let months = (0..<35).map { date("2023-06-01").adding(months: $0) }
        var returns = ExpectedReturns()
        for node in taxonomy.nodes {
            returns.expected[node.code] = Set(months)
            returns.received[node.code] = Set(months)
            if nodes.contains(node.code) {
                returns.received[node.code]!.subtract([date("2026-03-01"), date("2026-04-01")])
            }
        }
        facts.returns = returns
        return facts
    }

    /// ``unreturned(_:_:)`` with every local node of `region` missing its returns: the region does not report.
    static func unreturned(region: String, _ facts: GapFacts) -> GapFacts {
        unreturned(taxonomy.nodes(inRegion: region).map(\.code), facts)
    }

    /// `facts` with the store's data for `region` starting on 2026-02-10: it covers the region from 2026-02-01, not
    /// the whole window (from 2025-06-16), nor G10's quarters or last year.
    static func recent(_ region: String, _ facts: GapFacts) -> GapFacts {
        var facts = facts
        facts.regions[region]!.firstData = date("2026-02-10")
        return facts
    }

    /// The facts of `events` as of `asOf`, with every region covered for three years and every node fresh (as if
    /// older activity and recent contact were on record), so a test reads only what its events change.
    static func built(_ events: [ActivityEvent], asOf: LocalDate = asOf) -> GapFacts {
        var facts = GapFacts.build(asOf: asOf, taxonomy: taxonomy, events: events)
        for region in facts.regions.keys { facts.regions[region]!.firstData = asOf.adding(months: -36) }
        for node in facts.nodes.keys { facts.nodes[node]!.lastReport = asOf }
        return facts
    }

    /// Runs one rule with the test taxonomy and the standard thresholds.
    static func run(_ rule: GapRules.Rule, _ facts: GapFacts) -> [GapFinding] {
        rule(facts, taxonomy, .standard)
    }

    /// A valid event with defaults for everything a test does not care about.
    static func event(
        region: String = "NO-A",
        node: String = "NO-A-1",
        kind: String = "DELIVERY",
        date: String,
        groups: [String] = ["PND"],
        programmes: [String] = [],
        tier: String = "S",
        bands: [String] = ["M0_3"],
        professions: [String] = ["PHN"],
        families: Int = 0,
        funding: String = "PERMANENT"
    ) -> ActivityEvent {
        ActivityEvent(
            id: UUID(),
            region: region,
            node: node,
            kind: kind,
            date: LocalDate(iso: date)!,
            targetGroups: groups,
            programmes: programmes,
            tier: tier,
            ageBands: bands,
            professions: professions,
            participants: 1,
            families: families,
            sessions: 1,
            funding: funding
        )
    }
}

extension [GapFinding] {
    /// (rule, severity, region, subject) of each finding, for compact expectations.
    var summary: [String] {
        map { "\($0.severity.rawValue) \($0.key)" }
    }
}
