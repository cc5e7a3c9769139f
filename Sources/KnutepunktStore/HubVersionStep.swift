import Foundation
import KnutepunktDomain
import KnutepunktGaps

/// One stored version as a store reads it back to decide an arriving version of the same event.
struct StoredVersionRow: Sendable, Hashable {
    /// The row's place in its store (to mark it superseded).
    var rowID: Int64
    var version: Int
    var source: String
    var sequence: UInt64
    /// The region and node it was stored under (where ``HubCountSummary`` counts it).
    var region: String
    var node: String
    var withdrawn: Bool
    /// The event's latest stored version.
    var latest: Bool
    var payload: [UInt8]

    /// What this version adds to the activity counters while it is the latest and not a withdrawal.
    var counts: Bool { latest && !withdrawn }

    /// Where ``HubCountSummary`` counts it.
    var summaryKey: HubCountSummary.Key { HubCountSummary.Key(source: source, region: region, node: node) }
}

/// What a store does with one arriving version, decided by the versioning rules against the versions it holds: the
/// part of `commit` both backends share, so they cannot decide differently.
enum HubVersionStep: Sendable, Hashable {
    /// Insert it as the latest version, marking `superseding` (if any) no longer latest.
    case insert(superseding: StoredVersionRow?)
    case alreadyStored
    case identical
    case refused(EventVersioning.Refusal)

    /// `locks`: the months locked when the batch was sealed; a version that would replace one dated in a locked
    /// month of its region is refused (PERIOD_LOCKED): moving an activity out of a locked month changes that month.
    static func decide(
        _ record: HubEventRecord,
        rows: [StoredVersionRow],
        locks: PeriodLocks = PeriodLocks()
    ) -> HubVersionStep {
        guard !rows.isEmpty else { return .insert(superseding: nil) }
        let arriving = ActivityEvent.comparableContent(ofPayload: record.payload)
        let decision = EventVersioning.atHub(
            EventVersioning.Arrival(
                id: record.eventID,
                version: record.version,
                basedOn: record.basedOn,
                source: record.source,
                sequence: record.sequence
            ),
            stored: rows.map {
                EventVersioning.StoredVersion(
                    version: $0.version,
                    source: $0.source,
                    sequence: $0.sequence,
                    withdrawn: $0.withdrawn
                )
            },
            sameContent: { ActivityEvent.comparableContent(ofPayload: rows[$0].payload) == arriving },
            changes: { EventChange.between(payload: rows[$0].payload, record.payload) }
        )
        switch decision {
        case .store(let index):
            let superseding = index.map { rows[$0] }
            if let superseding, let refusal = lockedRefusal(record, replacing: superseding, locks: locks) {
                return .refused(refusal)
            }
            return .insert(superseding: superseding)
        case .alreadyStored: return .alreadyStored
        case .identical: return .identical
        case .refused(let refusal): return .refused(refusal)
        }
    }

    /// The refusal of a version that replaces `row` when `row` is dated in a locked month of its region.
    static func lockedRefusal(
        _ record: HubEventRecord,
        replacing row: StoredVersionRow,
        locks: PeriodLocks
    ) -> EventVersioning.Refusal? {
        guard !locks.locks.isEmpty, case .object(let object)? = try? JSONValue.parse(row.payload),
            let region = object["region"]?.stringValue,
            let date = object["date"]?.stringValue.flatMap(LocalDate.init(iso:)),
            let lock = locks.lock(region: region, date: date)
        else { return nil }
        return EventVersioning.Refusal(
            code: .periodLocked,
            current: row.version,
            message: "event \(record.eventID.lowercasedText) version \(row.version), which this one replaces, is dated "
                + "\(date.iso): \(lock.refusal)"
        )
    }

    /// The reason a refused version is recorded under (the NACK reason of a KPN/1.1 session).
    static func reasonName(_ refusal: EventVersioning.Refusal) -> String {
        refusal.code == .foreignEvent ? "FOREIGN_REGION" : refusal.code.rawValue
    }

