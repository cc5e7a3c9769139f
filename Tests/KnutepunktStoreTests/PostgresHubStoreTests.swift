import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

/// What only the PostgreSQL backend does; the HubStore contract is in ``HubStoreConformanceTests``.
@Suite struct PostgresHubStoreTests {
    /// The server ends the store's connection (a restart, a fail-over, a network cut): at most the call that meets it
    /// fails (so the hub does not ACK), and the store reconnects and goes on.
    @Test func aLostConnectionFailsOneCallAndIsReplacedAtTheNext() async throws {
        let location = try await PostgresTestServer.makeDatabase()
        let store = try PostgresHubStore.open(location)
        defer { try? store.close() }
        var batch = HubBatch()
        batch.events = [HubStoreConformanceTests.record("NO-VEST", 1)]
        batch.settled = ["NO-VEST": 1]
        _ = try store.commit(batch, receivedAt: Date())
        try await PostgresTestServer.execute(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """,
            in: location
        )
        var next = HubBatch()
        next.events = [HubStoreConformanceTests.record("NO-VEST", 2)]
        next.settled = ["NO-VEST": 2]
        // A connection already seen closed is replaced before the call; one that breaks during it fails that call.
        do {
            #expect(try store.commit(next, receivedAt: Date()).decisions == HubCommitResult(countedChange: 1))
        } catch {
            #expect(error.code == .unreachable, "\(error)")
            #expect(try store.commit(next, receivedAt: Date()).decisions == HubCommitResult(countedChange: 1))
        }
        #expect(try store.counts().total == 2)
        #expect(try store.settledProgress() == ["NO-VEST": 2])
    }

    @Test func aServerThatIsNotThereIsUnreachableWithAdvice() throws {
        let port = try LoopbackPort.free()
        let location = PostgresLocation(host: "127.0.0.1", port: port, user: "hub", password: "secret", database: "k")
        let error = try #require(throws: StoreError.self) { try PostgresHubStore.open(location) }
        #expect(error.code == .unreachable)
        #expect(error.description.contains("postgres://hub@127.0.0.1:\(port)/k"))
        #expect(!error.description.contains("secret"))
        #expect(error.advice.contains("PostgreSQL server runs"))
    }

    @Test func aDatabaseThatDoesNotExistIsReported() async throws {
        let existing = try await PostgresTestServer.makeDatabase()
        var missing = existing
        missing.database = "no_such_database"
        let error = try #require(throws: StoreError.self) { try PostgresHubStore.open(missing) }
        #expect(error.code == .unreachable)
        #expect(error.message.contains("no_such_database"), "\(error)")
    }
}
