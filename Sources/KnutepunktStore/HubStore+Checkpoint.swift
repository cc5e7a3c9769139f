import Foundation
import KnutepunktDomain
import KnutepunktGaps

/// The hub's checkpoint of its folded activity (``ActivityDays``): what the counters held up to a storage position,
/// so a starting hub reads it and the events stored after it instead of every counter cell.
package struct GapCheckpoint: Sendable, Hashable {
    /// Bumped by every change to the counters other than a commit (a rebuild, a copy from another store): a
    /// checkpoint of an older generation no longer describes them, and one saved for it is refused.
    package var generation: Int64
    /// ``ActivityDays/format`` of `days`; 0: no checkpoint.
    package var format: Int
    /// The storage position (events' `id`) it covers: every stored version up to it, none after.
    package var position: Int64
    /// ``ActivityDays/encoded()``.
    package var days: [UInt8]

    package init(generation: Int64, format: Int, position: Int64, days: [UInt8]) {
        self.generation = generation
        self.format = format
        self.position = position
        self.days = days
    }
}

/// What one stored version changed in the counters, read back from the store after a checkpoint.
package struct CountedChange: Sendable {
    /// The version's storage position.
    package var position: Int64
    /// What it counts; nil for a withdrawal.
    package var added: (ActivityCell, ActivityCount)?
    /// What the version it replaced counted; nil when it replaced none, or a withdrawal.
    package var removed: (ActivityCell, ActivityCount)?

    package init(position: Int64, added: (ActivityCell, ActivityCount)?, removed: (ActivityCell, ActivityCount)?) {
        self.position = position
        self.added = added
        self.removed = removed
    }

    /// The change of one stored version read back: `payload` and whether it withdraws, and the same of the version
    /// stored before it for the same event (the one it replaced), if any.
    static func reading(
        position: Int64,
        payload: [UInt8],
        withdrawn: Bool,
        replaced: (payload: [UInt8], withdrawn: Bool)?
    ) -> CountedChange {
        CountedChange(
            position: position,
            added: withdrawn ? nil : StoredPayload.contribution(payload),
            removed: replaced.flatMap { $0.withdrawn ? nil : StoredPayload.contribution($0.payload) }
        )
    }
}

/// The counters' checkpoint in the hub's store. Part of ``HubStore``'s contract, checked for both backends by the
/// conformance tests.
package protocol HubCheckpointStore {
    /// The checkpoint as last saved (format 0 before the first save, or after the counters were rebuilt).
    func loadGapCheckpoint() throws(StoreError) -> GapCheckpoint
    /// Saves `checkpoint` in place of the last one, unless the counters changed generation since (then nothing is
    /// saved and the result is false: the caller's days no longer describe the counters).
    func saveGapCheckpoint(_ checkpoint: GapCheckpoint) throws(StoreError) -> Bool
    /// Calls `body` with every version stored after `position`, in storage order, with what it and the version it
    /// replaced count, read back from their payloads.
    func forEachCountedChange(after position: Int64, _ body: (CountedChange) throws -> Void) throws(StoreError)
    /// Whether the counters hold any cell, without reading them: days that count events over empty counters
    /// describe counters that are gone (deleted by hand, or a store copied without them).
    func hasActivityCounts() throws(StoreError) -> Bool
    /// Calls `body` with every cell of the activity counters, and returns the storage position and the counters'
    /// generation they are as of (read in one snapshot).
    func foldActivityCounts(
        _ body: (ActivityCell, ActivityCount) throws -> Void
    ) throws(StoreError) -> (position: Int64, generation: Int64)
}
