import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktStore
import Logging
import Tracing

/// The hub's live view of service gaps: keeps the facts the gap rules read up to date as events are stored,
/// evaluates the rules after each batch (debounced) and at each new day (for the time-based rules, D1 and G13), and
/// turns the results into numbered gap changes (``GapLifecycle``), saved in the store before they are published.
///
/// Owned by the hub's reactor thread, like the store. The facts are folded from ``ActivityDays``, the counters
/// rolled up per region, node and day, which the monitor keeps in memory: at start from the store's checkpoint of
/// them and the versions stored after its position (or, without a usable checkpoint, from every counter cell once),
/// and then from every commit, corrections and withdrawals taken out again. The cells each commit counted are also
/// folded straight into the facts, once per cell; the facts are folded again from the days once a day (the 12-month
/// window moves), after corrections (facts only add up) and on reloads, which costs the days' size, not the store's.
/// The days are checkpointed with the storage position they cover every ``checkpointInterval`` and when the hub
/// stops. At each fold the store's record of when each node daemon was last heard is read too, so a region whose
/// daemons fell silent gets "no report" rather than service gaps. The lifecycle (open gaps, change numbers, epoch) is
/// the store's, so it outlives restarts.
final class HubGapMonitor {
    /// How long after a stored batch the rules are evaluated, so a burst of batches costs one evaluation.
    static let debounce: Duration = .milliseconds(500)

    private var taxonomy: Taxonomy
    private var thresholds: GapThresholds
    /// The region each node daemon reports for (the hub's grants).
    private let daemonRegions: [String: String]
    private let logger: Logger
    /// Where completeness goes after each fold (the hub's metrics); nil in tests that do not look.
    private let metrics: HubMetrics?
    private let clock = ContinuousClock()
    private(set) var network: NetworkGapFacts
    /// The counters rolled up per day, as of storage position `position` (this hub's commits up to it, and every
    /// version stored before it started), of the counters' `generation`.
    private(set) var days = ActivityDays()
    private(set) var position: Int64 = 0
    private var generation: Int64 = 0
    /// The days changed since the last checkpoint, which was saved at `checkpointedAt`.
    private var checkpointDue = false
    private var checkpointedAt = ContinuousClock.now
    /// How often changed days are checkpointed: what a hub that crashed replays from the events at its next start.
    static let checkpointInterval: Duration = .seconds(30)
    /// How the facts were set up at start: from the checkpoint (with how many versions replayed after it), or
    /// folded from every counter cell.
    private(set) var startedFrom: String = ""
    private var day: LocalDate
    private var lifecycle: GapLifecycle
    private var dueAt: ContinuousClock.Instant?
    /// Versions were replaced since the last fold (see ``superseded()``): the facts are folded again from the days
    /// before the next evaluation, spaced as ``superseded()`` says.
    private(set) var refoldNeeded = false
    /// The facts wait for a fold of the days before the next evaluation, because that costs less than folding the
    /// cells committed since the last one (``stored(_:)``). Such a fold replaces work, so it is not spaced.
    private(set) var factsWaitForDays = false
    /// Cells folded straight into the facts since they were last folded from the days.
    private var cellsSinceFold = 0
    /// Folding one cell into the facts costs about as much as folding this many figures of the days (each cell
    /// touches a dozen or more of the facts' tables, each figure one or two).
    static let figuresPerCell = 8
    /// The earliest time the next refold for replaced versions may run.
    private var refoldAllowedAt = ContinuousClock.now
    /// The store's gap history; change numbers go on within it across restarts.
    let epoch: String
    /// The store may be shared with other hubs (PostgreSQL): their commits are not in this hub's days, so the days are
    /// folded from the counters afresh once a day, as the facts were before there were days.
    private let foldsCountersDaily: Bool

    /// Where the evaluations' spans go, and the traced events folded since the last one, linked from its span.
    private let tracer: any Tracer
    private var tracedSinceEvaluation: [InstrumentationContext] = []
    /// The most traced events one evaluation's span links to.
    static let maxLinks = 32

