import KnutepunktDomain

extension GapRules {
    /// G6 MISSING_PROFESSION: coverage = the share of `requiredProfessions` (a group such as `PHYSICIAN_ANY` counts
    /// when any member takes part) named on the region's CONSULT_COLLAB and TRAINING events in the window. RED if
    /// the physician group is absent or coverage < `professionCoverageRed`; AMBER if coverage <
    /// `professionCoverageAmber`. Guard: coverage is judged from at least `professionMinimumEvents` such events; a
    /// region with none at all is RED ("no consultation or training"), one with 1–4 is not judged. Inputs hold, per
    /// required entry, the events naming it (for a group, the sum over its members).
    @Sendable package static func missingProfession(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let required = thresholds.requiredProfessions
        guard !required.isEmpty else { return [] }
        var findings: [GapFinding] = []
        for region in readableInWindow(facts, thresholds) {
            let events = region.facts.consultTrainingEvents
            guard events == 0 || events >= thresholds.professionMinimumEvents else { continue }
            var inputs: [String: Double] = ["events": Double(events)]
            var present: [String] = []
            for entry in required {
                let members = taxonomy.professionGroups[entry] ?? [entry]
                let mentions = members.reduce(0) { $0 + region.facts.professionEvents[$1, default: 0] }
                inputs[entry] = Double(mentions)
                if mentions > 0 { present.append(entry) }
            }
            let coverage = Double(present.count) / Double(required.count)
            inputs["coverage"] = coverage
            inputs["present"] = Double(present.count)
            inputs["required"] = Double(required.count)
            let physicianAbsent =
                required.contains(thresholds.physicianGroup)
                && !present.contains(thresholds.physicianGroup)
            let severity: GapSeverity
            if physicianAbsent || coverage < thresholds.professionCoverageRed {
                severity = .red
            } else if coverage < thresholds.professionCoverageAmber {
                severity = .amber
            } else {
                continue
            }
            findings.append(
                GapFinding(
                    rule: .g6MissingProfession,
                    severity: severity,
                    region: region.code,
                    inputs: inputs,
                    thresholds: [
                        "professionCoverageRed": thresholds.professionCoverageRed,
                        "professionCoverageAmber": thresholds.professionCoverageAmber,
                        "professionMinimumEvents": Double(thresholds.professionMinimumEvents),
                    ]
                )
            )
        }
        return findings
    }

    /// The required professions (or groups) a G6 finding's inputs show as absent, in the thresholds' order.
    package static func missingProfessions(_ finding: GapFinding, required: [String]) -> [String] {
        required.filter { finding.inputs[$0] == 0 }
    }

    /// G9 NO_LIGHTHOUSE: no node of the region delivers at least `lighthouseMinProgrammes` programmes (tools not
    /// counted) and trains in the window → AMBER. A region without nodes has no lighthouse.
    @Sendable package static func noLighthouse(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        var findings: [GapFinding] = []
        for region in readableInWindow(facts, thresholds) {
            let nodes = facts.nodes(inRegion: region.code).map { facts.nodes[$0]! }
            let best = nodes.map { node in
                (node.programmesDelivered.filter { taxonomy.programme($0)?.tool != true }.count, node.trains)
            }
            let lighthouse = best.contains { $0.0 >= thresholds.lighthouseMinProgrammes && $0.1 }
            guard !lighthouse else { continue }
            findings.append(
                GapFinding(
                    rule: .g9NoLighthouse,
                    severity: .amber,
                    region: region.code,
                    inputs: [
                        "nodes": Double(nodes.count),
                        "nodesTraining": Double(best.filter(\.1).count),
                        "mostProgrammesAtOneNode": Double(best.map(\.0).max() ?? 0),
                    ],
                    thresholds: ["lighthouseMinProgrammes": Double(thresholds.lighthouseMinProgrammes)]
                )
            )
        }
        return findings
    }
}
