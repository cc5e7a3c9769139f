import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

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

    @Test func commitStoresEventsRejectionsAndProgress() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.file("hub.sqlite")
        let store = try SQLiteHubStore.open(path: path)
        var batch = HubBatch()
        batch.events = [Self.record("NO-VEST", 1), Self.record("NO-VEST", 2), Self.record("NO-NORD", 1)]
        batch.rejections = [HubRejectionRecord(source: "NO-VEST", sequence: 3, reason: "INVALID_EVENT", detail: "kind")]
        batch.settled = ["NO-VEST": 3, "NO-NORD": 1]
        #expect(try store.commit(batch, receivedAt: Date()).duplicateIDs.isEmpty)
        try store.close()

        let reopened = try SQLiteHubStore.open(path: path)
        defer { try? reopened.close() }
        #expect(try reopened.settledProgress() == ["NO-VEST": 3, "NO-NORD": 1])
        let counts = try reopened.counts()
        #expect(counts.total == 3)
        #expect(counts.byRegion == ["NO-VEST": 2, "NO-NORD": 1])
        #expect(counts.rejected == 1)
        #expect(
            try reopened.storedKeys().map { "\($0.source)#\($0.sequence)" } == ["NO-NORD#1", "NO-VEST#1", "NO-VEST#2"]
        )
    }

    @Test func anEventIdIsStoredOnceEvenUnderAnotherSequence() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var first = HubBatch()
        first.events = [Self.record("NO-VEST", 1)]
        first.settled = ["NO-VEST": 1]
        _ = try store.commit(first, receivedAt: Date())
        var second = HubBatch()
        second.events = [Self.record("NO-VEST", 2), Self.record("NO-VEST", 3, id: 1)]
        second.settled = ["NO-VEST": 3]
        #expect(try store.commit(second, receivedAt: Date()).duplicateIDs == [1])
        #expect(try store.counts().total == 2)
        #expect(try store.counts().rejected == 1)
        #expect(try store.settledProgress()["NO-VEST"] == 3)
    }

    @Test func settledProgressNeverGoesBackwards() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var batch = HubBatch()
        batch.settled = ["NO-VEST": 10]
        _ = try store.commit(batch, receivedAt: Date())
        batch.settled = ["NO-VEST": 4]
        _ = try store.commit(batch, receivedAt: Date())
        #expect(try store.settledProgress()["NO-VEST"] == 10)
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
