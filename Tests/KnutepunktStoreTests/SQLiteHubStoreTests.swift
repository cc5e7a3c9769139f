import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

/// What only the SQLite backend does; the HubStore contract is in ``HubStoreConformanceTests``.
@Suite struct SQLiteHubStoreTests {
    static func record(_ source: String, _ sequence: UInt64, id: Int? = nil) -> HubEventRecord {
        let event = EventFixtures.activity(
            source: source,
            index: id ?? Int(sequence),
            region: source,
            node: "\(source)-X"
        )
        return HubEventRecord(source: source, sequence: sequence, event: event, payload: event.canonicalJSON())
    }

    @Test func lastHeardSurvivesReopeningAndNeverMovesBack() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("hub.sqlite")
        let store = try SQLiteHubStore.open(path: path)
        let early = Date(timeIntervalSince1970: 1_700_000_000)
        let late = early.addingTimeInterval(90)
        try store.recordLastHeard(["NO-VEST": late, "NO-NORD": early])
        try store.recordLastHeard(["NO-VEST": early])
        try store.close()
        let reopened = try SQLiteHubStore.open(path: path)
        defer { try? reopened.close() }
        #expect(try reopened.lastHeard() == ["NO-VEST": late, "NO-NORD": early])
    }

    @Test func backupIsAConsistentCopyAndNeverOverwrites() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var batch = HubBatch()
        batch.events = [Self.record("NO-VEST", 1), Self.record("NO-VEST", 2)]
        batch.settled = ["NO-VEST": 2]
        _ = try store.commit(batch, receivedAt: Date())
        try store.backup(to: folder.file("copy.sqlite"))
        // Stored after the backup: not in the copy.
        batch.events = [Self.record("NO-VEST", 3)]
        batch.settled = ["NO-VEST": 3]
        _ = try store.commit(batch, receivedAt: Date())

        let copy = try SQLiteHubStore.open(path: folder.file("copy.sqlite"))
        defer { try? copy.close() }
        #expect(try copy.settledProgress() == ["NO-VEST": 2])
        #expect(try copy.storedKeys().map(\.sequence) == [1, 2])
        #expect(throws: StoreError.self) { try store.backup(to: folder.file("copy.sqlite")) }
    }

    @Test func aFileThatIsNotADatabaseGivesAnActionableError() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("hub.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: StoreError.self) { try SQLiteHubStore.open(path: path) }
        #expect(error.code == .corrupt)
        #expect(error.description.contains(path))
        #expect(error.description.contains("backup"))
    }
}
