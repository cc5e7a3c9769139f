import KnutepunktProtocol

/// The region as the hub sees it: each open gap of the region in plain language, worst first (the hub's GAPS
/// snapshot), and the region's coverage per target group beside the national median (the hub's COVERAGE answer,
/// from the coverage table the dashboard shows). The hub withholds counts under 5 and the rates they would reveal in
/// what it publishes, and this shows only what it published. A hub of an earlier release does not answer COVERAGE:
/// the coverage is then only that of the target groups with a rate shortfall (G2), from the gaps.
package struct RegionPicture: Encodable, Sendable {
    struct Gap: Encodable, Sendable {
        var rule: String
        var severity: String
        var targetGroup: String?
        var node: String?
        var message: String
        var messageNb: String
        /// The day the condition first held in the data, or the day the hub first found it (``GapRecord/since``).
        var since: String?
        /// `AT_LEAST` when `since` is only a bound (the condition held from then at least): the page writes "since
        /// 2026-04-01 or earlier", as the report and the dashboard do.
        var sinceBasis: String?
    }

    struct Coverage: Encodable, Sendable {
        var targetGroup: String
        /// Activities per 1,000 births in the region, and the median across regions (12 months).
        var rate: Double?
        var median: Double?
        /// How the rate compares (``CoverageTable/Band``'s names), or a G2 finding's severity.
        var band: String
        /// Events and families in the window; absent when withheld (under 5).
        var events: Int?
        var families: Int?
        var withheld: Bool
    }

    /// Whether the node is set up to ask the hub (`workspaceHubControl`).
    var available: Bool
    /// Why not, or why the hub could not be asked.
    var problem: String?
    var gaps: [Gap]
    var coverage: [Coverage]
    /// The day the hub's coverage is as of, when it answered COVERAGE.
    var coverageAsOf: String?

    package init(snapshot: GapSnapshot, coverage regionCoverage: RegionCoverage?, region: String) {
        available = true
        problem = nil
        let mine = snapshot.gaps.filter { $0.region == region }.sorted { $0.priority > $1.priority }
        gaps = mine.map {
            Gap(
                rule: $0.rule,
                severity: $0.severity,
                targetGroup: $0.targetGroup,
                node: $0.node,
                message: $0.message,
                messageNb: $0.messageNb ?? $0.message,
                since: $0.since,
                sinceBasis: $0.sinceBasis
            )
        }
        if let regionCoverage {
            coverageAsOf = regionCoverage.asOf
            coverage = regionCoverage.groups.map {
                Coverage(
                    targetGroup: $0.targetGroup,
                    rate: $0.rate,
                    median: $0.median,
                    band: $0.band,
                    events: $0.events,
                    families: $0.families,
                    withheld: $0.withheld
                )
            }
            return
        }
        coverage = mine.filter { $0.rule == "G2" && $0.targetGroup != nil }.map {
            Coverage(
                targetGroup: $0.targetGroup ?? "",
                rate: $0.inputs["rate"],
                median: $0.inputs["median"],
                band: $0.severity,
                withheld: false
            )
        }
        .sorted { $0.targetGroup < $1.targetGroup }
    }

    init(unavailable problem: String) {
        available = false
        self.problem = problem
        gaps = []
        coverage = []
    }
}
