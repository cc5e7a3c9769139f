import Foundation
import PostgresNIO

/// The hub's tables in PostgreSQL and their migrations, applied when a store opens.
///
/// The same tables as the SQLite store (see `SQLiteHubStore`), in PostgreSQL's types. Migrations run in one
/// transaction under an advisory lock, so hubs starting together against one database migrate it once.
enum PostgresSchema {
    /// Each migration's statements, in order; the index + 1 is the schema version it leads to.
    static let migrations: [String] = [
        """
        CREATE TABLE events(
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id UUID NOT NULL UNIQUE,
            source TEXT NOT NULL,
            seq BIGINT NOT NULL,
            region TEXT NOT NULL,
            node TEXT NOT NULL,
            kind TEXT NOT NULL,
            occurred_on DATE NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            payload BYTEA NOT NULL,
            UNIQUE(source, seq)
        );
        CREATE INDEX events_region ON events(region, occurred_on);
        CREATE TABLE rejections(
            source TEXT NOT NULL,
            seq BIGINT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY(source, seq)
        );
        CREATE TABLE sources(
            source TEXT PRIMARY KEY,
            settled_through BIGINT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE activity_counts(
            region TEXT NOT NULL,
            node TEXT NOT NULL,
            occurred_on DATE NOT NULL,
            kind TEXT NOT NULL,
            tier TEXT NOT NULL,
            funding TEXT NOT NULL,
            target_groups TEXT NOT NULL,
            age_bands TEXT NOT NULL,
            professions TEXT NOT NULL,
            programmes TEXT NOT NULL,
            events BIGINT NOT NULL,
            families BIGINT NOT NULL,
            participants BIGINT NOT NULL,
            sessions BIGINT NOT NULL,
            PRIMARY KEY(region, node, occurred_on, kind, tier, funding, target_groups, age_bands, professions,
                        programmes)
        );
        CREATE TABLE gaps(
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            gap_key TEXT NOT NULL,
            rule TEXT NOT NULL,
            region TEXT,
            severity TEXT NOT NULL,
            opened_on DATE NOT NULL,
            last_evaluated DATE NOT NULL,
            closed_on DATE,
            finding TEXT NOT NULL
        );
        CREATE UNIQUE INDEX gaps_open ON gaps(gap_key) WHERE closed_on IS NULL;
        CREATE TABLE gap_changes(
            sequence BIGINT PRIMARY KEY,
            epoch TEXT NOT NULL,
            gap_key TEXT NOT NULL,
            change TEXT NOT NULL,
            on_date DATE NOT NULL,
            gap TEXT NOT NULL
        );
        CREATE TABLE gap_state(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            epoch TEXT NOT NULL,
            sequence BIGINT NOT NULL
        );
        """,
        // 2: when each node was last heard from (any message), kept across restarts; shown by status.
        """
        CREATE TABLE node_contact(
            source TEXT PRIMARY KEY,
            last_heard_at DOUBLE PRECISION NOT NULL
        );
        """,
        // 3: versions of an event: one row per stored version, (event_id, version) unique instead of event_id, the
        // latest version of each event and withdrawals marked. Every event stored so far is its version 1.
        """
        ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE events ADD COLUMN latest BOOLEAN NOT NULL DEFAULT true;
        ALTER TABLE events ADD COLUMN withdrawn BOOLEAN NOT NULL DEFAULT false;
        ALTER TABLE events DROP CONSTRAINT events_event_id_key;
        ALTER TABLE events ADD CONSTRAINT events_event_id_version_key UNIQUE(event_id, version);
        """,
        // 4: test events and the taxonomy's versions (PostgresHubStore+Operations.swift).
        operationsMigration,
        // 5: monthly returns (PostgresHubStore+Periods.swift).
        periodsMigration,
        // 6: the checkpoint of the folded activity (PostgresHubStore+Checkpoint.swift).
        checkpointMigration,
        // 7: the status report's counts (PostgresHubStore+Counts.swift).
        countsMigration,
        // 8: no index on the events' region and date: no query reads them so (listings and folds read the events in
        // storage order, the counts come from their own tables), and keeping it cost every stored version an insert.
        "DROP INDEX IF EXISTS events_region",
    ]

    /// A fixed key for `pg_advisory_xact_lock`: "knutepun" in ASCII.
    static let lockKey: Int64 = 0x6B6E_7574_6570_756E

    /// Brings the schema up to date; fails with UNSUPPORTED_SCHEMA on a database written by a newer release.
    static func migrate(_ owner: PostgresConnectionOwner) throws(StoreError) {
        try owner.transaction { session in
            try session.query("SELECT pg_advisory_xact_lock(\(lockKey))")
            try session.run(
                "CREATE TABLE IF NOT EXISTS knutepunkt_schema(id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER)"
            )
            var version = 0
            for row in try session.query("SELECT version FROM knutepunkt_schema WHERE id = 1") {
                version = Int(try row.decode(Int32.self))
            }
            guard version <= migrations.count else {
                throw StoreError(
                    code: .unsupportedSchema,
                    path: "\(owner.location)",
                    message: "schema version \(version) is newer than this release's \(migrations.count)"
                )
            }
            for next in version..<migrations.count {
                // Simple-protocol statements may hold several commands; the extended protocol takes one at a time.
                for statement in migrations[next].split(separator: ";") {
                    let sql = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !sql.isEmpty { try session.run(sql) }
                }
            }
            try session.query(
                """
                INSERT INTO knutepunkt_schema(id, version) VALUES (1, \(Int32(migrations.count)))
                ON CONFLICT (id) DO UPDATE SET version = excluded.version
                """
            )
        }
    }
}
