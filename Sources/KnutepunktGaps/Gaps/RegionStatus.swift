import KnutepunktDomain

/// What one region's data allows the rules to say (DOMAIN.md §6: no report is not no service).
///
/// - A region **does not report** when every one of its local nodes is silent (no activity for more than
///   `staleDays`, or never: D1), when the node daemons reporting for it have not been heard from for more than
///   `staleDays` (the hub's record of contact), or, once returns are recorded, when a monthly return the window reads
///   is missing. Such a region gets one "no report" finding (D1) and no service finding, and national comparisons
///   leave it out ("not comparable").
/// - The store **covers** a region from the first day of the month of its first data (or its first return, once
///   recorded): a reporting unit reports months, and an activity on the 20th says the month was reported. A rule that
///   reads a period (the 12-month window, the 8 quarters of G10, a calendar year for G13) speaks only about regions the
///   store covers for the whole period; for the others the finding is "not enough data yet" (``DataNote``).
package struct RegionStatus: Sendable, Hashable {
    /// Why a region counts as not reporting.
    package enum Silence: Sendable, Hashable {
        /// Every local node of the region is silent (D1); the latest report of any of them, nil: never.
        case everyNodeSilent(lastReport: LocalDate?)
        /// The node daemons reporting for the region were last heard on this day, more than `staleDays` ago.
        case notHeard(since: LocalDate)
        /// Monthly returns missing in the window: local node → the months (first days).
        case missingReturns([String: [LocalDate]])
    }

    /// Why the region does not report; empty when it does.
    package var silence: [Silence]
    /// Its local nodes that are silent (D1), sorted.
    package var silentNodes: [String]
    /// How many local nodes it has.
    package var nodes: Int
    /// The first day of the periods the store covers for it; nil: no data at all.
    package var coveredFrom: LocalDate?

    package init(silence: [Silence] = [], silentNodes: [String] = [], nodes: Int = 0, coveredFrom: LocalDate?) {
        self.silence = silence
        self.silentNodes = silentNodes
        self.nodes = nodes
        self.coveredFrom = coveredFrom
    }

    /// Whether the region reports.
    package var reports: Bool { silence.isEmpty }

    /// Whether the store covers the region for a period starting on `start`.
    package func covers(from start: LocalDate) -> Bool {
        coveredFrom.map { $0 <= start } ?? false
    }

    /// The share of its local nodes that report (1 with none silent): how much of the region a finding speaks for.
    package var reportingShare: Double {
        nodes > 0 ? Double(nodes - silentNodes.count) / Double(nodes) : 1
    }
}

extension GapFacts {
    /// Each region's status as of `asOf` (see ``RegionStatus``).
    package func statuses(_ thresholds: GapThresholds) -> [String: RegionStatus] {
        var result: [String: RegionStatus] = [:]
        for (code, region) in regions {
            result[code] = status(of: code, region, thresholds)
        }
        return result
    }

    /// The local nodes silent for more than `staleDays` (or that never reported), sorted.
    package func silentNodes(_ thresholds: GapThresholds) -> [String] {
        nodes.keys.sorted().filter { code in
            guard let last = nodes[code]!.lastReport else { return true }
            return last.days(to: asOf) > thresholds.staleDays
        }
    }

    private func status(of code: String, _ region: RegionFacts, _ thresholds: GapThresholds) -> RegionStatus {
        let nodes = nodes(inRegion: code)
        let silent = nodes.filter { node in
            guard let last = self.nodes[node]!.lastReport else { return true }
            return last.days(to: asOf) > thresholds.staleDays
        }
        var silence: [RegionStatus.Silence] = []
        if !nodes.isEmpty, silent.count == nodes.count {
            silence.append(.everyNodeSilent(lastReport: nodes.compactMap { self.nodes[$0]!.lastReport }.max()))
        }
        if let heard = region.lastHeard, heard.days(to: asOf) > thresholds.staleDays {
            silence.append(.notHeard(since: heard))
        }
        var coveredFrom = region.firstData?.firstOfMonth
        if let returns {
            // Complete months the window reads (the running month's return is not due yet).
            let from = windowFirstDay.firstOfMonth
            let to = asOf.firstOfMonth.adding(months: -1)
            var missing: [String: [LocalDate]] = [:]
            for node in nodes {
                let months = returns.missing(node: node, from: from, to: to)
                if !months.isEmpty { missing[node] = months }
            }
            if !missing.isEmpty { silence.append(.missingReturns(missing)) }
            if let first = returns.firstReceived(nodes: nodes) {
                coveredFrom = min(coveredFrom ?? first, first)
            }
        }
        return RegionStatus(silence: silence, silentNodes: silent, nodes: nodes.count, coveredFrom: coveredFrom)
    }
}
