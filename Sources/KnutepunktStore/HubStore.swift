import Foundation
import KnutepunktDomain
import KnutepunktGaps

/// One event the hub accepted, ready to store: its payload, and the cell of the activity counters it adds to.
package struct HubEventRecord: Sendable, Hashable {
    /// The node daemon that sent it (the sequence space it belongs to).
    package var source: String
    package var sequence: UInt64
    package var eventID: UUID
    /// What the event adds to the activity counters (``ActivityCell``), in the same transaction that stores it.
    package var cell: ActivityCell
    package var count: ActivityCount
    /// The canonical payload, exactly as it will be published.
    package var payload: [UInt8]
    /// The event's version (1 for the event as first published), and the version it corrects or withdraws.
    package var version: Int
    package var basedOn: Int?
    /// This version withdraws the event: stored, but counted nowhere.
    package var withdrawn: Bool

    package init(
        source: String,
        sequence: UInt64,
        eventID: UUID,
        cell: ActivityCell,
        count: ActivityCount,
        payload: [UInt8],
        version: Int = 1,
        basedOn: Int? = nil,
        withdrawn: Bool = false
    ) {
        self.source = source
        self.sequence = sequence
        self.eventID = eventID
        self.cell = cell
        self.count = count
        self.payload = payload
        self.version = version
        self.basedOn = basedOn
        self.withdrawn = withdrawn
    }

    /// The record of a validated event.
    package init(source: String, sequence: UInt64, event: ActivityEvent, payload: [UInt8]) {
        self.init(
            source: source,
            sequence: sequence,
            eventID: event.id,
            cell: ActivityCell(event),
            count: ActivityCount(event),
            payload: payload,
            version: event.version,
            basedOn: event.basedOn,
            withdrawn: event.isWithdrawn
        )
    }

    package var region: String { cell.region }
    /// The local node (town) the activity belongs to.
    package var node: String { cell.node }
}

/// One event the hub refused; kept so the refusal is on record and its sequence counts as settled.
package struct HubRejectionRecord: Sendable, Hashable {
    package var source: String
    package var sequence: UInt64
    package var reason: String
    package var detail: String

    package init(source: String, sequence: UInt64, reason: String, detail: String) {
        self.source = source
        self.sequence = sequence
        self.reason = reason
        self.detail = detail
    }
}

/// Everything one group commit writes: stored events, refusals, test events and each source's new settled-through.
package struct HubBatch: Sendable {
    package var events: [HubEventRecord] = []
    package var rejections: [HubRejectionRecord] = []
    package var settled: [String: UInt64] = [:]
    /// Test events: committed and settled with the rest, kept apart, never counted (``HubOperationsStore``).
    package var tests: [HubTestEventRecord] = []
    /// Monthly returns: committed and settled with the rest, kept apart, never counted as activity
    /// (``HubPeriodsStore``).
    package var returns: [HubReturnRecord] = []
    /// The months locked when the batch was sealed: a correction or withdrawal replacing a version dated in one of
    /// them is refused (``HubCommitResult/refused``, PERIOD_LOCKED). Not written.
    package var locks = PeriodLocks()
    package init() {}
    package var isEmpty: Bool {
        events.isEmpty && rejections.isEmpty && settled.isEmpty && tests.isEmpty && returns.isEmpty
    }
}

/// What a commit found: events already in the store are not stored again, and versions that do not fit are refused
/// (``EventVersioning/atHub(_:stored:sameContent:changes:)``).
package struct HubCommitResult: Sendable, Hashable {
    /// A version the store refused, with why.
    package struct Refused: Sendable, Hashable {
        /// The index into `HubBatch.events`.
        package var index: Int
        package var refusal: EventVersioning.Refusal
        package init(index: Int, refusal: EventVersioning.Refusal) {
            self.index = index
            self.refusal = refusal
        }
    }

    /// Indices into `HubBatch.events` of versions already stored, with the same content, under another (source,
    /// sequence): not stored again, recorded as rejections and NACKed DUPLICATE_EVENT_ID (harmless: the hub holds
    /// exactly this version).
    package var duplicateIDs: [Int] = []
    /// Indices into `HubBatch.events` whose (source, sequence) is already stored: a resend of an event this store
    /// holds (committed by this hub before a restart, or by another hub on the same database). They are settled and
    /// ACKed like stored events but neither counted nor published again.
    package var alreadyStored: [Int] = []
    /// Versions refused (CONFLICTING_CONTENT, STALE_VERSION, another node's event): recorded as rejections.
    package var refused: [Refused] = []
    /// Indices of stored versions that replaced an earlier stored version of their event (corrections and
    /// withdrawals): what the earlier one counted was taken out of the counters in the same transaction.
    package var superseding: [Int] = []
    /// How the number of events that count changed: +1 for each new event, −1 for each withdrawal of a counted one.
    package var countedChange = 0
    /// What the versions the batch stored count, added up per cell: the live gap facts fold these cells, once per
    /// cell rather than once per event. Withdrawals count nothing and are not there.
    package var counted = ActivityCounters()
    /// What the versions the batch replaced had counted (taken out of the counters in the same transaction).
    package var uncounted = ActivityCounters()
    /// The highest storage position (events' `id`) the commit wrote; 0 when it stored nothing.
    package var position: Int64 = 0

    package init(
        duplicateIDs: [Int] = [],
        alreadyStored: [Int] = [],
        refused: [Refused] = [],
        superseding: [Int] = [],
        countedChange: Int = 0
    ) {
        self.duplicateIDs = duplicateIDs
        self.alreadyStored = alreadyStored
        self.refused = refused
        self.superseding = superseding
        self.countedChange = countedChange
    }

    /// What the commit decided for each event, without what it reports for the live gap facts (`counted`,
    /// `uncounted`, `position`), for comparing decisions.
    package var decisions: HubCommitResult {
        var decided = self
        decided.counted = ActivityCounters()
        decided.uncounted = ActivityCounters()
        decided.position = 0
        return decided
    }

    /// Indices of the batch's events that were not stored.
    package var notStored: Set<Int> {
        Set(duplicateIDs).union(alreadyStored).union(refused.map(\.index))
    }
}

