import KnutepunktDomain

extension GapRules {
    /// D1 STALE_NODE, a data gap (AMBER), in two forms:
    /// - a region that does not report (``RegionStatus``: every local node silent, its node daemons not heard from
    ///   for more than `staleDays`, or monthly returns missing) gets **one** "no report" finding (node nil, detail
    ///   `NO_REPORT`), and no service finding from any other rule;
    /// - in a region that reports, each local node that does not report gets one (its area shows "no data": part of
    ///   the region is unseen): one that owes monthly returns when a return in the window is missing (input
    ///   `missingReturns`), any other when it has had no report for more than `staleDays` days, or never.
    @Sendable package static func staleNode(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let statuses = facts.statuses(thresholds)
        let threshold = ["staleDays": Double(thresholds.staleDays)]
        var findings: [GapFinding] = []
        for (code, _) in regions(facts) {
            let status = statuses[code]!
            if !status.reports {
                var inputs: [String: Double] = [
                    "nodes": Double(status.nodes), "silentNodes": Double(status.silentNodes.count),
                ]
                let reports = facts.nodes(inRegion: code).compactMap { facts.nodes[$0]!.lastReport }
                if let last = reports.max() { inputs["daysSinceReport"] = Double(last.days(to: facts.asOf)) }
                for silence in status.silence {
                    switch silence {
                    case .everyNodeSilent: inputs["everyNodeSilent"] = 1
                    case .notHeard(let since): inputs["daysSinceHeard"] = Double(since.days(to: facts.asOf))
                    case .missingReturns(let missing):
                        inputs["missingReturns"] = Double(missing.values.reduce(0) { $0 + $1.count })
                    }
                }
                findings.append(
                    GapFinding(
                        rule: .d1StaleNode,
                        severity: .amber,
                        region: code,
                        detail: "NO_REPORT",
                        inputs: inputs,
                        thresholds: threshold,
                        staleNodes: status.silentNodes
                    )
                )
                continue
            }
            for node in status.silentNodes {
                let days = facts.nodes[node]!.lastReport.map { $0.days(to: facts.asOf) }
                var inputs = ["daysSinceReport": days.map(Double.init) ?? -1]
                if let missing = status.missingReturns[node] { inputs["missingReturns"] = Double(missing.count) }
                findings.append(
                    GapFinding(
                        rule: .d1StaleNode,
                        severity: .amber,
                        region: code,
                        node: node,
                        inputs: inputs,
                        thresholds: threshold
                    )
                )
            }
        }
        return findings
    }
}
