import Foundation
import PostgresNIO

/// Test events and the taxonomy's versions (``HubOperationsStore``) in PostgreSQL.
extension PostgresHubStore {
    /// Writes a batch's test events inside its commit. A resend of a stored (source, seq) is ignored, whichever hub
    /// stored it.
    static func insertTests(
        _ tests: [HubTestEventRecord],
        stamp: Double,
        _ session: PostgresConnectionOwner.Session
    )
        throws
    {
        guard !tests.isEmpty else { return }
        let sorted = tests.sorted { ($0.source, $0.sequence) < ($1.source, $1.sequence) }
        try session.query(
            """
            INSERT INTO test_events(source, seq, event_id, region, node, received_at, payload)
            SELECT t.source, t.seq, t.event_id, t.region, t.node, \(stamp), t.payload
            FROM unnest(\(sorted.map(\.source))::text[], \(sorted.map { Int64($0.sequence) })::int8[],
                        \(sorted.map(\.eventID))::uuid[], \(sorted.map(\.region))::text[], \(sorted.map(\.node))::text[],
                        \(sorted.map { ByteBuffer(bytes: $0.payload) })::bytea[])
                 AS t(source, seq, event_id, region, node, payload)
            ON CONFLICT DO NOTHING
            """
        )
    }

    package func testEvents(limit: Int) throws(StoreError) -> (total: Int, latest: [HubStoredTestEvent]) {
        try owner.transaction(snapshot: true) { session in
            var total = 0
            for row in try session.query("SELECT count(*)::BIGINT FROM test_events") {
                total = Int(try row.decode(Int64.self))
            }
            var latest: [HubStoredTestEvent] = []
            for row in try session.query(
                """
                SELECT source, seq, event_id, region, node, received_at FROM test_events
                ORDER BY received_at DESC, source, seq DESC LIMIT \(Int64(limit))
                """
            ) {
                let (source, seq, id, region, node, received) = try row.decode(
                    (String, Int64, UUID, String, String, Double).self
                )
                latest.append(
                    HubStoredTestEvent(
                        source: source,
                        sequence: UInt64(seq),
                        eventID: id,
                        region: region,
                        node: node,
                        receivedAt: Date(timeIntervalSince1970: received)
                    )
                )
            }
            return (total, latest)
        }
    }

    package func taxonomyVersions() throws(StoreError) -> [TaxonomyVersionRecord] {
        try owner.with { session in
            var versions: [TaxonomyVersionRecord] = []
            for row in try session.query(
                "SELECT version, published_at, document FROM taxonomy_versions ORDER BY version"
            ) {
                let (version, published, document) = try row.decode((Int64, Double, String).self)
                versions.append(
                    TaxonomyVersionRecord(
                        version: Int(version),
                        publishedAt: Date(timeIntervalSince1970: published),
                        document: document
                    )
                )
            }
            return versions
        }
    }

    package func publishTaxonomy(
        _ document: String,
        at date: Date
    ) throws(StoreError) -> (record: TaxonomyVersionRecord, published: Bool) {
        try owner.transaction { session in
            // One publisher at a time across every hub on this database: versions are numbered without gaps.
            try session.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey + 1))")
            for row in try session.query(
                "SELECT version, published_at, document FROM taxonomy_versions ORDER BY version DESC LIMIT 1"
            ) {
                let (version, published, latest) = try row.decode((Int64, Double, String).self)
                if latest == document {
                    let record = TaxonomyVersionRecord(
                        version: Int(version),
                        publishedAt: Date(timeIntervalSince1970: published),
                        document: document
                    )
                    return (record, false)
                }
            }
            var next: Int64 = 1
            for row in try session.query("SELECT COALESCE(max(version), 0)::BIGINT + 1 FROM taxonomy_versions") {
                next = try row.decode(Int64.self)
            }
            try session.query(
                """
                INSERT INTO taxonomy_versions(version, published_at, document)
                VALUES (\(next), \(date.timeIntervalSince1970), \(document))
                """
            )
            return (TaxonomyVersionRecord(version: Int(next), publishedAt: date, document: document), true)
        }
    }
}

extension PostgresSchema {
    /// Migration 4: test events and the taxonomy's versions, both apart from the events and their counters.
    static let operationsMigration = """
        CREATE TABLE test_events(
            source TEXT NOT NULL,
            seq BIGINT NOT NULL,
            event_id UUID NOT NULL,
            region TEXT NOT NULL,
            node TEXT NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            payload BYTEA NOT NULL,
            PRIMARY KEY(source, seq)
        );
        CREATE TABLE taxonomy_versions(
            version BIGINT PRIMARY KEY,
            published_at DOUBLE PRECISION NOT NULL,
            document TEXT NOT NULL
        );
        """
}
