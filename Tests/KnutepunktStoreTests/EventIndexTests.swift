import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The events table keeps the indexes its uniqueness rules need ((event_id, version) and (source, seq)) and no
/// other: every index is one more insert per stored version. A store from before (with the old region index) loses
/// it when it opens, and its events, counts and commits are as before.
@Suite struct EventIndexTests {
    /// The names of the events table's indexes that are not the uniqueness constraints' own.
    static func extraIndexes(_ fixture: HubStoreFixture) async throws -> [String] {
        switch fixture.storage {
        case .sqlite(let path):
            return try SQLiteTestAccess.rows(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL",
                in: path
            ).map { $0[0] }
        case .postgres(let location):
            // psql fails (and `execute` throws) when the DO block raises.
            do {
                try await PostgresTestServer.execute(
                    """
                    DO $$ BEGIN
                        IF EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'events'
                                   AND indexname NOT IN ('events_pkey', 'events_source_seq_key',
                                                         'events_event_id_version_key'))
                        THEN RAISE EXCEPTION 'extra index'; END IF;
                    END $$;
                    """,
                    in: location
                )
                return []
            } catch {
                return ["\(error)"]
            }
        }
    }

    @Test(arguments: HubStoreBackend.allCases)
    func aNewStoreHasNoRegionIndex(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        var traffic = HubCountSummaryTests.Traffic(seed: 5)
        for _ in 0..<5 { _ = try store.commit(traffic.batch(), receivedAt: Date()) }
        try store.close()
        #expect(try await Self.extraIndexes(fixture) == [])
    }

    @Test(arguments: HubStoreBackend.allCases)
    func anOlderStoreLosesItsRegionIndexWhenItOpens(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        var traffic = HubCountSummaryTests.Traffic(seed: 6)
        let store = try fixture.open()
        for _ in 0..<20 { _ = try store.commit(traffic.batch(), receivedAt: Date()) }
        let counts = try store.counts()
        let keys = try store.storedKeys().map { "\($0.source)/\($0.sequence)/\($0.eventID)" }
        try store.close()

        // As the store was before this release: the index there, the migration not yet run.
        switch fixture.storage {
        case .sqlite(let path):
            try SQLiteTestAccess.execute(
                """
                CREATE INDEX events_region ON events(region, occurred_on);
                DELETE FROM grdb_migrations WHERE identifier = 'v9-without-region-index';
                """,
                in: path
            )
        case .postgres(let location):
            try await PostgresTestServer.execute(
                """
                CREATE INDEX events_region ON events(region, occurred_on);
                UPDATE knutepunkt_schema SET version = 7 WHERE id = 1;
                """,
                in: location
            )
        }
        #expect(try await Self.extraIndexes(fixture) != [])

        let migrated = try fixture.open()
        #expect(try migrated.counts() == counts)
        #expect(try migrated.storedKeys().map { "\($0.source)/\($0.sequence)/\($0.eventID)" } == keys)
        for _ in 0..<5 { _ = try migrated.commit(traffic.batch(), receivedAt: Date()) }
        #expect(try migrated.counts() == (try migrated.countsByScan()))
        try migrated.close()
        #expect(try await Self.extraIndexes(fixture) == [])
    }
}
