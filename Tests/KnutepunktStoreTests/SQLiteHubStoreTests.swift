import Foundation
import KnutepunktStore
import KnutepunktTesting
import Testing

/// What only the SQLite backend does; the HubStore contract is in ``HubStoreConformanceTests``.
@Suite struct SQLiteHubStoreTests {
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
