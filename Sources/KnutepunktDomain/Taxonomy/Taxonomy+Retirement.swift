/// Codes are never renamed or removed, only added or retired: stored events refer to them. A retired code stays in
/// the taxonomy (and in history); events of activities dated from its retirement day plus the grace period on are
/// refused with `RETIRED_CODE`. Dating the rule by the activity rather than by when the event travels makes node and
/// hub decide alike, however long an event waits in an outbox.
extension Taxonomy {
    /// The grace period when the taxonomy names none: a quarter of a year, for coordinators to change their habits.
    package static let defaultRetirementGraceDays = 90

    /// The day `code` was retired, nil while it is in use.
    package func retiredOn(_ code: String, in vocabulary: Vocabulary) -> LocalDate? {
        retirements[vocabulary]?[code]
    }

    /// The first activity date for which `code` is refused: its retirement day plus the grace period. Nil while it is
    /// in use.
    package func refusedFrom(_ code: String, in vocabulary: Vocabulary) -> LocalDate? {
        retiredOn(code, in: vocabulary).map { $0.adding(days: retirementGraceDays) }
    }

    /// Whether `code` may be used for an activity on `date`: known, and not retired long enough before it.
    package func accepts(_ code: String, in vocabulary: Vocabulary, on date: LocalDate) -> Bool {
        guard let cutoff = refusedFrom(code, in: vocabulary) else { return true }
        return date < cutoff
    }

    /// Every retired code of a vocabulary, sorted.
    package func retiredCodes(of vocabulary: Vocabulary) -> [String] {
        (retirements[vocabulary] ?? [:]).keys.sorted()
    }
}
