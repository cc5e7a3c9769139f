import KnutepunktDomain

extension GapRules {
    /// G8 SUSTAINABILITY: share of the region's events in the window on `TEMPORARY_PROJECT` funding: AMBER above
    /// `temporaryShareAmber`, RED above `temporaryShareRed`. Guard: the share is judged from at least
    /// `shareMinimumEvents` events. The share is computed with counts of 1–4 (temporary or permanent) read as 4; what
    /// leaves the hub is only which line it crossed (the severity): the share and its counts are the region's totals,
    /// from which, with the published cells, a withheld cell could be narrowed down.
    @Sendable package static func sustainability(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        readableInWindow(facts, thresholds).compactMap { region in
            let total = region.facts.totalEvents
            guard total >= thresholds.shareMinimumEvents else { return nil }
            let temporary = SmallCells.banded(region.facts.temporaryEvents)
            let permanent = SmallCells.banded(total - region.facts.temporaryEvents)
            let share = Double(temporary) / Double(temporary + permanent)
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
                inputs: [
                    "temporaryEvents": Double(region.facts.temporaryEvents), "events": Double(total), "share": share,
                ],
                thresholds: [
                    "temporaryShareAmber": thresholds.temporaryShareAmber,
                    "temporaryShareRed": thresholds.temporaryShareRed,
                    "shareMinimumEvents": Double(thresholds.shareMinimumEvents),
                ]
            )
        }
    }

    /// G10 DECLINE: the region's activity in the last 4 complete quarters against the 4 before: a change of
    /// `declineFraction` or less (−30 %) and a drop of at least `declineMinDrop` events (the small-number guard) →
    /// AMBER. The store must cover all 8 quarters. Only the finding leaves the hub (a fall of 30 % or more): the
    /// change and its counts are the region's totals.
    ///
    /// The activity is read from what the trends and the coverage table publish (``declineReading(_:_:)``), never
    /// from the region's exact totals: those hold the withheld cells, and where every other cell is published (a
    /// target group served in counts of 5 and more), whether a total crossed the line told them apart — one more
    /// event in a withheld quarter of another group turned "no decline" into "decline". Read this way the decision
    /// is the same whatever the withheld counts are, and it falls only where it falls for every one of them.
    @Sendable package static func decline(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        readable(facts, thresholds, from: facts.firstQuarter).compactMap { region in
            guard let (before, recent) = declineReading(region.facts, facts), before > 0 else { return nil }
            let change = Double(recent - before) / Double(before)
            // The tolerance keeps an exact −30 % (e.g. 50 → 35) on the firing side despite binary fractions.
            guard change <= thresholds.declineFraction + 1e-12, before - recent >= thresholds.declineMinDrop else {
                return nil
            }
            return GapFinding(
                rule: .g10Decline,
                severity: .amber,
                region: region.code,
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

    /// G10's reading of `region`'s activity in the 4 quarters before and the last 4 complete quarters, summed over
    /// its target groups' quarter cells as the trends publish them (``QuarterlyTrends/published(_:inWindow:)``; an
    /// event naming two groups counts in each, as in the trends), so that it is a function of published figures only:
    ///
    /// - a published cell (0, or 5 and more) as it is;
    /// - a withheld cell before the window (it is 1–4) as 1 among the earlier quarters and as 4 among the recent ones:
    ///   the low end where a larger count would make a decline, the high end where a smaller one would;
    /// - a series whose quarters in the window are withheld together: those quarters as the group's published count
    ///   for the window, a withheld one (1–4) read as 4. The window is the 12 months to the evaluation day, the recent
    ///   quarters the 4 complete ones; they differ by less than a quarter at each end.
    ///
    /// Nil (no verdict) when a window of more than 12 months reaches into the earlier quarters, so a series withheld
    /// together would straddle both halves.
    static func declineReading(_ region: GapFacts.RegionFacts, _ facts: GapFacts) -> (before: Int, recent: Int)? {
        let inWindow = QuarterlyTrends.inWindow(
            QuarterlyTrends.quarterStarts(asOf: facts.asOf),
            windowStart: facts.windowStart
        )
        var before = 0
        var recent = 0
        for (group, row) in region.quarterlyGroupEvents {
            let cells = Array(row.prefix(inWindow.count))
            let published = QuarterlyTrends.published(cells, inWindow: inWindow)
            let together = cells.indices.contains { inWindow[$0] && SmallCells.isSmall(cells[$0]) }
            for quarter in 0..<8 {
                let earlier = quarter < 4
                if together && inWindow[quarter] {
                    guard !earlier else { return nil }
                } else if let value = published[quarter] {
                    if earlier { before += value } else { recent += value }
                } else if earlier {
                    before += 1
                } else {
                    recent += SmallCells.minimum - 1
                }
            }
            if together { recent += SmallCells.banded(region.events[group, default: 0]) }
        }
        return (before, recent)
    }

    /// G12 NATIONAL_INEQUITY: for each target group, across the regions the window rules read that have births and
    /// some activity for it (a region with none is G1's: it would make max/min infinite): RED if max/min >
    /// `inequityRatioRed`; AMBER if max/min > `inequityRatioAmber` or the coefficient of variation >
    /// `inequityCVAmber`. Reports max/min, CV and the births-weighted Gini (see `InequityStatistics`). National:
    /// region nil; the births affected are those of the regions below the national rate.
    ///
    /// Guards: at least two regions; each region's expected count at the national rate (all their events × its
    /// share of their births) at least `minimumExpected`; and the chi-square test that the regions share one rate
    /// below `rateSignificance` (confidence 1 − p). Counts of 1–4 are read as 4.
    @Sendable package static func nationalInequity(
        _ facts: GapFacts,
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds
    ) -> [GapFinding] {
        let regions = readableInWindow(facts, thresholds).filter { $0.facts.births > 0 }
        var findings: [GapFinding] = []
        for group in taxonomy.targetGroups.map(\.code) {
            let active = regions.filter { $0.facts.events[group, default: 0] > 0 }
            guard active.count >= 2 else { continue }
            let counts = active.map { Double(SmallCells.banded($0.facts.events[group]!)) }
            let births = active.map { Double($0.facts.births) }
            let total = counts.reduce(0, +)
            let allBirths = births.reduce(0, +)
            let expected = births.map { total * $0 / allBirths }
            guard expected.min()! >= thresholds.minimumExpected else { continue }
            let chiSquare = zip(counts, expected).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 }
            let p = ChiSquareDistribution.survival(chiSquare, degrees: active.count - 1)
            guard p < thresholds.rateSignificance else { continue }
            let rates = zip(counts, births).map { 1000 * $0 / $1 }
            let stats = InequityStatistics(rates: rates, weights: births)
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
                "regions": Double(active.count), "regionsWithout": Double(regions.count - active.count),
                "chiSquare": chiSquare, "p": p, "expectedMin": expected.min()!,
            ]
            for (region, rate) in zip(active, rates) {
                inputs["rate.\(region.code)"] = rate
                inputs["events.\(region.code)"] = Double(region.facts.events[group]!)
            }
            findings.append(
                GapFinding(
                    rule: .g12NationalInequity,
                    severity: severity,
                    region: nil,
                    targetGroup: group,
                    inputs: inputs,
                    thresholds: [
                        "inequityRatioAmber": thresholds.inequityRatioAmber,
                        "inequityCVAmber": thresholds.inequityCVAmber,
                        "inequityRatioRed": thresholds.inequityRatioRed,
                        "rateSignificance": thresholds.rateSignificance,
                        "minimumExpected": thresholds.minimumExpected,
                    ],
                    confidence: max(0.05, 1 - p),
                    // The families concerned are those of the regions below the national rate.
                    affectedBirths: Int(
                        zip(rates, births).filter { $0.0 < 1000 * total / allBirths }.map(\.1).reduce(0, +)
                    )
                )
            )
        }
        return findings
    }

    /// G13 MISSING_INFANT_DAY: no `INFANT_DAY` in a region in a calendar year: AMBER for the running year once
    /// `asOf` is after 1 October (`infantDayAmberMonth`/`Day`); RED for last year, which is over (after 31
    /// December). Only last year and this year are looked at, each only when the store covers the region from the
    /// year's 1 January and the year's returns are not missing from every local node. Detail: the year.
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
        let thresholdInputs = [
            "infantDayAmberMonth": Double(thresholds.infantDayAmberMonth),
            "infantDayAmberDay": Double(thresholds.infantDayAmberDay),
        ]
        let statuses = facts.statuses(thresholds)
        var findings: [GapFinding] = []
        for (code, region) in regions(facts) {
            let status = statuses[code]!
            guard status.reports else { continue }
            func finding(_ severity: GapSeverity, _ year: Int) -> GapFinding {
                GapFinding(
                    rule: .g13MissingInfantDay,
                    severity: severity,
                    region: code,
                    detail: String(year),
                    inputs: ["year": Double(year), "infantDays": 0],
                    thresholds: thresholdInputs
                )
            }
            if status.reads(from: LocalDate(year: year - 1, month: 1, day: 1)!),
                region.infantDays[year - 1, default: []].isEmpty
            {
                findings.append(finding(.red, year - 1))
            }
            if let amberAfter, facts.asOf > amberAfter, status.reads(from: LocalDate(year: year, month: 1, day: 1)!),
                region.infantDays[year, default: []].isEmpty
            {
                findings.append(finding(.amber, year))
            }
        }
        return findings
    }
}
