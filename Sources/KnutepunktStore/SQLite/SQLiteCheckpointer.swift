import Dispatch
import Foundation
import GRDB
import Synchronization

/// Copies a WAL-mode database's committed pages from the WAL back into the database file on a thread of its own,
/// so the connection that commits does not do it inside its commits.
///
/// SQLite checkpoints by default in the commit that takes the WAL past 1,000 pages: that commit then also writes
/// every page of the WAL into the database file and fsyncs it, which on the hub's ingest path costs about a fifth of
/// the commit time. Here a second connection runs a PASSIVE checkpoint (it never blocks the writer or readers)
/// every ``interval``; the writer's own automatic checkpoint stays as a backstop at ``backstopPages``, for a WAL this
/// thread cannot keep up with.
final class SQLiteCheckpointer: Sendable {
    /// How often the WAL is checkpointed.
    static let interval: DispatchTimeInterval = .milliseconds(100)
    /// The writer's own automatic checkpoint, as a backstop (pages; 16,384 × 4 KiB = 64 MiB).
    static let backstopPages = 16_384

    private let queue: DatabaseQueue
    private let stopping = Mutex(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// Opens a second connection to `path` and starts checkpointing.
    init(path: String, label: String) throws(StoreError) {
        queue = try SQLiteFile.open(path: path, label: "\(label)-checkpoint")
        Thread.detachNewThread { [self] in
            Thread.current.name = "\(label)-ckpt"
            run()
        }
    }

    /// Stops the thread (after a checkpoint in progress) and closes its connection. Later calls do nothing.
    func stop() {
        let first = stopping.withLock { stopping in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        wake.signal()
        finished.wait()
        try? queue.close()
    }

    private func run() {
        defer { finished.signal() }
        while !stopping.withLock({ $0 }) {
            // A failed checkpoint (the disk is full, say) is tried again at the next turn; the committed data is
            // safe in the WAL meanwhile, and the writer's backstop checkpoint reports the error to the hub.
            try? queue.writeWithoutTransaction { db in
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            }
            _ = wake.wait(timeout: .now() + Self.interval)
        }
    }
}