    /// The detail recorded for a version already stored with the same content.
    static func identicalDetail(_ record: HubEventRecord) -> String {
        "event \(record.eventID.lowercasedText) version \(record.version) is already stored with the same content; "
            + "nothing was stored again"
    }
}

extension HubEventRecord {
    /// Where ``HubCountSummary`` counts it once stored.
    var summaryKey: HubCountSummary.Key { HubCountSummary.Key(source: source, region: region, node: node) }
}

extension HubCountSummary {
    /// Counts a version stored by a commit, and the version it superseded (if any) as latest no longer.
    mutating func count(_ record: HubEventRecord, superseding row: StoredVersionRow?) {
        if let row, row.latest { superseded(row.summaryKey, withdrawn: row.withdrawn) }
        stored(record.summaryKey, withdrawn: record.withdrawn)
    }
}

extension ActivityCounters {
    /// Counts a stored version: takes out what the version it supersedes counted, and adds the new one unless it
    /// withdraws the event. Returns how the number of events that count changed (−1, 0 or +1).
    @discardableResult
    mutating func count(
        _ record: HubEventRecord,
        superseding row: StoredVersionRow?,
        uncounted: inout ActivityCounters
    ) -> Int {
        var change = 0
        if let row, row.counts {
            change -= 1
            if let (cell, count) = StoredPayload.contribution(row.payload) {
                add(cell, count.negated)
                uncounted.add(cell, count)
            }
        }
        if !record.withdrawn {
            change += 1
            add(record.cell, record.count)
        }
        return change
    }

    /// What the versions counted here added, given what the versions they replaced took out (`uncounted`): these
    /// counters are the change per cell, so adding back what was taken out leaves what was added.
    func added(beside uncounted: ActivityCounters) -> ActivityCounters {
        // Nearly every batch replaces nothing.
        guard !uncounted.cells.isEmpty else { return self }
        var sums = cells
        for (cell, count) in uncounted.cells { sums[cell, default: ActivityCount()] += count }
        var added = ActivityCounters()
        for (cell, count) in sums where count != ActivityCount() { added.add(cell, count) }
        return added
    }

    /// The cells whose sum changed (a correction within one cell may change its families alone), in cell order.
    var changedCells: [(ActivityCell, ActivityCount)] {
        // Each cell's key is made once, as the bytes the counters table orders by (one buffer, compared with memcmp),
        // not in every comparison of the sort.
        cells.filter { $0.value != ActivityCount() }.map { (CountKey($0.key), $0.key, $0.value) }
            .sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
    }
}

extension ActivityCount {
    /// The count taken out again.
    var negated: ActivityCount {
        ActivityCount(events: -events, families: -families, participants: -participants, sessions: -sessions)
    }
}

/// Reading a stored payload's contribution to the counters back, without validating it again: exactly what it added
/// when it was stored (the taxonomy may have changed since), so a correction takes out what its predecessor put in.
enum StoredPayload {
    static func contribution(_ payload: [UInt8]) -> (ActivityCell, ActivityCount)? {
        guard case .object(let object)? = try? JSONValue.parse(payload) else { return nil }
        func text(_ name: String) -> String? { object[name]?.stringValue }
        func list(_ name: String) -> [String]? { object[name]?.arrayValue?.compactMap(\.stringValue) }
        func number(_ name: String) -> Int? {
            if case .integer(let value)? = object[name] { return Int(value) }
            return nil
        }
        guard let region = text("region"), let node = text("node"), let kind = text("kind"), let tier = text("tier"),
            let funding = text("funding"), let day = text("date"), let date = LocalDate(iso: day),
            let groups = list("target_groups"), let ages = list("age_bands"), let professions = list("professions"),
            let families = number("families"), let participants = number("participants"),
            let sessions = number("sessions")
        else { return nil }
        let cell = ActivityCell(
            region: region,
            node: node,
            kind: kind,
            tier: tier,
            funding: funding,
            date: date,
            targetGroups: groups,
            ageBands: ages,
            professions: professions,
            programmes: list("programmes") ?? []
        )
        return (cell, ActivityCount(events: 1, families: families, participants: participants, sessions: sessions))
    }
}
