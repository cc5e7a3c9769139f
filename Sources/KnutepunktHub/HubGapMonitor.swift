import Foundation
import KnutepunktCore
import KnutepunktStore
import Logging

/// The hub's live view of service gaps: keeps the facts the gap rules read up to date as events are stored,
/// evaluates the rules after each batch (debounced) and at each new day (for the time-based rules, D1 and G13), and
/// turns the results into numbered gap changes (``GapLifecycle``) for the PUB socket.
///
/// Owned by the hub's reactor thread, like the store. The facts are rebuilt from the store at start and once a day
/// (the 12-month window moves); in between every stored event is folded in as it commits.
final class HubGapMonitor {
    /// How long after a stored batch the rules are evaluated, so a burst of batches costs one evaluation.
    static let debounce: Duration = .milliseconds(500)

    private let taxonomy: Taxonomy
    private let thresholds: GapThresholds
    private let logger: Logger
    private let clock = ContinuousClock()
    private var network: NetworkGapFacts
    private var day: LocalDate
    private var lifecycle = GapLifecycle()
    private var dueAt: ContinuousClock.Instant?
    /// This run of the hub; gap sequence numbers start again in each.
    let epoch: String

    init(taxonomy: Taxonomy, thresholds: GapThresholds, store: any HubStore, logger: Logger) throws {
        self.taxonomy = taxonomy
        self.thresholds = thresholds
        self.logger = logger
        day = LocalDate.today()
        network = NetworkGapFacts(taxonomy: taxonomy, asOf: day, windowMonths: thresholds.windowMonths)
        epoch = "\(Int(Date().timeIntervalSince1970 * 1000))"
        try rebuild(from: store)
    }

    /// When ``tick(store:)`` must be called next (a pending evaluation, or the next day).
    var nextDeadline: ContinuousClock.Instant? { dueAt }

    /// Folds newly stored events in and schedules an evaluation.
    func stored(_ events: [ActivityEvent]) {
        guard !events.isEmpty else { return }
        for event in events { network.add(event) }
        if dueAt == nil { dueAt = clock.now + Self.debounce }
    }

    /// Evaluates if one is due or the day has changed; returns the gap changes to publish.
    func tick(store: any HubStore) -> [GapLifecycle.Update] {
        let today = LocalDate.today()
        if today != day {
            day = today
            do {
                try rebuild(from: store)
            } catch {
                logger.error("rebuilding the gap facts failed", metadata: ["error": "\(error)"])
                return []
            }
            return evaluate()
        }
        guard let due = dueAt, clock.now >= due else { return [] }
        return evaluate()
    }

    /// Evaluates now; returns the changes.
    func evaluate() -> [GapLifecycle.Update] {
        dueAt = nil
        let started = clock.now
        let merged = network.evaluate(thresholds: thresholds)
        let updates = lifecycle.apply(merged, on: day)
        logger.debug(
            "gaps evaluated",
            metadata: [
                "open": "\(lifecycle.open.count)", "changes": "\(updates.count)",
                "elapsed": "\(clock.now - started)",
            ]
        )
        return updates
    }

    /// The open gaps and the sequence they are current as of.
    var snapshot: GapSnapshot {
        let current = lifecycle.snapshot
        return GapSnapshot(sequence: current.sequence, epoch: epoch, gaps: current.gaps.map(GapRecord.init))
    }

    private func rebuild(from store: any HubStore) throws {
        var fresh = NetworkGapFacts(taxonomy: taxonomy, asOf: day, windowMonths: thresholds.windowMonths)
        try store.forEachEvent(validator: EventValidator(taxonomy: taxonomy), today: day) { fresh.add($0) }
        network = fresh
    }
}