/// Counts of what the hub holds, for status reports: events are counted by their latest version, and withdrawn
/// events not at all.
package struct HubCounts: Sendable, Hashable, Codable {
    package var total: Int
    package var byRegion: [String: Int]
    package var byNode: [String: Int]
    package var bySource: [String: Int]
    package var rejected: Int
    /// Events whose latest version withdraws them.
    package var withdrawn: Int
    /// Every version stored (first versions, corrections and withdrawals).
    package var versions: Int

    package init(
        total: Int,
        byRegion: [String: Int],
        byNode: [String: Int],
        bySource: [String: Int],
        rejected: Int,
        withdrawn: Int = 0,
        versions: Int? = nil
    ) {
        self.total = total
        self.byRegion = byRegion
        self.byNode = byNode
        self.bySource = bySource
        self.rejected = rejected
        self.withdrawn = withdrawn
        self.versions = versions ?? total
    }
}

/// One stored version of an event, for its history.
package struct HubEventVersion: Sendable, Hashable {
    package var version: Int
    /// The node daemon that sent it and the sequence it came under.
    package var source: String
    package var sequence: UInt64
    /// When the hub stored it.
    package var receivedAt: Date
    package var withdrawn: Bool
    /// The event's latest version (what counts, unless it withdraws the event).
    package var latest: Bool
    /// The version as received (canonical JSON): its members, `based_on`, `submitted_by`, `submitted_at`.
    package var payload: [UInt8]

    package init(
        version: Int,
        source: String,
        sequence: UInt64,
        receivedAt: Date,
        withdrawn: Bool,
        latest: Bool,
        payload: [UInt8]
    ) {
        self.version = version
        self.source = source
        self.sequence = sequence
        self.receivedAt = receivedAt
        self.withdrawn = withdrawn
        self.latest = latest
        self.payload = payload
    }
}