    init(
        tracer: any Tracer = NoOpTracer(),
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        daemonRegions: [String: String] = [:],
        store: any HubStore,
        metrics: HubMetrics? = nil,
        foldsCountersDaily: Bool = false,
        logger: Logger
    ) throws {
        self.tracer = tracer
        self.metrics = metrics
        self.foldsCountersDaily = foldsCountersDaily
        self.taxonomy = taxonomy
        self.thresholds = thresholds
        self.daemonRegions = daemonRegions
        self.logger = logger
        day = LocalDate.today()
        network = NetworkGapFacts(taxonomy: taxonomy, asOf: day, windowMonths: thresholds.windowMonths)
        if let stored = try store.loadGaps() {
            epoch = stored.epoch
            lifecycle = GapLifecycle(open: stored.open, sequence: stored.sequence)
        } else {
            epoch = "\(Int(Date().timeIntervalSince1970 * 1000))"
            lifecycle = GapLifecycle()
        }
        if try !resume(from: store) {
            let coverage = try store.activityCountCoverage()
            if coverage.counted != coverage.stored {
                logger.warning(
                    "the activity counters do not match the stored events; rebuilding them",
                    metadata: ["counted": "\(coverage.counted)", "stored": "\(coverage.stored)"]
                )
                let rebuilt = try store.rebuildActivityCounts(
                    validator: EventValidator(taxonomy: taxonomy),
                    today: day
                )
                logger.info(
                    "activity counters rebuilt",
                    metadata: [
                        "events": "\(rebuilt.stored)", "counted": "\(rebuilt.counted)", "cells": "\(rebuilt.cells)",
                    ]
                )
            }
            try foldCounters(from: store)
        }
        try refold(from: store)
    }

    /// The events that count (latest versions, not withdrawn), as the days have them.
    var countedEvents: Int { days.events }

    /// Takes the days from the store's checkpoint and the versions stored after it; false (and nothing taken) when
    /// there is no checkpoint of this format, or it does not fit the versions after it.
    private func resume(from store: any HubStore) throws -> Bool {
        let checkpoint = try store.loadGapCheckpoint()
        guard checkpoint.format == ActivityDays.format else {
            if checkpoint.format != 0 {
                logger.notice(
                    "the gap facts' checkpoint has another format; folding the activity counters",
                    metadata: ["format": "\(checkpoint.format)", "expected": "\(ActivityDays.format)"]
                )
            }
            return false
        }
        guard var resumed = ActivityDays(encoded: checkpoint.days) else {
            logger.warning("the gap facts' checkpoint does not read; folding the activity counters")
            return false
        }
        var last = checkpoint.position
        var replayed = 0
        try store.forEachCountedChange(after: checkpoint.position) { change in
            if let (cell, count) = change.removed { resumed.add(cell, count, sign: -1) }
            if let (cell, count) = change.added { resumed.add(cell, count) }
            last = change.position
            replayed += 1
        }
        let countersKept = try resumed.events == 0 || store.hasActivityCounts()
        guard resumed.isConsistent, countersKept else {
            logger.warning("the gap facts' checkpoint does not fit the store; folding the activity counters")
            return false
        }
        days = resumed
        position = last
        generation = checkpoint.generation
        startedFrom = "checkpoint at \(checkpoint.position), \(replayed) versions after it"
        logger.info(
            "gap facts from the checkpoint",
            metadata: ["position": "\(checkpoint.position)", "replayed": "\(replayed)"]
        )
        if replayed > 0 {
            checkpointDue = true
            saveCheckpoint(store: store)
        }
        return true
    }

    /// Rolls every cell of the store's counters up into fresh days, and checkpoints them.
    private func foldCounters(from store: any HubStore) throws {
        var fresh = ActivityDays()
        let (at, of) = try store.foldActivityCounts { fresh.add($0, $1) }
        days = fresh
        position = at
        generation = of
        startedFrom = "every counter cell"
        checkpointDue = true
        saveCheckpoint(store: store)
    }

    /// Saves the days with the position they cover, if they changed since the last checkpoint. A failure is logged
    /// and tried again at the next interval: the store's events are the truth, a checkpoint only saves reading them.
    /// If the counters were rebuilt or replaced meanwhile (a new generation), the days are folded from them afresh.
    func saveCheckpoint(store: any HubStore) {
        guard checkpointDue else { return }
        checkpointedAt = clock.now
        do {
            let saved = try store.saveGapCheckpoint(
                GapCheckpoint(
                    generation: generation,
                    format: ActivityDays.format,
                    position: position,
                    days: days.encoded()
                )
            )
            if saved {
                checkpointDue = false
            } else {
                logger.notice("the activity counters were rebuilt; folding them afresh")
                try foldCounters(from: store)
                refoldNeeded = true
            }
        } catch {
            logger.error("saving the gap facts' checkpoint failed", metadata: ["error": "\(error)"])
        }
    }

