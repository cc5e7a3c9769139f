import Foundation
import PostgresNIO

extension PostgresSchema {
    /// Migration 7: the status report's counts (``HubCountSummary``), filled once from the events and refusals the
    /// database holds. The events and refusals are locked against writes meanwhile, so a hub committing during the
    /// migration waits and is counted by its own transaction afterwards.
    static let countsMigration = """
        CREATE TABLE event_counts(
            source TEXT NOT NULL,
            region TEXT NOT NULL,
            node TEXT NOT NULL,
            counted BIGINT NOT NULL,
            withdrawn BIGINT NOT NULL,
            versions BIGINT NOT NULL,
            PRIMARY KEY(source, region, node)
        );
        CREATE TABLE rejection_counts(
            source TEXT PRIMARY KEY,
            rejected BIGINT NOT NULL
        );
        LOCK TABLE events, rejections IN SHARE MODE;
        INSERT INTO event_counts(source, region, node, counted, withdrawn, versions)
            SELECT source, region, node, COUNT(*) FILTER (WHERE latest AND NOT withdrawn),
                   COUNT(*) FILTER (WHERE latest AND withdrawn), COUNT(*)
            FROM events GROUP BY source, region, node;
        INSERT INTO rejection_counts(source, rejected)
            SELECT source, COUNT(*) FROM rejections GROUP BY source
        """
}

/// The status report's counts: kept in two small tables by every transaction that stores versions or refusals, so
/// `counts()` reads a few rows whatever the number of events.
extension PostgresHubStore {
    /// Reads the summary tables (one snapshot for all the figures, whatever other hubs commit meanwhile).
    package func counts() throws(StoreError) -> HubCounts {
        try owner.transaction(snapshot: true) { session in
            var summary = HubCountSummary()
            for row in try session.query(
                "SELECT source, region, node, counted, withdrawn, versions FROM event_counts"
            ) {
                let (source, region, node, counted, withdrawn, versions) = try row.decode(
                    (String, String, String, Int64, Int64, Int64).self
                )
                summary.add(
                    HubCountSummary.Key(source: source, region: region, node: node),
                    HubCountSummary.Tally(counted: Int(counted), withdrawn: Int(withdrawn), versions: Int(versions))
                )
            }
            for row in try session.query("SELECT source, rejected FROM rejection_counts") {
                let (source, rejected) = try row.decode((String, Int64).self)
                summary.addRejected(source, Int(rejected))
            }
            return summary.counts
        }
    }

    /// Adds a transaction's changes to the summary tables: one statement per table, rows in key order (so hubs
    /// sharing the database lock them in the same order).
    static func apply(_ changes: HubCountSummary, _ session: PostgresConnectionOwner.Session) throws {
        let events = changes.changedEvents
        if !events.isEmpty {
            try session.query(
                """
                INSERT INTO event_counts(source, region, node, counted, withdrawn, versions)
                SELECT * FROM unnest(\(events.map(\.0.source))::text[], \(events.map(\.0.region))::text[],
                                     \(events.map(\.0.node))::text[], \(events.map { Int64($0.1.counted) })::int8[],
                                     \(events.map { Int64($0.1.withdrawn) })::int8[],
                                     \(events.map { Int64($0.1.versions) })::int8[])
                ON CONFLICT (source, region, node) DO UPDATE SET
                    counted = event_counts.counted + excluded.counted,
                    withdrawn = event_counts.withdrawn + excluded.withdrawn,
                    versions = event_counts.versions + excluded.versions
                """
            )
        }
        let rejections = changes.changedRejections
        if !rejections.isEmpty {
            try session.query(
                """
                INSERT INTO rejection_counts(source, rejected)
                SELECT * FROM unnest(\(rejections.map(\.0))::text[], \(rejections.map { Int64($0.1) })::int8[])
                ON CONFLICT (source) DO UPDATE SET rejected = rejection_counts.rejected + excluded.rejected
                """
            )
        }
    }

    /// One refusal to record, with when it was received.
    struct Refusal {
        var key: SourceSequence
        var reason: String
        var detail: String
        var receivedAt: Double
    }

    /// Records refusals (each (source, seq) at most once), replacing those on record for the same (source, seq), and
    /// counts the new ones in `changes`: new rows are inserted first and reported back, the rest updated.
    static func recordRejections(
        _ refusals: [Refusal],
        _ session: PostgresConnectionOwner.Session,
        changes: inout HubCountSummary
    ) throws {
        if refusals.isEmpty { return }
        let sorted = refusals.sorted { $0.key < $1.key }
        var inserted: Set<SourceSequence> = []
        for row in try session.query(
            """
            INSERT INTO rejections(source, seq, reason, detail, received_at)
            SELECT * FROM unnest(\(sorted.map(\.key.source))::text[], \(sorted.map { Int64($0.key.sequence) })::int8[],
                                 \(sorted.map(\.reason))::text[], \(sorted.map(\.detail))::text[],
                                 \(sorted.map(\.receivedAt))::float8[])
            ON CONFLICT (source, seq) DO NOTHING
            RETURNING source, seq
            """
        ) {
            let (source, seq) = try row.decode((String, Int64).self)
            inserted.insert(SourceSequence(source: source, sequence: UInt64(seq)))
            changes.addRejected(source)
        }
        let held = sorted.filter { !inserted.contains($0.key) }
        if held.isEmpty { return }
        try session.query(
            """
            UPDATE rejections SET reason = u.reason, detail = u.detail, received_at = u.received_at
            FROM unnest(\(held.map(\.key.source))::text[], \(held.map { Int64($0.key.sequence) })::int8[],
                        \(held.map(\.reason))::text[], \(held.map(\.detail))::text[],
                        \(held.map(\.receivedAt))::float8[]) AS u(source, seq, reason, detail, received_at)
            WHERE rejections.source = u.source AND rejections.seq = u.seq
            """
        )
    }

    /// The counts computed afresh from every stored event and refusal (scans of the events table: for verification
    /// and tests, never for the status report).
    package func countsByScan() throws(StoreError) -> HubCounts {
        // One snapshot for all the figures, whatever other hubs commit meanwhile.
        try owner.transaction(snapshot: true) { session in
            func grouped(_ column: String) throws -> [String: Int] {
                var result: [String: Int] = [:]
                for row in try session.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(column), COUNT(*) FROM events WHERE \(Self.counting) GROUP BY \(column)"
                    )
                ) {
                    let (key, count) = try row.decode((String, Int64).self)
                    result[key] = Int(count)
                }
                return result
            }
            let byRegion = try grouped("region")
            return HubCounts(
                total: byRegion.values.reduce(0, +),
                byRegion: byRegion,
                byNode: try grouped("node"),
                bySource: try grouped("source"),
                rejected: try Self.single(session, "SELECT COUNT(*) FROM rejections"),
                withdrawn: try Self.single(session, "SELECT COUNT(*) FROM events WHERE latest AND withdrawn"),
                versions: try Self.single(session, "SELECT COUNT(*) FROM events")
            )
        }
    }
}