/// The hub's durable state behind one protocol: SQLite is the default; other engines conform to the same contract.
///
/// Contract (checked for every backend by the store conformance tests): `commit` is atomic and durable when it returns
/// (the hub ACKs right after); an (event id, version) pair and a (source, sequence) pair are each stored at most
/// once, and a resend of a stored (source, sequence) is reported as already stored, not as an error; every version
/// is decided by ``EventVersioning/atHub(_:stored:sameContent:changes:)`` against what is stored (and what the same
/// batch stored before it); settled-through never goes backwards; the activity counters always equal a rebuild from
/// the latest version of every event that is not withdrawn; `counts()` always equals `countsByScan()`; test events
/// are stored apart and never counted.
package protocol HubStore: AnyObject, Sendable, HubOperationsStore, HubPeriodsStore, HubCheckpointStore {
    /// Each source's committed settled-through.
    func settledProgress() throws(StoreError) -> [String: UInt64]
    /// Writes one batch in one transaction.
    func commit(_ batch: HubBatch, receivedAt: Date) throws(StoreError) -> HubCommitResult
    /// What the hub holds, read from a summary every write keeps in its own transaction (``HubCountSummary``): a
    /// few rows per node, whatever the number of events, so the status report never scans the events.
    func counts() throws(StoreError) -> HubCounts
    /// What the hub holds, counted afresh from every stored event and refusal: always equal to ``counts()``. A scan
    /// of the events, for verifying a copy and for tests.
    func countsByScan() throws(StoreError) -> HubCounts
    /// Every stored version's (source, sequence, id) in source and sequence order, for verification.
    func storedKeys() throws(StoreError) -> [(source: String, sequence: UInt64, eventID: UUID)]
    /// Calls `body` with the payload of every event that counts (its latest version, unless that withdraws it), in
    /// storage order, without loading them all at once.
    func forEachPayload(_ body: ([UInt8]) throws -> Void) throws(StoreError)
    /// Every stored version of one event, oldest first; empty when the hub holds none.
    func history(of id: UUID) throws(StoreError) -> [HubEventVersion]
    /// Calls `body` with every cell of the activity counters (kept by `commit`), without reading the events.
    func forEachActivityCount(_ body: (ActivityCell, ActivityCount) throws -> Void) throws(StoreError)
    /// How many events the activity counters hold and how many stored events count (latest versions, not
    /// withdrawn): equal unless the counters need rebuilding (e.g. a store written before they existed).
    func activityCountCoverage() throws(StoreError) -> (counted: Int, stored: Int)
    /// Replaces the activity counters with ones computed afresh from the events that count (latest versions, not
    /// withdrawn), in one transaction (the hub's writes wait meanwhile, so none is missed). `cellOf` reads one stored
    /// payload; nil: not counted. It is called on several threads at once (``StoredCells``).
    func rebuildActivityCounts(
        _ cellOf: @escaping @Sendable ([UInt8]) -> (ActivityCell, ActivityCount)?
    ) throws(StoreError) -> ActivityCountRebuild
    /// The gap lifecycle as last saved (its epoch, sequence and open gaps); nil before the first save.
    func loadGaps() throws(StoreError) -> StoredGaps?
    /// Saves the gap lifecycle after one evaluation in one transaction: every open gap as it stands now, the
    /// numbered changes (kept as the gaps' history) and the sequence. The hub publishes the changes after this.
    func saveGaps(_ gaps: StoredGaps, changes: [GapLifecycle.Update]) throws(StoreError)
    /// Every gap ever opened, newest first: open ones and closed ones with their dates (at most `limit`).
    func gapHistory(limit: Int) throws(StoreError) -> [StoredGapEntry]
    /// When each node was last heard from, as last recorded by ``recordLastHeard(_:)``.
    func lastHeard() throws(StoreError) -> [String: Date]
    /// Records when nodes were last heard from (any message). Per node the later of the stored and the given time
    /// is kept, so a late or repeated write never moves it back. Called every few seconds and at shutdown, not per
    /// message; not part of a commit.
    func recordLastHeard(_ heard: [String: Date]) throws(StoreError)
    /// Up to `limit` stored events after storage position `position` (0: from the start), in storage order: what
    /// `hub migrate` copies and checksums.
    func storedEvents(after position: Int64, limit: Int) throws(StoreError) -> [HubStoredEvent]
    /// Inserts events copied from another store, in one transaction; a row already there (same event id or (source,
    /// seq)) is skipped, so a copy can be rerun. The activity counters are not touched (``replaceRemainder(_:)``
    /// copies them). Returns how many were inserted.
    func insertCopied(_ events: [HubStoredEvent]) throws(StoreError) -> Int
    /// Everything the store holds besides its events: refusals, settled progress, counters, the gap lifecycle.
    func remainder() throws(StoreError) -> HubStoreRemainder
    /// Writes what ``remainder()`` read from another store, in one transaction: refusals upserted, settled progress
    /// raised (never lowered), the activity counters and the gap lifecycle replaced by the copy's.
    func replaceRemainder(_ remainder: HubStoreRemainder) throws(StoreError)
    /// The store's size on disk in bytes (SQLite: the database file and its write-ahead log; PostgreSQL: the
    /// database), for the operator's metrics.
    func sizeOnDisk() throws(StoreError) -> Int64
    /// Releases the store.
    func close() throws(StoreError)
}

/// What rebuilding the activity counters did.
package struct ActivityCountRebuild: Sendable, Hashable {
    /// Events read from the store.
    package var stored: Int
    /// Events counted (the rest could not be read as valid events and are left out).
    package var counted: Int
    /// Distinct cells written.
    package var cells: Int

    package init(stored: Int, counted: Int, cells: Int) {
        self.stored = stored
        self.counted = counted
        self.cells = cells
    }
}

/// The hub's gap lifecycle as stored: it outlives hub restarts, so a gap keeps the day it was opened and the change
/// numbers go on in the same epoch.
package struct StoredGaps: Sendable, Hashable {
    /// Names this store's gap history; subscribers start afresh when it changes (e.g. a store restored from backup).
    package var epoch: String
    /// The number of the last change.
    package var sequence: UInt64
    package var open: [GapLifecycle.OpenGap]

    package init(epoch: String, sequence: UInt64, open: [GapLifecycle.OpenGap]) {
        self.epoch = epoch
        self.sequence = sequence
        self.open = open
    }
}

/// One gap from opening to closing (or still open).
package struct StoredGapEntry: Sendable, Hashable {
    package var finding: GapFinding
    package var openedOn: LocalDate
    package var lastEvaluated: LocalDate
    /// nil while open.
    package var closedOn: LocalDate?

    package init(finding: GapFinding, openedOn: LocalDate, lastEvaluated: LocalDate, closedOn: LocalDate?) {
        self.finding = finding
        self.openedOn = openedOn
        self.lastEvaluated = lastEvaluated
        self.closedOn = closedOn
    }
}
