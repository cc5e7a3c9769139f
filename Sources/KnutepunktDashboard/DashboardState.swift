import Foundation
import KnutepunktProtocol
import Synchronization

/// The dashboard's live state, kept by ``DashboardFeed`` and read by the HTTP routes; it also hands every change
/// to the pages listening (``subscribe()``). Thread-safe: the feed's thread writes, request tasks read.
package final class DashboardState: Sendable {
    /// Everything the routes read, as one value.
    package struct Snapshot: Sendable {
        /// nil until the store was read once.
        package var views: DashboardViews?
        /// The hub's open gaps (from its gap stream), by key.
        package var gaps: [String: GapRecord] = [:]
        package var gapSequence: UInt64 = 0
        package var gapEpoch: String?
        /// The hub's last status answer and when it came.
        package var status: HubStatusReport?
        package var statusAt: Date?
        /// Why the hub cannot be reached, while it cannot.
        package var hubProblem: String?
        /// Why the hub's store cannot be read, while it cannot (the views then stay as last read).
        package var storeProblem: String?
        /// Every acknowledgement, newest first.
        package var acknowledgements: [Acknowledgement] = []

        /// The open gaps in a stable order: region (national last), red before amber, rule, key.
        package var sortedGaps: [GapRecord] {
            gaps.values.sorted {
                ($0.region ?? "~", $0.severity == "RED" ? 0 : 1, $0.rule, $0.key)
                    < ($1.region ?? "~", $1.severity == "RED" ? 0 : 1, $1.rule, $1.key)
            }
        }
    }

    private struct Inner {
        var snapshot = Snapshot()
        var listeners: [UInt64: AsyncStream<DashboardNotice>.Continuation] = [:]
        var nextListener: UInt64 = 0
        var finished = false
    }

    private let inner = Mutex(Inner())

    package init() {}

    /// The state as it is now.
    package var snapshot: Snapshot { inner.withLock { $0.snapshot } }

    /// Changes the state and tells every listener `notice` (if any).
    package func update(_ notice: DashboardNotice?, _ change: (inout Snapshot) -> Void) {
        let listeners = inner.withLock { inner in
            change(&inner.snapshot)
            return Array(inner.listeners.values)
        }
        if let notice {
            for listener in listeners { listener.yield(notice) }
        }
    }

    /// A stream of every later change. Ends when the dashboard stops or the consumer stops iterating. A slow page
    /// keeps only the newest 64 notices (each makes it read the views again, so older ones add nothing).
    package func subscribe() -> AsyncStream<DashboardNotice> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: DashboardNotice.self,
            bufferingPolicy: .bufferingNewest(64)
        )
        let id: UInt64? = inner.withLock { inner in
            guard !inner.finished else { return nil }
            inner.nextListener += 1
            inner.listeners[inner.nextListener] = continuation
            return inner.nextListener
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.inner.withLock { $0.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    /// How many pages listen now.
    package var listenerCount: Int { inner.withLock { $0.listeners.count } }

    /// Ends every listener's stream (the dashboard is stopping); later subscriptions end at once.
    package func finish() {
        let listeners = inner.withLock { inner in
            inner.finished = true
            defer { inner.listeners = [:] }
            return Array(inner.listeners.values)
        }
        for listener in listeners { listener.finish() }
    }
}
