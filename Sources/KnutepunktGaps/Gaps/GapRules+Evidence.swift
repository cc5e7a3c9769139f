import KnutepunktDomain

extension GapRules {
    /// The evidence-based (EB) programmes for `group`: catalogue programmes (not tools) that name the group, or,
    /// for `ALL`, that name no specific group. A programme with no target groups is not counted for a specific
    /// group, else one universal EB programme would hide every knowledge gap.
    package static func evidenceBasedProgrammes(for group: String, in taxonomy: Taxonomy) -> [String] {
        taxonomy.programmes.filter { programme in
            guard !programme.tool, programme.evidenceBand == .eb else { return false }
            if group == "ALL" { return programme.targetGroups.isEmpty || programme.targetGroups.contains("ALL") }
            return programme.targetGroups.contains(group)
        }.map(\.code)
    }

    /// The programmes (tools left out) a region delivered for `group` in the window, sorted.
    static func programmesDelivered(_ region: GapFacts.RegionFacts, _ group: String, _ taxonomy: Taxonomy) -> [String] {
        (region.programmesByTargetGroup[group] ?? []).filter { taxonomy.programme($0)?.tool != true }.sorted()
    }

    /// G7 EVIDENCE, both kinds, AMBER (DOMAIN.md gives no severity; neither is a missing service):
    /// - KNOWLEDGE (national, region nil, detail `KNOWLEDGE`): no EB programme for g exists at all → the
    ///   clearinghouse list. It reads the catalogue, not the data, so it needs no coverage.
    /// - SERVICE (detail `SERVICE`): a region delivers programmes for g (DELIVERY events naming g and programmes,
    ///   tools left out), none of them EB, while an EB programme for g exists.
    @Sendable package static func evidence(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        var findings: [GapFinding] = []
        let groups = taxonomy.targetGroups.map(\.code)
        let evidenceBased = Dictionary(
            uniqueKeysWithValues: groups.map { ($0, evidenceBasedProgrammes(for: $0, in: taxonomy)) }
        )
        for group in groups where evidenceBased[group]!.isEmpty {
            findings.append(
                GapFinding(
                    rule: .g7Evidence,
                    severity: .amber,
                    region: nil,
                    targetGroup: group,
                    detail: "KNOWLEDGE",
                    inputs: ["evidenceBasedProgrammes": 0]
                )
            )
        }
        for region in readableInWindow(facts, thresholds) {
            for group in groups where !evidenceBased[group]!.isEmpty {
                let delivered = programmesDelivered(region.facts, group, taxonomy)
                guard !delivered.isEmpty,
                    !delivered.contains(where: { taxonomy.programme($0)?.evidenceBand == .eb })
                else { continue }
                findings.append(
                    GapFinding(
                        rule: .g7Evidence,
                        severity: .amber,
                        region: region.code,
                        targetGroup: group,
                        detail: "SERVICE",
                        inputs: [
                            "programmesDelivered": Double(delivered.count),
                            "evidenceBasedProgrammes": Double(evidenceBased[group]!.count),
                        ]
                    )
                )
            }
        }
        return findings
    }

    /// G11 PARENT_MH_FIRST: dyadic programmes delivered for `PND`/`PAR_MH` but no parental mental-health treatment
    /// or referral activity (see `RegionFacts.parentalMentalHealthCare`) → AMBER: treat maternal depression first.
    @Sendable package static func parentMentalHealthFirst(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        readableInWindow(facts, thresholds).compactMap { region in
            let dyadic = region.facts.dyadicDeliveries.values.reduce(0, +)
            guard dyadic > 0, region.facts.parentalMentalHealthCare == 0 else { return nil }
            return GapFinding(
                rule: .g11ParentMHFirst,
                severity: .amber,
                region: region.code,
                inputs: [
                    "dyadicDeliveries": Double(dyadic),
                    "dyadicDeliveriesPND": Double(region.facts.dyadicDeliveries["PND", default: 0]),
                    "dyadicDeliveriesPAR_MH": Double(region.facts.dyadicDeliveries["PAR_MH", default: 0]),
                    "parentalMentalHealthCare": 0,
                ]
            )
        }
    }
}
