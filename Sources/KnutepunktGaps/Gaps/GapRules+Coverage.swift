import KnutepunktDomain

extension GapRules {
    /// G1 ABSENT_SERVICE: no event for target group g in a region while another region has some → RED. Only regions
    /// that report and that the store covers for the whole window are charged or counted as "others".
    @Sendable package static func absentService(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let regions = readableInWindow(facts, thresholds)
        var findings: [GapFinding] = []
        for group in taxonomy.targetGroups.map(\.code) {
            let active = regions.filter { $0.facts.events[group, default: 0] > 0 }
            guard !active.isEmpty else { continue }
            for region in regions where region.facts.events[group, default: 0] == 0 {
                findings.append(
                    GapFinding(
                        rule: .g1AbsentService,
                        severity: .red,
                        region: region.code,
                        targetGroup: group,
                        inputs: [
                            "events": 0, "regionsWithActivity": Double(active.count),
                            "regionsCompared": Double(regions.count),
                        ]
                    )
                )
            }
        }
        return findings
    }

    /// G2 RATE_SHORTFALL: events per 1,000 births for g below k × the median across the regions the window rules
    /// read (those with births). AMBER below `rateAmberFactor`; RED below `rateRedFactor` only when Poisson
    /// P(X ≤ observed | λ = rateRedFactor·median·births/1000) < `rateSignificance`, else AMBER "low, uncertain".
    ///
    /// Guards: a region with no event for g is G1's, not G2's; a region whose expected count at the median
    /// (median·births/1000) is below `minimumExpected` is not judged (too little evidence either way); a median of 0
    /// finds nothing. Counts of 1–4 are read as 4 (``SmallCells/banded(_:)``), for the median and the region's own
    /// test alike. Confidence: 1 − the p-value at the line crossed.
    @Sendable package static func rateShortfall(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let regions = readableInWindow(facts, thresholds).filter { $0.facts.births > 0 }
        var findings: [GapFinding] = []
        for group in taxonomy.targetGroups.map(\.code) {
            guard let median = nationalMedian(group, among: regions), median > 0 else { continue }
            for region in regions {
                let observed = region.facts.events[group, default: 0]
                let rate = publishedRate(region.facts, group)!
                guard observed > 0, rate < thresholds.rateAmberFactor * median else { continue }
                let births = Double(region.facts.births)
                let expected = median * births / 1000
                guard expected >= thresholds.minimumExpected else { continue }
                let read = SmallCells.banded(observed)
                let lambda = thresholds.rateRedFactor * expected
                let p = PoissonDistribution.cdf(read, lambda: lambda)
                let pAmber = PoissonDistribution.cdf(read, lambda: thresholds.rateAmberFactor * expected)
                let belowRed = rate < thresholds.rateRedFactor * median
                let red = belowRed && p < thresholds.rateSignificance
                let families = region.facts.families[group, default: 0]
                findings.append(
                    GapFinding(
                        rule: .g2RateShortfall,
                        severity: red ? .red : .amber,
                        region: region.code,
                        targetGroup: group,
                        inputs: [
                            "observed": Double(observed), "births": births, "rate": rate, "median": median,
                            "expected": expected, "lambda": lambda, "p": p, "pAmber": pAmber,
                            "families": Double(families),
                            "familyRate": 1000 * Double(SmallCells.banded(families)) / births,
                            "regions": Double(regions.count), "belowRed": belowRed ? 1 : 0,
                        ],
                        thresholds: [
                            "rateAmberFactor": thresholds.rateAmberFactor, "rateRedFactor": thresholds.rateRedFactor,
                            "rateSignificance": thresholds.rateSignificance,
                            "minimumExpected": thresholds.minimumExpected,
                        ],
                        confidence: max(0.05, 1 - (belowRed ? p : pAmber))
                    )
                )
            }
        }
        return findings
    }

    /// G3 MISSING_TIER: for an age band, a tier the catalogue has a programme for (tools such as EPDS and tier
    /// `NA` left out) has no DELIVERY in the region: AMBER one tier (or several, but not both S and I) missing, RED
    /// both S and I missing. One finding per region and age band, naming the missing tiers.
    @Sendable package static func missingTier(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let tierOrder = taxonomy.tiers.map(\.code).filter { $0 != "NA" }
        var findings: [GapFinding] = []
        for region in readableInWindow(facts, thresholds) {
            for band in taxonomy.ageBands.map(\.code) {
                let catalogued = Set(
                    taxonomy.programmes.filter { !$0.tool && $0.ageBands.contains(band) }.flatMap(\.tiers)
                )
                let missing = tierOrder.filter {
                    catalogued.contains($0) && !region.facts.deliveries.contains(GapFacts.TierAgeBand($0, band))
                }
                guard !missing.isEmpty else { continue }
                let red = missing.contains("S") && missing.contains("I")
                findings.append(
                    GapFinding(
                        rule: .g3MissingTier,
                        severity: red ? .red : .amber,
                        region: region.code,
                        tiers: missing,
                        ageBand: band,
                        inputs: [
                            "missingTiers": Double(missing.count),
                            "cataloguedTiers": Double(tierOrder.filter(catalogued.contains).count),
                        ]
                    )
                )
            }
        }
        return findings
    }

    /// G5 AGE_BAND_GAP: no event at all naming an age band in a region → RED.
    @Sendable package static func ageBandGap(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        var findings: [GapFinding] = []
        for region in readableInWindow(facts, thresholds) {
            for band in taxonomy.ageBands.map(\.code) where !region.facts.activeAgeBands.contains(band) {
                findings.append(
                    GapFinding(
                        rule: .g5AgeBandGap,
                        severity: .red,
                        region: region.code,
                        ageBand: band,
                        inputs: ["events": 0]
                    )
                )
            }
        }
        return findings
    }
}
