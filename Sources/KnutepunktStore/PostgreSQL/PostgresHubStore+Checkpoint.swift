import Foundation
import KnutepunktDomain
import KnutepunktGaps
import PostgresNIO

extension PostgresSchema {
    /// Migration 5: one row, the folded activity (ActivityDays) up to a storage position, and the counters'
    /// generation.
    static let checkpointMigration = """
        CREATE TABLE gap_checkpoint(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation BIGINT NOT NULL,
            format INTEGER NOT NULL,
            position BIGINT NOT NULL,
            days BYTEA NOT NULL,
            written_at DOUBLE PRECISION NOT NULL
        );
        INSERT INTO gap_checkpoint(id, generation, format, position, days, written_at)
            VALUES (1, 0, 0, 0, ''::bytea, 0)
        """
}

extension PostgresHubStore {
    /// Marks the checkpoint as no longer describing the counters (they were rebuilt or replaced), in `session`'s
    /// transaction: a new generation, no format.
    static func invalidateCheckpoint(_ session: PostgresConnectionOwner.Session) throws {
        try session.run("UPDATE gap_checkpoint SET generation = generation + 1, format = 0, days = ''::bytea")
    }

    package func loadGapCheckpoint() throws(StoreError) -> GapCheckpoint {
        try owner.with { session in
            for row in try session.query("SELECT generation, format, position, days FROM gap_checkpoint WHERE id = 1") {
                let (generation, format, position, days) = try row.decode((Int64, Int32, Int64, ByteBuffer).self)
                return GapCheckpoint(
                    generation: generation,
                    format: Int(format),
                    position: position,
                    days: Array(buffer: days)
                )
            }
            return GapCheckpoint(generation: 0, format: 0, position: 0, days: [])
        }
    }

    package func saveGapCheckpoint(_ checkpoint: GapCheckpoint) throws(StoreError) -> Bool {
        try owner.with { session in
            var saved = false
            for _ in try session.query(
                """
                UPDATE gap_checkpoint SET format = \(Int32(checkpoint.format)), position = \(checkpoint.position),
                    days = \(ByteBuffer(bytes: checkpoint.days)), written_at = \(Date().timeIntervalSince1970)
                WHERE id = 1 AND generation = \(checkpoint.generation)
                RETURNING id
                """
            ) {
                saved = true
            }
            return saved
        }
    }

    package func forEachCountedChange(
        after position: Int64,
        _ body: (CountedChange) throws -> Void
    ) throws(StoreError) {
        var after = position
        while true {
            // The version each one replaced is the one stored before it for the same event: versions are stored
            // in order, each as the event's latest.
            let page = try owner.with { session in
                try session.query(
                    """
                    SELECT e.id, e.withdrawn, e.payload, p.withdrawn, p.payload
                    FROM events e
                    LEFT JOIN LATERAL (
                        SELECT q.withdrawn, q.payload FROM events q
                        WHERE q.event_id = e.event_id AND q.id < e.id ORDER BY q.id DESC LIMIT 1
                    ) p ON true
                    WHERE e.id > \(after) ORDER BY e.id LIMIT \(Int64(Self.pageSize))
                    """
                ).map { row in
                    let (id, withdrawn, payload, replacedWithdrawn, replacedPayload) = try row.decode(
                        (Int64, Bool, ByteBuffer, Bool?, ByteBuffer?).self
                    )
                    return CountedChange.reading(
                        position: id,
                        payload: Array(buffer: payload),
                        withdrawn: withdrawn,
                        replaced: replacedPayload.map { (Array(buffer: $0), replacedWithdrawn ?? false) }
                    )
                }
            }
            guard let last = page.last else { return }
            do {
                for change in page { try body(change) }
            } catch {
                throw StoreError(postgres: error, location: location)
            }
            after = last.position
        }
    }

    package func hasActivityCounts() throws(StoreError) -> Bool {
        try owner.with { session in
            for row in try session.query("SELECT EXISTS(SELECT 1 FROM activity_counts)") {
                return try row.decode(Bool.self)
            }
            return false
        }
    }

    package func foldActivityCounts(
        _ body: (ActivityCell, ActivityCount) throws -> Void
    ) throws(StoreError) -> (position: Int64, generation: Int64) {
        let (position, generation, rows) = try owner.transaction(snapshot: true) { session in
            var position: Int64 = 0
            var generation: Int64 = 0
            for row in try session.query(
                "SELECT COALESCE((SELECT MAX(id) FROM events), 0), (SELECT generation FROM gap_checkpoint WHERE id = 1)"
            ) {
                (position, generation) = try row.decode((Int64, Int64).self)
            }
            return (position, generation, try Self.activityCounts(session))
        }
        do {
            for case let (cell, count)? in rows { try body(cell, count) }
        } catch {
            throw StoreError(postgres: error, location: location)
        }
        return (position, generation)
    }
}
