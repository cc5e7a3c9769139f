import KnutepunktDomain

/// Runs every gap rule over one `GapFacts`, D1 first, and keeps stale data from raising false alarms.
///
/// Staleness (D1): a region is **stale** ("no data") when it has nodes and every one of them is stale; its G1–G5
/// findings (which would read missing reports as missing services) are withheld and returned in `suppressed`.
/// A region with only some stale nodes is not suppressed, because the rules work per region and its fresh nodes
/// still report; instead every finding for it lists the stale nodes in `staleNodes`, a partial-data warning for
/// readers. Rules G6–G13 are never suppressed.
package enum GapEvaluator {
    /// The result of one evaluation.
    package struct Evaluation: Sendable, Hashable {
        /// Findings in rule order (D1, G1, G2, … G13), each rule's in its own order.
        package var findings: [GapFinding]
        /// G1–G5 findings withheld because their region is stale.
        package var suppressed: [GapFinding]
        /// Regions whose nodes are all stale, sorted.
        package var staleRegions: [String]

        package init(findings: [GapFinding], suppressed: [GapFinding], staleRegions: [String]) {
            self.findings = findings
            self.suppressed = suppressed
            self.staleRegions = staleRegions
        }
    }

    package static func evaluate(
        _ facts: GapFacts,
        taxonomy: Taxonomy,
        thresholds: GapThresholds = .standard
    ) -> Evaluation {
        let stale = GapRules.staleNode(facts, taxonomy, thresholds)
        let staleNodes = Set(stale.compactMap(\.node))
        var staleByRegion: [String: [String]] = [:]
        for region in facts.regions.keys {
            staleByRegion[region] = facts.nodes(inRegion: region).filter(staleNodes.contains)
        }
        let staleRegions = facts.regions.keys.filter { region in
            let nodes = facts.nodes(inRegion: region)
            return !nodes.isEmpty && nodes.allSatisfy(staleNodes.contains)
        }.sorted()

        var findings = stale
        var suppressed: [GapFinding] = []
        for (rule, evaluate) in GapRules.all where rule != .d1StaleNode {
            for var finding in evaluate(facts, taxonomy, thresholds) {
                if let region = finding.region {
                    if rule.isSuppressedByStaleData, staleRegions.contains(region) {
                        suppressed.append(finding)
                        continue
                    }
                    finding.staleNodes = staleByRegion[region] ?? []
                }
                findings.append(finding)
            }
        }
        return Evaluation(findings: findings, suppressed: suppressed, staleRegions: staleRegions)
    }
}
