import KnutepunktDomain

/// What one region's data allows the rules to say (DOMAIN.md §6: no report is not no service).
///
/// - A local node **does not report** when, once returns are recorded and the taxonomy expects them from it, a
///   monthly return the window reads is missing (a nil return is a report); a node not expected to make returns, when
///   it has had no activity for more than `staleDays`, or never. It gets a node "no report" finding (D1), the region's
///   findings name it, and their confidence falls with the share of such nodes.
/// - A region **does not report** when none of its local nodes reports, or when the node daemons reporting for it
///   have not been heard from for more than `staleDays` (the hub's record of contact). Such a region gets one "no
///   report" finding (D1) and no service finding, and national comparisons leave it out ("not comparable").
/// - The store **covers** a region from the first day of the month of its first data (or its first return, once
///   recorded): a reporting unit reports months, and an activity on the 20th says the month was reported. A rule that
///   reads a period (the 12-month window, the 8 quarters of G10, a calendar year for G13) speaks only about regions the
///   store covers for the whole period; for the others the finding is "not enough data yet" (``DataNote``). Nor does
///   it speak about a region whose every local node missed a monthly return in that period (``reads(from:)``).
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
    /// Its local nodes that do not report (D1), sorted: a node that owes monthly returns when one is missing in the
    /// window, any other when it has had no activity for more than `staleDays` (or never).
    package var silentNodes: [String]
    /// Per local node, the months (first days) in the window whose monthly return is missing.
    package var missingReturns: [String: [LocalDate]]
    /// Per local node, the months before the window that a rule reading a longer period reads (G10's 8 quarters,
    /// G13's last year) whose return is missing.
    package var earlierMissingReturns: [String: [LocalDate]]
    /// How many local nodes it has.
    package var nodes: Int
    /// The first day of the periods the store covers for it; nil: no data at all.
    package var coveredFrom: LocalDate?

    package init(
        silence: [Silence] = [],
        silentNodes: [String] = [],
        missingReturns: [String: [LocalDate]] = [:],
        earlierMissingReturns: [String: [LocalDate]] = [:],
        nodes: Int = 0,
        coveredFrom: LocalDate?
    ) {
        self.silence = silence
        self.silentNodes = silentNodes
        self.missingReturns = missingReturns
        self.earlierMissingReturns = earlierMissingReturns
        self.nodes = nodes
        self.coveredFrom = coveredFrom
    }

    /// Whether the region reports.
    package var reports: Bool { silence.isEmpty }

    /// Whether the store covers the region for a period starting on `start`.
    package func covers(from start: LocalDate) -> Bool {
        coveredFrom.map { $0 <= start } ?? false
    }

    /// Whether a rule reading the period from `start` may read the region: it reports, the store covers it from
    /// `start`, and not every one of its local nodes has a monthly return missing in that period (for a period longer
    /// than the window: the region then reported nothing complete for part of it).
    package func reads(from start: LocalDate) -> Bool {
        guard reports, covers(from: start) else { return false }
        let first = start.firstOfMonth
        var missing = Set(missingReturns.keys)
        for (node, months) in earlierMissingReturns where months.contains(where: { $0 >= first }) {
            missing.insert(node)
        }
        return nodes == 0 || missing.count < nodes
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

    /// The local nodes that do not report (see ``RegionStatus/silentNodes``), sorted.
    package func silentNodes(_ thresholds: GapThresholds) -> [String] {
        statuses(thresholds).values.flatMap(\.silentNodes).sorted()
    }

    private func status(of code: String, _ region: RegionFacts, _ thresholds: GapThresholds) -> RegionStatus {
        let nodes = nodes(inRegion: code)
        let quiet = nodes.filter { node in
            guard let last = self.nodes[node]!.lastReport else { return true }
            return last.days(to: asOf) > thresholds.staleDays
        }
        var silence: [RegionStatus.Silence] = []
        var coveredFrom = region.firstData?.firstOfMonth
        // Monthly returns missing for complete months the window reads (the running month's return is not due yet).
        var missing: [String: [LocalDate]] = [:]
        var earlier: [String: [LocalDate]] = [:]
        var silent = quiet
        if let returns {
            let from = windowFirstDay.firstOfMonth
            let to = asOf.firstOfMonth.adding(months: -1)
            // The longest periods the rules read: G10's 8 quarters and G13's last calendar year.
            let earliest = min(firstQuarter, LocalDate(year: asOf.year - 1, month: 1, day: 1) ?? firstQuarter)
            for node in nodes {
                let months = returns.missing(node: node, from: from, to: to)
                if !months.isEmpty { missing[node] = months }
                let before = returns.missing(node: node, from: earliest.firstOfMonth, to: from.adding(months: -1))
                if !before.isEmpty { earlier[node] = before }
            }
            // A node that owes returns reports by them: a nil return is a report, however long since its last
            // activity; a return missing is no report, however recent its last activity.
            silent = nodes.filter { node in
                returns.owesReturns(node) ? missing[node] != nil : quiet.contains(node)
            }
            if let first = returns.firstReceived(nodes: nodes) {
                coveredFrom = min(coveredFrom ?? first, first)
            }
        }
        if !nodes.isEmpty, silent.count == nodes.count {
            if silent.contains(where: { missing[$0] == nil }) || missing.isEmpty {
                silence.append(.everyNodeSilent(lastReport: nodes.compactMap { self.nodes[$0]!.lastReport }.max()))
            }
            if !missing.isEmpty { silence.append(.missingReturns(missing)) }
        }
        if let heard = region.lastHeard, heard.days(to: asOf) > thresholds.staleDays {
            silence.append(.notHeard(since: heard))
        }
        return RegionStatus(
            silence: silence,
            silentNodes: silent,
            missingReturns: missing,
            earlierMissingReturns: earlier,
            nodes: nodes.count,
            coveredFrom: coveredFrom
        )
    }
}
