import KnutepunktDomain

extension GapRules {
    /// D1 STALE_NODE (a data gap): no report from a node for more than `staleDays` days, or never → AMBER. Its
    /// area then shows "no data" (see `GapEvaluator` for what is suppressed).
    @Sendable package static func staleNode(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        facts.nodes.keys.sorted().compactMap { code in
            let node = facts.nodes[code]!
            let days = node.lastReport.map { $0.days(to: facts.asOf) }
            if let days, days <= thresholds.staleDays { return nil }
            return GapFinding(
                rule: .d1StaleNode,
                severity: .amber,
                region: node.region,
                node: code,
                message: node.lastReport.map { "No report from \(code) since \($0.iso) (\(days!) days)" }
                    ?? "No report from \(code) ever",
                inputs: ["daysSinceReport": days.map(Double.init) ?? -1],
                thresholds: ["staleDays": Double(thresholds.staleDays)]
            )
        }
    }
}
