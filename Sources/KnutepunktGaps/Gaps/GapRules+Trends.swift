import KnutepunktDomain

extension GapRules {
    /// G8 SUSTAINABILITY: share of the region's events in the window on `TEMPORARY_PROJECT` funding: AMBER above
    /// `temporaryShareAmber`, RED above `temporaryShareRed`. No events, no share, no finding.
    @Sendable package static func sustainability(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        regions(facts).compactMap { region in
            guard region.facts.totalEvents > 0 else { return nil }
            let share = Double(region.facts.temporaryEvents) / Double(region.facts.totalEvents)
            let severity: GapSeverity
            if share > thresholds.temporaryShareRed {
                severity = .red
            } else if share > thresholds.temporaryShareAmber {
                severity = .amber
            } else {
                return nil
            }
            return GapFinding(
                rule: .g8Sustainability,
                severity: severity,
                region: region.code,
                message: "\(region.facts.temporaryEvents) of \(region.facts.totalEvents) events in \(region.code) "
                    + "(\(text(share * 100, digits: 0)) %) run on temporary project funding",
                inputs: [
                    "temporaryEvents": Double(region.facts.temporaryEvents),
                    "events": Double(region.facts.totalEvents), "share": share,
                ],
                thresholds: [
                    "temporaryShareAmber": thresholds.temporaryShareAmber,
                    "temporaryShareRed": thresholds.temporaryShareRed,
                ]
            )
        }
    }

    /// G10 DECLINE: the region's events in the last 4 complete quarters against the 4 before: a change of
    /// `declineFraction` or less (−30 %) and a drop of at least `declineMinDrop` events → AMBER. Nothing before, no
    /// decline.
    @Sendable package static func decline(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        regions(facts).compactMap { region in
            let quarters = region.facts.quarterlyEvents
            let before = quarters.prefix(4).reduce(0, +)
            let recent = quarters.dropFirst(4).reduce(0, +)
            guard before > 0 else { return nil }
            let change = Double(recent - before) / Double(before)
            // The tolerance keeps an exact −30 % (e.g. 50 → 35) on the firing side despite binary fractions.
            guard change <= thresholds.declineFraction + 1e-12, before - recent >= thresholds.declineMinDrop else {
                return nil
            }
            return GapFinding(
                rule: .g10Decline,
                severity: .amber,
                region: region.code,
                message: "Activity in \(region.code) fell from \(before) to \(recent) events "
                    + "(\(text(change * 100, digits: 0)) %) in the last 4 quarters against the 4 before",
                inputs: [
                    "before": Double(before), "recent": Double(recent), "change": change,
                    "drop": Double(before - recent),
                ],
                thresholds: [
                    "declineFraction": thresholds.declineFraction,
                    "declineMinDrop": Double(thresholds.declineMinDrop),
                ]
            )
        }
    }

    /// G12 NATIONAL_INEQUITY: across the regions with births (at least two), for each target group with any
    /// activity: RED if max/min > `inequityRatioRed`; AMBER if max/min > `inequityRatioAmber` or the coefficient
    /// of variation > `inequityCVAmber`. A region with no activity makes max/min infinite (RED). Reports max/min,
    /// CV and the births-weighted Gini (see `InequityStatistics`). National: region nil.
    @Sendable package static func nationalInequity(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let regions = regions(facts).filter { $0.facts.births > 0 }
        guard regions.count >= 2 else { return [] }
        var findings: [GapFinding] = []
        for group in taxonomy.targetGroups.map(\.code) {
            let rates = regions.map { $0.facts.rate(group)! }
            guard rates.contains(where: { $0 > 0 }) else { continue }
            let stats = InequityStatistics(rates: rates, weights: regions.map { Double($0.facts.births) })
            let severity: GapSeverity
            if stats.maxMinRatio > thresholds.inequityRatioRed {
                severity = .red
            } else if stats.maxMinRatio > thresholds.inequityRatioAmber
                || stats.coefficientOfVariation > thresholds.inequityCVAmber
            {
                severity = .amber
            } else {
                continue
            }
            var inputs: [String: Double] = [
                "maxMin": stats.maxMinRatio, "cv": stats.coefficientOfVariation, "gini": stats.gini,
                "regions": Double(regions.count),
            ]
            for (region, rate) in zip(regions, rates) {
                inputs["rate.\(region.code)"] = rate
                inputs["events.\(region.code)"] = Double(region.facts.events[group, default: 0])
            }
            findings.append(
                GapFinding(
                    rule: .g12NationalInequity,
                    severity: severity,
                    region: nil,
                    targetGroup: group,
                    message: "Rates for \(group) differ across regions: max/min \(text(stats.maxMinRatio)), "
                        + "CV \(text(stats.coefficientOfVariation)), births-weighted Gini \(text(stats.gini))",
                    inputs: inputs,
                    thresholds: [
                        "inequityRatioAmber": thresholds.inequityRatioAmber,
                        "inequityCVAmber": thresholds.inequityCVAmber,
                        "inequityRatioRed": thresholds.inequityRatioRed,
                    ]
                )
            )
        }
        return findings
    }

    /// G13 MISSING_INFANT_DAY: no `INFANT_DAY` in a region in a calendar year: AMBER for the running year once
    /// `asOf` is after 1 October (`infantDayAmberMonth`/`Day`); RED for last year, which is over (after 31
    /// December). Only last year and this year are looked at. Detail: the year.
    @Sendable package static func missingInfantDay(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let year = facts.asOf.year
        let amberAfter = LocalDate(
            year: year,
            month: thresholds.infantDayAmberMonth,
            day: thresholds.infantDayAmberDay
        )
        var findings: [GapFinding] = []
        for region in regions(facts) {
            func finding(_ severity: GapSeverity, _ year: Int, _ why: String) -> GapFinding {
                GapFinding(
                    rule: .g13MissingInfantDay,
                    severity: severity,
                    region: region.code,
                    detail: String(year),
                    message: "No infant day (INFANT_DAY) in \(region.code) in \(year) \(why)",
                    inputs: ["year": Double(year), "infantDays": 0],
                    thresholds: [
                        "infantDayAmberMonth": Double(thresholds.infantDayAmberMonth),
                        "infantDayAmberDay": Double(thresholds.infantDayAmberDay),
                    ]
                )
            }
            if region.facts.infantDays[year - 1, default: []].isEmpty {
                findings.append(finding(.red, year - 1, "(the year is over)"))
            }
            if let amberAfter, facts.asOf > amberAfter, region.facts.infantDays[year, default: []].isEmpty {
                findings.append(finding(.amber, year, "so far (after \(amberAfter.iso))"))
            }
        }
        return findings
    }
}
