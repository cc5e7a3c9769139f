import KnutepunktDomain

extension GapRules {
    /// G1 ABSENT_SERVICE: no event for target group g in a region while another region has some → RED.
    @Sendable package static func absentService(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let regions = regions(facts)
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
                        message: "No activity for \(group) in \(region.code) in the last 12 months, while "
                            + "\(active.count) other region(s) have some (\(active.map(\.code).joined(separator: ", ")))",
                        inputs: ["events": 0, "regionsWithActivity": Double(active.count)]
                    )
                )
            }
        }
        return findings
    }

    /// G2 RATE_SHORTFALL: events per 1,000 births for g below k × the median across regions with births. AMBER
    /// below `rateAmberFactor`; RED below `rateRedFactor` only when Poisson P(X ≤ observed | λ =
    /// rateRedFactor·median·births/1000) < `rateSignificance`, else AMBER "low, uncertain". Regions without births
    /// have no rate and are left out (of the median too). A median of 0 finds nothing.
    @Sendable package static func rateShortfall(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let regions = regions(facts).filter { $0.facts.births > 0 }
        var findings: [GapFinding] = []
        for group in taxonomy.targetGroups.map(\.code) {
            let rates = regions.map { $0.facts.rate(group)! }
            guard let median = median(rates), median > 0 else { continue }
            for (region, rate) in zip(regions, rates) where rate < thresholds.rateAmberFactor * median {
                let observed = region.facts.events[group, default: 0]
                let births = Double(region.facts.births)
                let lambda = thresholds.rateRedFactor * median * births / 1000
                let p = PoissonDistribution.cdf(observed, lambda: lambda)
                let belowRed = rate < thresholds.rateRedFactor * median
                let red = belowRed && p < thresholds.rateSignificance
                let families = region.facts.families[group, default: 0]
                let label = red ? "clearly low" : (belowRed ? "low, uncertain" : "low")
                findings.append(
                    GapFinding(
                        rule: .g2RateShortfall,
                        severity: red ? .red : .amber,
                        region: region.code,
                        targetGroup: group,
                        message: "\(group) in \(region.code): \(text(rate)) events per 1,000 births against a "
                            + "median of \(text(median)) (\(label); P(X ≤ \(observed) | λ = \(text(lambda))) = "
                            + "\(text(p, digits: 4))); \(families) families reached "
                            + "(\(text(region.facts.familyRate(group)!)) per 1,000 births)",
                        inputs: [
                            "observed": Double(observed), "births": births, "rate": rate, "median": median,
                            "lambda": lambda, "p": p, "families": Double(families),
                            "familyRate": region.facts.familyRate(group)!, "regions": Double(regions.count),
                        ],
                        thresholds: [
                            "rateAmberFactor": thresholds.rateAmberFactor, "rateRedFactor": thresholds.rateRedFactor,
                            "rateSignificance": thresholds.rateSignificance,
                        ]
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
        for region in regions(facts) {
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
                        message: "No delivery at tier \(missing.joined(separator: ", ")) for \(band) in "
                            + "\(region.code), although the catalogue has programmes for it",
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
        for region in regions(facts) {
            for band in taxonomy.ageBands.map(\.code) where !region.facts.activeAgeBands.contains(band) {
                findings.append(
                    GapFinding(
                        rule: .g5AgeBandGap,
                        severity: .red,
                        region: region.code,
                        ageBand: band,
                        message: "No activity at all for age band \(band) in \(region.code) in the last 12 months",
                        inputs: ["events": 0]
                    )
                )
            }
        }
        return findings
    }
}
