import KnutepunktDomain
import KnutepunktGaps

extension HubStore {
    /// Reads every stored event back as a validated ``ActivityEvent`` (validated as of `today`), calling `body` with
    /// each; returns how many were stored and how many could not be read back (e.g. stored under an older
    /// taxonomy).
    @discardableResult
    package func forEachEvent(
        validator: EventValidator,
        today: LocalDate,
        _ body: (ActivityEvent) -> Void
    ) throws(StoreError) -> (stored: Int, unreadable: Int) {
        var stored = 0
        var unreadable = 0
        try forEachPayload { payload in
            stored += 1
            guard let event = validator.storedEvent(payload, today: today) else {
                unreadable += 1
                return
            }
            body(event)
        }
        return (stored, unreadable)
    }
}

extension HubStore {
    /// Rebuilds the activity counters from the stored events, each read back and validated as of `today` (see
    /// ``forEachEvent(validator:today:_:)``); events that no longer validate are left out and reported.
    @discardableResult
    package func rebuildActivityCounts(
        validator: EventValidator,
        today: LocalDate
    ) throws(StoreError)
        -> ActivityCountRebuild
    {
        try rebuildActivityCounts { payload in
            validator.storedEvent(payload, today: today).map { (ActivityCell($0), ActivityCount($0)) }
        }
    }

    /// What the stored counters add up to, read one cell at a time (a store of 10^7 cells holds gigabytes as a
    /// value): the cells, the events and a wrapping sum of each cell's hash with its counts. Two reads of the same
    /// cells and counts in one process give the same digest; a changed, added or removed cell changes it (but for a
    /// chance of 2^-64). Hashes are seeded per process, so digests are compared within one run only.
    package func activityCountDigest() throws(StoreError) -> ActivityCountDigest {
        var digest = ActivityCountDigest()
        try forEachActivityCount { cell, count in
            var hasher = Hasher()
            hasher.combine(cell)
            hasher.combine(count)
            digest.cells += 1
            digest.events += count.events
            digest.sum &+= UInt64(bitPattern: Int64(hasher.finalize()))
        }
        return digest
    }

    /// The stored activity counters as a value.
    package func activityCounters() throws(StoreError) -> ActivityCounters {
        var counters = ActivityCounters()
        try forEachActivityCount { counters.add($0, $1) }
        return counters
    }
}

extension EventValidator {
    /// A stored payload read back as a valid event (the hub's rules: no defaults), or nil. The hub stores events in
    /// canonical form, so nearly every payload takes the one-pass reader; the rest (corrections, withdrawals,
    /// traced events) the general path.
    fileprivate func storedEvent(_ payload: [UInt8], today: LocalDate) -> ActivityEvent? {
        if let event = readCanonical(payload, today: today) { return event }
        guard let object = try? JSONValue.parse(payload),
            case .success(let event) = validate(object, defaults: .hub, today: today)
        else { return nil }
        return event
    }
}

/// See ``HubStore/activityCountDigest()``.
package struct ActivityCountDigest: Sendable, Hashable {
    package var cells = 0
    package var events = 0
    package var sum: UInt64 = 0
}
