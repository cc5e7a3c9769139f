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
