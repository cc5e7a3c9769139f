import Foundation
import KnutepunktDomain
import KnutepunktGaps

/// Every version of one event the hub stores, oldest first, each with who submitted it, when, and what it changed:
/// what `knutepunkt history` prints and the dashboard shows behind an event.
package struct EventHistory: Sendable, Hashable, Codable {
    package struct Version: Sendable, Hashable, Codable {
        package var version: Int
        /// The version it corrects or withdraws (nil for the first).
        package var basedOn: Int?
        /// The node daemon that sent it, and the sequence it came under.
        package var source: String
        package var sequence: UInt64
        /// Who submitted it (the coordinator, or the operating-system user of the command-line tool); nil when a
        /// node of schema 1.0 sent it.
        package var submittedBy: String?
        /// When the node accepted it (UTC), and when the hub stored it.
        package var submittedAt: String?
        package var storedAt: String
        package var withdrawn: Bool
        package var withdrawalReason: String?
        /// The latest version: what counts (unless it withdraws the event).
        package var latest: Bool
        /// What it changed relative to the stored version before it (empty for the first).
        package var changes: [EventChange]
        /// The version as stored (canonical JSON text); left out where small counts are withheld.
        package var event: String?
    }

    package var id: String
    package var versions: [Version]
    /// The latest version counts nowhere: the event was withdrawn.
    package var withdrawn: Bool
    /// True when counts under 5 are withheld (changes quote `<5`, and the stored text is left out).
    package var withheld: Bool

    /// Reads the history of `id`; nil when the hub holds no version of it. With `withholdSmallCounts`, counts
    /// of 1 to 4 families or participants are shown as `<5`, as everything that leaves the hub does.
    package static func read(
        _ id: UUID,
        from store: any HubStore,
        withholdSmallCounts: Bool
    ) throws(StoreError) -> EventHistory? {
        let stored = try store.history(of: id)
        guard !stored.isEmpty else { return nil }
        var versions: [Version] = []
        var previous: JSONValue?
        for entry in stored {
            let value = try? JSONValue.parse(entry.payload)
            let object = value?.objectValue
            var changes = previous.flatMap { old in value.map { EventChange.between(old, $0) } } ?? []
            if withholdSmallCounts { changes = changes.map(withheld) }
            var basedOn: Int?
            if case .integer(let number)? = object?["based_on"] { basedOn = Int(number) }
            versions.append(
                Version(
                    version: entry.version,
                    basedOn: basedOn,
                    source: entry.source,
                    sequence: entry.sequence,
                    submittedBy: object?["submitted_by"]?.stringValue,
                    submittedAt: object?["submitted_at"]?.stringValue,
                    storedAt: LocalDate.utcTimestamp(entry.receivedAt),
                    withdrawn: entry.withdrawn,
                    withdrawalReason: object?["withdrawal_reason"]?.stringValue,
                    latest: entry.latest,
                    changes: changes,
                    event: withholdSmallCounts ? nil : String(decoding: entry.payload, as: UTF8.self)
                )
            )
            previous = value
        }
        return EventHistory(
            id: id.lowercasedText,
            versions: versions,
            withdrawn: stored.last(where: \.latest)?.withdrawn ?? false,
            withheld: withholdSmallCounts
        )
    }

    /// The counts that can single out a family's service when small.
    static let smallCountFields: Set<String> = ["families", "participants"]

    private static func withheld(_ change: EventChange) -> EventChange {
        guard smallCountFields.contains(change.field) else { return change }
        func shown(_ text: String?) -> String? {
            guard let text, let number = Int(text), SmallCells.isSmall(number) else { return text }
            return "<\(SmallCells.minimum)"
        }
        return EventChange(field: change.field, before: shown(change.before), after: shown(change.after))
    }
}
