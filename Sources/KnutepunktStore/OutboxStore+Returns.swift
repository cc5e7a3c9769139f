import Foundation
import GRDB
import KnutepunktDomain

extension OutboxStore {
    /// The latest version of a monthly return the outbox holds.
    package struct HeldReturn: Sendable, Hashable {
        package var record: MonthlyReturn
        package var sequence: UInt64
        package var status: Status
        package var acceptedAt: Date
    }

    /// The latest version of every monthly return the outbox holds (returns are outbox entries like events, with
    /// a payload whose `record` is `monthly_return`).
    package func monthlyReturns() throws(StoreError) -> [HeldReturn] {
        try reading { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.versionColumns) FROM outbox AS o
                    WHERE json_extract(CAST(payload AS TEXT), '$.record') = ?
                    AND NOT EXISTS (SELECT 1 FROM outbox AS newer
                                    WHERE newer.event_id = o.event_id AND newer.version > o.version)
                    ORDER BY seq
                    """,
                arguments: [MonthlyReturn.recordName]
            ).compactMap { row in
                let held = HeldVersion(row)
                guard let object = try? JSONValue.parse(held.payload), let record = MonthlyReturn(stored: object)
                else { return nil }
                return HeldReturn(
                    record: record,
                    sequence: held.sequence,
                    status: held.status,
                    acceptedAt: Date(timeIntervalSince1970: held.acceptedAt)
                )
            }
        }
    }

    /// What became of a return a coordinator made.
    package struct ReturnOutcome: Sendable, Hashable {
        /// The version stored, or the one held when nothing new was stored.
        package var version: Int
        package var sequence: UInt64
        package var status: Status
        /// True when the outbox already held this statement (nothing new was stored).
        package var existing: Bool
    }

    /// Appends `record` as the next version of its return, or recognises it as the statement already held
    /// (``MonthlyReturn/nextVersion(of:head:)``), in one transaction. Nil: reopening a return the outbox never held.
    package func submitReturn(_ record: MonthlyReturn, acceptedAt: Date = Date()) throws(StoreError) -> ReturnOutcome? {
        try writing { db in
            let head = try Self.head(record.id, db)
            let held = head.flatMap { head in
                (try? JSONValue.parse(head.payload)).flatMap(MonthlyReturn.init(stored:)).map {
                    (version: head.version, status: $0.status, refused: head.status == .rejected)
                }
            }
            guard let next = MonthlyReturn.nextVersion(of: record.status, head: held) else {
                guard let head else { return nil }
                return ReturnOutcome(
                    version: head.version,
                    sequence: head.sequence,
                    status: head.status,
                    existing: true
                )
            }
            var stored = record
            stored.version = next.version
            stored.basedOn = next.basedOn
            let sequence = try Self.meta("last_sequence", db) + 1
            try Self.insert(
                Entry(id: stored.id, version: stored.version, payload: stored.canonicalJSON()),
                sequence: sequence,
                acceptedAt: acceptedAt,
                db
            )
            try Self.setMeta("last_sequence", sequence, db)
            return ReturnOutcome(version: stored.version, sequence: sequence, status: .queued, existing: false)
        }
    }
}
