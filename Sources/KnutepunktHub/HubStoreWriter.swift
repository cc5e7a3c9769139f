import Dispatch
import Foundation
import KnutepunktStore
import KnutepunktZMQ
import Synchronization

/// Commits the hub's batches on a thread of its own, one at a time and in the order they come, so the reactor can
/// receive and validate the next batch while this one is written and fsync'd.
///
/// The reactor hands a sealed batch to ``submit(_:receivedAt:)`` and polls ``makeReceiver()``; the outcome of each
/// commit comes back through that mailbox (``outcomes(from:)``), and only then does the reactor send the batch's ACKs
/// and publish its events. It submits again only after it has taken the outcome, so at most one batch is in flight
/// and a failed commit is known before anything after it is written.
final class HubStoreWriter: Sendable {
    /// How one commit ended.
    enum Outcome: Sendable {
        case committed(HubCommitResult)
        case failed(StoreError)
    }

    private enum Job: Sendable {
        case commit(HubBatch, receivedAt: Date)
        case stop
    }

    private let store: any HubStore
    private let results: ZMQMailbox<Outcome>
    private let jobs = Mutex<[Job]>([])
    private let jobPosted = DispatchSemaphore(value: 0)

    /// Starts the writer's thread. `context` carries the outcome mailbox.
    init(store: any HubStore, context: ZMQContext) throws(ZMQError) {
        self.store = store
        results = try ZMQMailbox(context: context)
        _ = ZMQThread.start(name: "knutepunkt-wrt") { [self] in run() }
    }

    /// The reactor's end of the outcome mailbox: poll it, then take with ``outcomes(from:)``. Call once, on the
    /// reactor's thread, and close the socket there.
    func makeReceiver() throws(ZMQError) -> ZMQSocket {
        try results.makeReceiver()
    }

    /// The outcomes that arrived, oldest first.
    func outcomes(from receiver: ZMQSocket) -> [Outcome] {
        results.takeAll(from: receiver)
    }

    /// Commits `batch` on the writer's thread; its outcome arrives at the receiver.
    func submit(_ batch: HubBatch, receivedAt: Date) {
        post(.commit(batch, receivedAt: receivedAt))
    }

    /// Ends the writer's thread once it has finished what was submitted, and closes the outcome mailbox's sender
    /// (before the context terminates). Outcomes of commits still running are not delivered: stop only when none is.
    func stop() {
        post(.stop)
        results.close()
    }

    private func post(_ job: Job) {
        jobs.withLock { $0.append(job) }
        jobPosted.signal()
    }

    private func run() {
        while true {
            jobPosted.wait()
            let job = jobs.withLock { $0.removeFirst() }
            switch job {
            case .stop:
                return
            case .commit(let batch, let receivedAt):
                do {
                    results.post(.committed(try store.commit(batch, receivedAt: receivedAt)))
                } catch {
                    results.post(.failed(error))
                }
            }
        }
    }
}
