import KnutepunktDomain

/// Events per quarter per region and target group: the 8 complete quarters up to the evaluation day and the running
/// one (an event counts once for each group it names). What the dashboard's trend charts draw.
///
/// Disclosure control (``SmallCells``): a quarter with 1–4 events is withheld; and because the quarters the 12-month
/// window covers add up (with at most part of the oldest) to the region's published count for the window, a series
/// that withholds any of those quarters withholds all of them, zeros included — otherwise the window's count minus
/// the shown quarters would give the withheld one back. Quarters before the window add up to nothing published and
/// are withheld only when small.
package struct QuarterlyTrends: Sendable, Hashable, Codable {
    /// `2026-Q1`, …, oldest first; the last is the running quarter (unless the evaluation day ends a quarter).
    package var quarters: [String]
    /// Whether each quarter is still running (only the last).
    package var partial: [Bool]
    /// Whether the 12-month window covers each quarter (wholly or in part).
    package var inWindow: [Bool]
    package var series: [Series]

    package struct Series: Sendable, Hashable, Codable {
        package var region: String
        package var targetGroup: String
        /// Events per quarter; nil where withheld.
        package var events: [Int?]
    }

    /// Adds up cells into quarters, then withholds (``trends(regions:targetGroups:)``).
    package struct Builder: Sendable {
        /// The first day of each quarter shown, oldest first.
        package let quarterStarts: [LocalDate]
        let end: LocalDate
        let windowStart: LocalDate
        /// The true counts per `REGION|GROUP`, per quarter (before anything is withheld).
        package private(set) var counts: [String: [Int]] = [:]

        package init(asOf: LocalDate, windowMonths: Int = 12) {
            quarterStarts = QuarterlyTrends.quarterStarts(asOf: asOf)
            end = asOf
            windowStart = asOf.adding(months: -windowMonths)
        }

        package mutating func add(_ cell: ActivityCell, _ count: ActivityCount) {
            guard let first = quarterStarts.first, cell.date >= first, cell.date <= end else { return }
            let index = (quarterStarts.lastIndex { $0 <= cell.date }) ?? 0
            for group in cell.targetGroups {
                let key = "\(cell.region)|\(group)"
                var row = counts[key] ?? Array(repeating: 0, count: quarterStarts.count)
                row[index] += count.events
                counts[key] = row
            }
        }

        /// The series of `regions` × `targetGroups`, in that order, withheld as described above.
        package func trends(regions: [String], targetGroups: [String]) -> QuarterlyTrends {
            let inWindow = QuarterlyTrends.inWindow(quarterStarts, windowStart: windowStart)
            var series: [Series] = []
            for region in regions {
                for group in targetGroups {
                    let row = counts["\(region)|\(group)"] ?? Array(repeating: 0, count: quarterStarts.count)
                    let events = QuarterlyTrends.published(row, inWindow: inWindow)
                    series.append(Series(region: region, targetGroup: group, events: events))
                }
            }
            let running = end.firstOfQuarter
            return QuarterlyTrends(
                quarters: quarterStarts.map { "\($0.year)-Q\($0.quarter)" },
                partial: quarterStarts.map { $0 == running && end != running.adding(months: 3).adding(days: -1) },
                inWindow: inWindow,
                series: series
            )
        }
    }
}

extension QuarterlyTrends {
    /// The first day of each quarter the trends show as of `asOf`: the 8 complete quarters
    /// (``GapFacts/quarterStarts(asOf:)``) and the running one, unless `asOf` ends a quarter.
    package static func quarterStarts(asOf: LocalDate) -> [LocalDate] {
        var starts = GapFacts.quarterStarts(asOf: asOf)
        // When asOf is a quarter's last day, that quarter is complete and already the last of the eight.
        if starts.last != asOf.firstOfQuarter { starts.append(asOf.firstOfQuarter) }
        return starts
    }

    /// Whether the window starting after `windowStart` covers each quarter (wholly or in part): a quarter is in the
    /// window when its last day is after the window's (exclusive) start.
    package static func inWindow(_ quarterStarts: [LocalDate], windowStart: LocalDate) -> [Bool] {
        quarterStarts.map { $0.adding(months: 3).adding(days: -1) > windowStart }
    }

    /// One series' quarter counts as published: nil where withheld (a count of 1–4, and every quarter in the window
    /// when any of those is).
    package static func published(_ row: [Int], inWindow: [Bool]) -> [Int?] {
        let hideWindow = row.indices.contains { inWindow[$0] && SmallCells.isSmall(row[$0]) }
        return row.indices.map { index -> Int? in
            if SmallCells.isSmall(row[index]) || (hideWindow && inWindow[index]) { return nil }
            return row[index]
        }
    }
}