    /// When ``tick(store:)`` must be called next (a pending evaluation, or the next day; the reactor ticks at least
    /// every second, which also serves the checkpoints).
    var nextDeadline: ContinuousClock.Instant? { dueAt }

    /// Folds what a commit counted in (`result.counted`, the cells its stored versions count, each once however
    /// many events it holds) and schedules an evaluation; what the versions it replaced counted is taken out of the
    /// days, and the facts are folded again before the next evaluation (``superseded()``).
    func stored(_ result: HubCommitResult) {
        // A commit that a fold of the counters already read (it ended while its outcome was on the way here) is in
        // the days and the facts: adding it again would count it twice. A commit that stored nothing has position 0.
        guard result.position > position else { return }
        // Under a stream of commits, once the cells folded since the last fold of the days cost more than folding the
        // days again, the facts wait for that fold (at the next evaluation, not delayed: it replaces work) instead.
        cellsSinceFold += result.counted.cells.count
        if cellsSinceFold * Self.figuresPerCell > days.figures.count { factsWaitForDays = true }
        let foldsCells = !refoldNeeded && !factsWaitForDays
        for (cell, count) in result.counted.cells where count.events > 0 {
            if foldsCells { network.add(cell, count) }
            days.add(cell, count)
        }
        for (cell, count) in result.uncounted.cells { days.add(cell, count, sign: -1) }
        position = max(position, result.position)
        checkpointDue = true
        if dueAt == nil { dueAt = max(clock.now + Self.debounce, refoldNeeded ? refoldAllowedAt : clock.now) }
        if !result.superseding.isEmpty { superseded() }
    }

    /// Monthly returns were stored: the facts are folded again (with the returns) before the next evaluation, which
    /// is scheduled as for stored events.
    func returnsStored() {
        superseded()
    }

    /// Traced events were stored: the next evaluation's span links to them (at most ``maxLinks``).
    func traced(_ contexts: [InstrumentationContext]) {
        tracedSinceEvaluation += contexts.prefix(max(0, Self.maxLinks - tracedSinceEvaluation.count))
    }

    /// Corrections or withdrawals replaced versions the facts counted. Facts only add up, so they are folded again
    /// from the days (which ``stored(_:result:)`` kept exact) before the next evaluation; no evaluation runs on
    /// facts that still hold a replaced version. Refolds are spaced so that they take at most a twentieth of the
    /// thread's time, however many corrections arrive.
    func superseded() {
        refoldNeeded = true
        dueAt = max(dueAt ?? clock.now, clock.now + Self.debounce, refoldAllowedAt)
    }

    /// Evaluates if one is due or the day has changed; returns the gap changes to publish (already saved).
    func tick(store: any HubStore) -> [GapLifecycle.Update] {
        if checkpointDue, clock.now >= checkpointedAt + Self.checkpointInterval { saveCheckpoint(store: store) }
        let today = LocalDate.today()
        if today != day {
            day = today
            do {
                if foldsCountersDaily { try foldCounters(from: store) }
                try refold(from: store)
            } catch {
                logger.error("reading the activity counters failed", metadata: ["error": "\(error)"])
                return []
            }
            return evaluate(store: store)
        }
        guard let due = dueAt, clock.now >= due else { return [] }
        return evaluate(store: store)
    }

