import KnutepunktProtocol

/// The Clone pattern's bookkeeping for a follower of the hub's gaps, without sockets: which published change to
/// apply, which to skip (already in the snapshot) and when to ask for a fresh snapshot (a new epoch after a hub
/// restart, or a missing number after a dropped message). ``GapWatch`` and the dashboard's feed both drive it.
package struct GapCloneStateMachine: Sendable {
    /// What to do with a published change.
    package enum Action: Sendable, Equatable {
        /// Apply it: it is the next change after what is known.
        case apply
        /// Skip it: the snapshot already holds it.
        case ignore
        /// Ask the hub for a fresh snapshot (and pass it to ``snapshot(_:)``).
        case resnapshot
    }

    /// The open gaps as known now, by key.
    package private(set) var open: [String: GapRecord] = [:]
    package private(set) var epoch: String?
    /// The number of the last change applied (or the snapshot's).
    package private(set) var sequence: UInt64 = 0

    package init() {}

    /// Replaces everything known with a snapshot.
    package mutating func snapshot(_ snapshot: GapSnapshot) {
        epoch = snapshot.epoch
        sequence = snapshot.sequence
        open = Dictionary(snapshot.gaps.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Decides about one published change; applies it to ``open`` when the answer is ``Action/apply``.
    package mutating func receive(_ update: GapUpdate) -> Action {
        guard let epoch else { return .resnapshot }
        if update.epoch == epoch, update.sequence <= sequence { return .ignore }
        guard update.epoch == epoch, update.sequence == sequence + 1 else { return .resnapshot }
        sequence = update.sequence
        open[update.gap.key] = update.change == "closed" ? nil : update.gap
        return .apply
    }
}
