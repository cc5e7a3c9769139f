import KnutepunktProtocol

/// The region as the hub sees it, from the hub's open gaps (its GAPS snapshot): each open gap of the region in
/// plain language, worst first, and, per target group where the hub found a rate shortfall (G2), the region's rate
/// beside the national median. Modest by design: the hub withholds counts under 5 in what it publishes, and this
/// shows only what it published.
struct RegionPicture: Encodable, Sendable {
    struct Gap: Encodable, Sendable {
        var rule: String
        var severity: String
        var targetGroup: String?
        var node: String?
        var message: String
        var messageNb: String
        var since: String?
    }

    struct Coverage: Encodable, Sendable {
        var targetGroup: String
        /// Activities per 1,000 births in the region, and the median across regions (12 months).
        var rate: Double?
        var median: Double?
        var severity: String
    }

    /// Whether the node is set up to ask the hub (`workspaceHubControl`).
    var available: Bool
    /// Why not, or why the hub could not be asked.
    var problem: String?
    var gaps: [Gap]
    var coverage: [Coverage]

    init(snapshot: GapSnapshot, region: String) {
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
                since: $0.since
            )
        }
        coverage = mine.filter { $0.rule == "G2" && $0.targetGroup != nil }.map {
            Coverage(
                targetGroup: $0.targetGroup ?? "",
                rate: $0.inputs["rate"],
                median: $0.inputs["median"],
                severity: $0.severity
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
