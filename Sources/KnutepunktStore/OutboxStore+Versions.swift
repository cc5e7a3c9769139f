import Foundation
import GRDB
import KnutepunktDomain

extension OutboxStore {
    /// One validated event a coordinator submitted, to be taken as a new event, a new version of one, or recognised
    /// as a version the outbox already holds (``EventVersioning/atNode(_:head:knownVersion:changes:correctChanged:)``).
    package struct Submission: Sendable, Hashable {
        /// The event as validated, with `submittedBy` and `submittedAt` filled in by the node. Its `version` is
        /// replaced by the one the rules give.
        package var event: ActivityEvent
        /// The document named its `version` (an exported event sent again).
        package var versionGiven: Bool
        /// A changed event without `based_on` becomes a correction instead of a conflict (spreadsheet imports).
        package var correctChanged: Bool

        package init(event: ActivityEvent, versionGiven: Bool = false, correctChanged: Bool = false) {
            self.event = event
            self.versionGiven = versionGiven
            self.correctChanged = correctChanged
        }
    }

    /// What became of one submission.
    package struct SubmitOutcome: Sendable, Hashable {
        package var id: UUID
        /// Appended, held already (nothing stored), or refused (nothing stored; `refusal` says why).
        package var refusal: EventVersioning.Refusal?
        package var existing: Bool
        /// For an appended or held version: its sequence and status.
        package var sequence: UInt64?
        package var status: Status?
        /// The hub's reason, for a version it refused.
        package var reason: String?
        package var version: Int
        package var basedOn: Int?
        /// What an appended correction changed relative to the version before it.
        package var changes: [EventChange]
        /// The event's latest version, when the one held is an older one.
        package var latest: Int? = nil
    }

    /// Applies the versioning rules to every submission and appends the new versions, all in one transaction
    /// (numbering them consecutively); a submission sees the ones before it in the same call.
    package func submit(_ submissions: [Submission], acceptedAt: Date = Date()) throws(StoreError) -> [SubmitOutcome] {
        try writing { db in
            var last = try Self.meta("last_sequence", db)
            var outcomes: [SubmitOutcome] = []
            outcomes.reserveCapacity(submissions.count)
            for submission in submissions {
                var event = submission.event
                let head = try Self.head(event.id, db)
                guard let head else {
                    // The common case: an event the node has never seen, stored without reading anything back.
                    if let base = event.basedOn { event.version = base + 1 }
                    last += 1
                    try Self.insert(
                        Entry(id: event.id, version: event.version, payload: event.canonicalJSON()),
                        sequence: last,
                        acceptedAt: acceptedAt,
                        db
                    )
                    outcomes.append(
                        SubmitOutcome(
                            id: event.id,
                            existing: false,
                            sequence: last,
                            status: .queued,
                            version: event.version,
                            basedOn: event.basedOn,
                            changes: []
                        )
                    )
                    continue
                }
                let submitted = event.canonicalJSON()
                let content = ActivityEvent.comparableContent(ofPayload: submitted)
                func knownVersion(_ number: Int) -> Bool? {
                    let held = number == head.version ? head : (try? Self.version(event.id, number, db)) ?? nil
                    guard let held else { return nil }
                    return ActivityEvent.comparableContent(ofPayload: held.payload) == content
                }
                let decision = EventVersioning.atNode(
                    EventVersioning.Submission(
                        id: event.id,
                        basedOn: event.basedOn,
                        version: submission.versionGiven ? event.version : nil
                    ),
                    head: EventVersioning.Head(version: head.version, refusedByHub: head.status == .rejected),
                    knownVersion: knownVersion,
                    changes: { EventChange.between(payload: head.payload, submitted) },
                    correctChanged: submission.correctChanged
                )
                switch decision {
                case .append(let version, let basedOn):
                    event.version = version
                    event.basedOn = basedOn
                    let payload = event.canonicalJSON()
                    last += 1
                    try Self.insert(
                        Entry(id: event.id, version: version, payload: payload),
                        sequence: last,
                        acceptedAt: acceptedAt,
                        db
                    )
                    outcomes.append(
                        SubmitOutcome(
                            id: event.id,
                            existing: false,
                            sequence: last,
                            status: .queued,
                            version: version,
                            basedOn: basedOn,
                            changes: EventChange.between(payload: head.payload, payload)
                        )
                    )
                case .existing(let version):
                    let held = version == head.version ? head : try Self.version(event.id, version, db) ?? head
                    outcomes.append(
                        SubmitOutcome(
                            id: event.id,
                            existing: true,
                            sequence: held.sequence,
                            status: held.status,
                            reason: held.reason,
                            version: held.version,
                            basedOn: nil,
                            changes: [],
                            latest: held.version < head.version ? head.version : nil
                        )
                    )
                case .refused(let refusal):
                    outcomes.append(
                        SubmitOutcome(
                            id: event.id,
                            refusal: refusal,
                            existing: false,
                            version: head.version,
                            basedOn: event.basedOn,
                            changes: EventChange.between(payload: head.payload, submitted)
                        )
                    )
                }
            }
            try Self.setMeta("last_sequence", last, db)
            return outcomes
        }
    }

    /// One event as ``events(since:limit:)`` lists it: its latest version.
    package struct Listed: Sendable, Hashable {
        package var id: String
        package var sequence: UInt64
        package var version: Int
        package var status: Status
        package var reason: String?
        package var acceptedAt: Date
        package var payload: [UInt8]
    }

    /// The latest version of every event the outbox holds, newest accepted first: those accepted at or after
    /// `since`, at most `limit` of those `include` keeps, and whether more were kept than listed.
    package func events(
        since: Date?,
        limit: Int,
        include: (Listed) -> Bool = { _ in true }
    ) throws(StoreError) -> (events: [Listed], truncated: Bool) {
        try reading { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(Self.versionColumns) FROM outbox AS o
                    WHERE accepted_at >= ?
                    AND NOT EXISTS (SELECT 1 FROM outbox AS newer
                                    WHERE newer.event_id = o.event_id AND newer.version > o.version)
                    ORDER BY seq DESC
                    """,
                arguments: [since?.timeIntervalSince1970 ?? 0]
            )
            var listed: [Listed] = []
            while let row = try rows.next() {
                let held = HeldVersion(row)
                let entry = Listed(
                    id: row["event_id"],
                    sequence: held.sequence,
                    version: held.version,
                    status: held.status,
                    reason: held.reason,
                    acceptedAt: Date(timeIntervalSince1970: held.acceptedAt),
                    payload: held.payload
                )
                guard include(entry) else { continue }
                if listed.count == limit { return (listed, true) }
                listed.append(entry)
            }
            return (listed, false)
        }
    }

    /// Every version of event `id` the outbox holds, oldest first.
    package func versions(of id: UUID) throws(StoreError) -> [Listed] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.versionColumns) FROM outbox WHERE event_id = ? ORDER BY version",
                arguments: [id.lowercasedText]
            ).map { row in
                let held = HeldVersion(row)
                return Listed(
                    id: row["event_id"],
                    sequence: held.sequence,
                    version: held.version,
                    status: held.status,
                    reason: held.reason,
                    acceptedAt: Date(timeIntervalSince1970: held.acceptedAt),
                    payload: held.payload
                )
            }
        }
    }
}