    /// Evaluates now and saves the result; returns the changes to publish. When saving fails nothing changes (the
    /// next evaluation tries again), so subscribers never see a change the store does not have.
    func evaluate(store: any HubStore) -> [GapLifecycle.Update] {
        // The evaluation's span links to the traced events it is the first to see (docs/tracing.md).
        let span = tracer.startSpan("gaps.evaluate", context: .topLevel, ofKind: .internal)
        for context in tracedSinceEvaluation { span.addLink(SpanLink(context: context, attributes: [:])) }
        span.updateAttributes { $0["knutepunkt.traced.events"] = tracedSinceEvaluation.count }
        tracedSinceEvaluation = []
        defer { span.end() }
        dueAt = nil
        let started = clock.now
        if refoldNeeded || factsWaitForDays {
            let spaced = refoldNeeded
            do {
                try refold(from: store)
            } catch {
                logger.error("reading the activity counters failed", metadata: ["error": "\(error)"])
                dueAt = clock.now + Self.debounce
                return []
            }
            if spaced { refoldAllowedAt = clock.now + (clock.now - started) * 20 }
        }
        let merged = network.evaluate(thresholds: thresholds)
        var next = lifecycle
        let updates = next.apply(merged, on: day)
        do {
            let current = next.snapshot
            try store.saveGaps(
                StoredGaps(epoch: epoch, sequence: current.sequence, open: current.gaps),
                changes: updates
            )
        } catch {
            logger.error("saving the gaps failed; they are evaluated again shortly", metadata: ["error": "\(error)"])
            dueAt = clock.now + Self.debounce
            return []
        }
        lifecycle = next
        logger.debug(
            "gaps evaluated",
            metadata: [
                "open": "\(lifecycle.open.count)", "changes": "\(updates.count)",
                "elapsed": "\(clock.now - started)",
            ]
        )
        return updates
    }

    /// Takes new thresholds (SIGHUP): the facts are folded again (the window may have changed) and the rules are
    /// evaluated at the next tick. If the store cannot be read, the old thresholds stay.
    func reload(thresholds fresh: GapThresholds, store: any HubStore) {
        let previous = thresholds
        thresholds = fresh
        do {
            try refold(from: store)
        } catch {
            thresholds = previous
            logger.error(
                "gap thresholds not reloaded: reading the activity counters failed",
                metadata: ["error": "\(error)"]
            )
            return
        }
        dueAt = clock.now
        logger.info("gap thresholds reloaded", metadata: ["windowMonths": "\(fresh.windowMonths)"])
    }

    /// Takes a new taxonomy version (births, codes): the facts are folded again with its denominators and the rules
    /// evaluated at the next tick. If the store cannot be read, the old taxonomy stays.
    func reload(taxonomy fresh: Taxonomy, store: any HubStore) {
        let previous = taxonomy
        taxonomy = fresh
        do {
            try refold(from: store)
        } catch {
            taxonomy = previous
            logger.error(
                "the new taxonomy's births are not taken yet: reading the activity counters failed",
                metadata: ["error": "\(error)"]
            )
            return
        }
        dueAt = clock.now
    }

    /// One region's coverage per target group from the current facts (``CoverageTable``: counts under 5 withheld);
    /// nil for a region outside the network. Facts waiting for a fold of the days are folded first.
    func coverage(region: String, store: any HubStore) -> RegionCoverage? {
        if refoldNeeded || factsWaitForDays {
            do {
                try refold(from: store)
            } catch {
                logger.error(
                    "reading the activity counters failed; coverage is from the facts before the last commits",
                    metadata: ["error": "\(error)"]
                )
            }
        }
        for country in network.countries where country.taxonomy.region(region) != nil {
            let table = CoverageTable(facts: country.facts, taxonomy: country.taxonomy, thresholds: thresholds)
            return RegionCoverage(region: region, table: table, windowMonths: thresholds.windowMonths)
        }
        return nil
    }

    /// The open gaps and the sequence they are current as of.
    var snapshot: GapSnapshot {
        let current = lifecycle.snapshot
        return GapSnapshot(sequence: current.sequence, epoch: epoch, gaps: current.gaps.map(GapRecord.init))
    }

    /// Folds the days into fresh facts for `day`, with the store's record of contact.
    private func refold(from store: any HubStore) throws {
        var fresh = NetworkGapFacts(taxonomy: taxonomy, asOf: day, windowMonths: thresholds.windowMonths)
        fresh.add(days)
        fresh.noteHeard(try store.lastHeard().mapValues { LocalDate.today(now: $0) }, regionOf: daemonRegions)
        if !taxonomy.reportingPeriods.isEmpty {
            let returns = try store.monthlyReturns().map(\.received)
            let timelyDays = thresholds.timelyDays
            fresh.setReturns(ExpectedReturns(taxonomy: taxonomy, returns: returns, asOf: day, timelyDays: timelyDays))
            metrics?.completeness(
                Completeness(taxonomy: taxonomy, returns: returns, asOf: day, timelyDays: timelyDays)
            )
        }
        network = fresh
        refoldNeeded = false
        factsWaitForDays = false
        cellsSinceFold = 0
    }
}
