import GRDB
import KnutepunktTesting
import Testing

@testable import KnutepunktStore

/// The settings every store file must have for "acknowledged means on disk".
@Suite struct SQLiteFileTests {
    @Test func storesUseWALAndFsyncEveryCommit() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let queue = try SQLiteFile.open(path: folder.file("a/b/store.sqlite"), label: "test")
        defer { try? queue.close() }
        let (journal, synchronous) = try queue.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(journal == "wal")
        // 2 = FULL: the WAL is fsync'd at every commit (NORMAL, 1, only at checkpoints).
        #expect(synchronous == 2)
    }
}
