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
/// Owned by the hub's reactor thread, like the store. The facts are folded from the store's activity counters at
/// start and once a day (the 12-month window moves) — never from the event table; in between every stored event's
/// cell is folded in as it commits. At each fold the store's record of when each node daemon was last heard is read
/// too, so a region whose daemons fell silent gets "no report" rather than service gaps. The lifecycle (open gaps, change numbers, epoch) is the store's, so it outlives
/// restarts.
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
    private var day: LocalDate
    private var lifecycle: GapLifecycle
    private var dueAt: ContinuousClock.Instant?
    /// Versions were replaced since the last fold (see ``superseded()``).
    private var refoldNeeded = false
    /// The earliest time the next refold for replaced versions may run.
    private var refoldAllowedAt = ContinuousClock.now
    /// The store's gap history; change numbers go on within it across restarts.
    let epoch: String

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
        logger: Logger
    ) throws {
        self.tracer = tracer
        self.metrics = metrics
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
        let coverage = try store.activityCountCoverage()
        if coverage.counted != coverage.stored {
            logger.warning(
                "the activity counters do not match the stored events; rebuilding them",
                metadata: ["counted": "\(coverage.counted)", "stored": "\(coverage.stored)"]
            )
            let rebuilt = try store.rebuildActivityCounts(validator: EventValidator(taxonomy: taxonomy), today: day)
            logger.info(
                "activity counters rebuilt",
                metadata: ["events": "\(rebuilt.stored)", "counted": "\(rebuilt.counted)", "cells": "\(rebuilt.cells)"]
            )
        }
        try refold(from: store)
    }

    /// When ``tick(store:)`` must be called next (a pending evaluation, or the next day).
    var nextDeadline: ContinuousClock.Instant? { dueAt }

    /// Folds newly stored events in and schedules an evaluation.
    func stored(_ events: [HubEventRecord]) {
        guard !events.isEmpty else { return }
        for event in events where !event.withdrawn { network.add(event.cell, event.count) }
        if dueAt == nil { dueAt = max(clock.now + Self.debounce, refoldNeeded ? refoldAllowedAt : clock.now) }
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
    /// from the store's counters (which the commit kept exact) before the next evaluation; no evaluation runs on
    /// facts that still hold a replaced version. Refolds are spaced so that they take at most a twentieth of the
    /// thread's time, however many corrections arrive.
    func superseded() {
        refoldNeeded = true
        dueAt = max(dueAt ?? clock.now, clock.now + Self.debounce, refoldAllowedAt)
    }

    /// Evaluates if one is due or the day has changed; returns the gap changes to publish (already saved).
    func tick(store: any HubStore) -> [GapLifecycle.Update] {
        let today = LocalDate.today()
        if today != day {
            day = today
            do {
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
        if refoldNeeded {
            do {
                try refold(from: store)
            } catch {
                logger.error("reading the activity counters failed", metadata: ["error": "\(error)"])
                dueAt = clock.now + Self.debounce
                return []
            }
            refoldAllowedAt = clock.now + (clock.now - started) * 20
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
    /// evaluated at the next tick. If the counters cannot be read, the old thresholds stay.
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
    /// evaluated at the next tick. If the counters cannot be read, the old taxonomy stays.
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

    /// The open gaps and the sequence they are current as of.
    var snapshot: GapSnapshot {
        let current = lifecycle.snapshot
        return GapSnapshot(sequence: current.sequence, epoch: epoch, gaps: current.gaps.map(GapRecord.init))
    }

    /// Folds the store's activity counters into fresh facts for `day`.
    private func refold(from store: any HubStore) throws {
        var fresh = NetworkGapFacts(taxonomy: taxonomy, asOf: day, windowMonths: thresholds.windowMonths)
        try store.forEachActivityCount { fresh.add($0, $1) }
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
    }
}
