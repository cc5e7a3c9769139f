import Foundation

/// Copies one hub store into another (any backends) and verifies the copy: `knutepunkt hub migrate`.
///
/// Events are copied a page at a time in the source's storage order, each page in one transaction with idempotent
/// inserts; then everything else (refusals, settled progress, counters, the gap lifecycle) in one transaction, and the
/// reporting periods (monthly returns and the sign-off ledger). Safe to
/// rerun: a second run inserts nothing new and verifies again.
package enum HubStoreMigration {
    /// What a copy did and what the verification found.
    package struct Report: Sendable {
        /// Events in the source.
        package var sourceEvents = 0
        /// Events this run inserted into the target (the rest were already there).
        package var inserted = 0
        package var sourceChecksum = HubEventChecksum()
        package var targetChecksum = HubEventChecksum()
        /// What differs between the two stores after the copy; empty: verified.
        package var mismatches: [String] = []

        package var verified: Bool { mismatches.isEmpty }
    }

    package static let pageSize = 2_000

    /// Copies `source` into `target`, calling `progress(copied, total)` after each page, then verifies.
    package static func run(
        from source: any HubStore,
        to target: any HubStore,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws(StoreError) -> Report {
        var report = Report()
        let total = try source.counts().versions
        var position: Int64 = 0
        var copied = 0
        progress(0, total)
        while true {
            let page = try source.storedEvents(after: position, limit: pageSize)
            guard let last = page.last else { break }
            report.inserted += try target.insertCopied(page)
            for event in page { report.sourceChecksum.add(event) }
            copied += page.count
            progress(min(copied, max(total, copied)), max(total, copied))
            position = last.position
        }
        report.sourceEvents = copied
        let rest = try source.remainder()
        try target.replaceRemainder(rest)
        try copyPeriods(from: source, to: target)
        report.targetChecksum = try checksum(of: target)
        report.mismatches = try differences(source: source, target: target, rest: rest, report: report)
        if try source.monthlyReturns().count != target.monthlyReturns().count {
            report.mismatches.append("the monthly returns differ in number")
        }
        if try source.periodSteps() != target.periodSteps() {
            report.mismatches.append("the sign-offs and locks (period steps) differ")
        }
        return report
    }

    /// The reporting periods: every version of every monthly return, committed with its original receipt time (one
    /// already there is skipped), and the ledger of sign-offs and locks (the source's steps the target lacks, when
    /// the target's are where the source's begin, so a rerun adds nothing).
    static func copyPeriods(from source: any HubStore, to target: any HubStore) throws(StoreError) {
        let returns = try source.monthlyReturns()
        for stamp in Set(returns.map(\.receivedAt)).sorted() {
            var batch = HubBatch()
            batch.returns = returns.filter { $0.receivedAt == stamp }.map {
                HubReturnRecord(source: $0.source, sequence: $0.sequence, record: $0.record)
            }
            _ = try target.commit(batch, receivedAt: stamp)
        }
        let (from, to) = (try source.periodSteps(), try target.periodSteps())
        guard to.count < from.count, Array(from.prefix(to.count)) == to else { return }
        for step in from.dropFirst(to.count) { try target.recordPeriodStep(step) }
    }

    /// The order-independent checksum of every event in `store`.
    package static func checksum(of store: any HubStore) throws(StoreError) -> HubEventChecksum {
        var checksum = HubEventChecksum()
        var position: Int64 = 0
        while true {
            let page = try store.storedEvents(after: position, limit: pageSize)
            guard let last = page.last else { return checksum }
            for event in page { checksum.add(event) }
            position = last.position
        }
    }

    private static func differences(
        source: any HubStore,
        target: any HubStore,
        rest: HubStoreRemainder,
        report: Report
    ) throws(StoreError) -> [String] {
        var found: [String] = []
        // Counted afresh from the rows on both sides, not read from the summaries the copy kept: the verification
        // is of the rows. The target's summary is checked against its rows apart.
        let (from, to) = (try source.countsByScan(), try target.countsByScan())
        if from != to {
            found.append(
                "counts differ: source \(from.total) events, \(from.rejected) refused; target \(to.total), \(to.rejected)"
            )
        }
        let kept = try target.counts()
        if kept != to {
            found.append(
                "the target's status counts (\(kept.total) events, \(kept.versions) versions, \(kept.rejected) refused) "
                    + "differ from its rows (\(to.total), \(to.versions), \(to.rejected))"
            )
        }
        if report.sourceChecksum != report.targetChecksum {
            found.append(
                "event checksums differ: source \(report.sourceChecksum) (\(report.sourceChecksum.count) events), "
                    + "target \(report.targetChecksum) (\(report.targetChecksum.count) events)"
            )
        }
        let copy = try target.remainder()
        if copy.rejections != rest.rejections { found.append("refusals differ") }
        if copy.progress.mapValues(\.settledThrough) != rest.progress.mapValues(\.settledThrough) {
            found.append("settled progress differs")
        }
        if copy.counters != rest.counters { found.append("activity counters differ") }
        if copy.gaps != rest.gaps || copy.gapChanges != rest.gapChanges
            || copy.gapState?.epoch != rest.gapState?.epoch || copy.gapState?.sequence != rest.gapState?.sequence
        {
            found.append("gap lifecycle differs")
        }
        return found
    }
}
