import KnutepunktCore

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
            guard let object = try? JSONValue.parse(payload),
                case .success(let event) = validator.validate(object, defaults: .hub, today: today)
            else {
                unreadable += 1
                return
            }
            body(event)
        }
        return (stored, unreadable)
    }
}
