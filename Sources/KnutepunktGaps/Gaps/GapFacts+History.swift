import KnutepunktDomain

extension GapFacts {
    /// The facts as they stood at the end of the month `back` months before the month of `asOf` (1: the last day of
    /// the previous month), for the level rules (G2, G8, G9, G12) only: the window is the 12 whole months up to that
    /// day, its counts per target group, families, totals and temporary funding summed from the monthly series, and
    /// each node's programmes and training from its monthly series. What those rules do not read is left as it is.
    /// Contact heard after that day is forgotten (it says nothing about it). Needs `back` ≤ 12.
    package func asOfMonthEnd(back: Int) -> GapFacts {
        precondition((1...(Self.seriesMonths - 12)).contains(back), "the monthly series reach 12 months back")
        let end = asOf.firstOfMonth.adding(months: -(back - 1)).adding(days: -1)
        var earlier = self
        earlier.asOf = end
        earlier.windowStart = end.adding(days: 1).adding(months: -12).adding(days: -1)
        earlier.firstQuarter = Self.quarterStarts(asOf: end).first!
        let last = Self.seriesMonths - 1 - back
        let months = (last - 11)...last
        for (code, region) in regions {
            var shifted = region
            shifted.events = region.monthlyEvents.mapValues { $0[months].reduce(0, +) }.filter { $0.value > 0 }
            shifted.families = region.monthlyFamilies.mapValues { $0[months].reduce(0, +) }
            shifted.totalEvents = region.monthlyTotal[months].reduce(0, +)
            shifted.temporaryEvents = region.monthlyTemporary[months].reduce(0, +)
            if let heard = region.lastHeard, heard > end { shifted.lastHeard = nil }
            earlier.regions[code] = shifted
        }
        for (code, node) in nodes {
            var shifted = node
            shifted.programmesDelivered = node.monthlyProgrammes[months].reduce(into: []) { $0.formUnion($1) }
            shifted.trains = node.monthlyTraining[months].contains(true)
            earlier.nodes[code] = shifted
        }
        return earlier
    }

    /// The facts as they stood at the end of the complete quarter `back` quarters before the last complete one, for
    /// G10 only: its 8 quarters shifted into the 4 earlier ones. Needs `back` ≤ 4.
    package func asOfQuarterEnd(back: Int) -> GapFacts {
        precondition((1...4).contains(back), "the quarterly series reach 4 quarters back")
        let end = asOf.adding(days: 1).firstOfQuarter.adding(months: -3 * back).adding(days: -1)
        var earlier = self
        earlier.asOf = end
        earlier.windowStart = end.adding(months: -12)
        earlier.firstQuarter = Self.quarterStarts(asOf: end).first!
        for (code, region) in regions {
            let all = region.earlierQuarters + region.quarterlyEvents
            earlier.regions[code]!.quarterlyEvents = Array(all[(4 - back)..<(12 - back)])
            if let heard = region.lastHeard, heard > end { earlier.regions[code]!.lastHeard = nil }
        }
        return earlier
    }
}
