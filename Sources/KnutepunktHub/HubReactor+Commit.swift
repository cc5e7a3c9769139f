import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ

/// Group commit: the sealed batch goes to the writer's thread, and only its durable outcome releases NACKs, ACKs and
/// the events published on the PUB socket.
extension HubReactor {
    // MARK: - Commit

    /// Seals the open batch and hands it to the writer, unless the writer is still committing the previous one (it
    /// is sealed when that one settles). An empty batch settles at once: it may still owe ACKs for duplicates.
    func sealIfIdle() {
        guard sealed == nil else { return }
        var batch = open
        // The store refuses corrections and withdrawals of versions dated in a locked month (the events' own dates
        // were checked against the locks at admission).
        batch.records.locks = periodLocks
        open = Batch()
        sessions.sealBatch()
        if batch.records.isEmpty {
            settle(batch, .committed(HubCommitResult()))?.run(self)
        } else {
            sealed = batch
            writer.submit(batch.records, receivedAt: Date())
        }
    }

    /// Takes the writer's outcome for the sealed batch, acts on it, and seals the next batch. After a commit, the
    /// nodes are answered and the next batch goes to the writer first; what the stored events change here (the
    /// event stream, the gap facts) follows while the writer commits, so neither thread waits for the
    /// other's part. The next batch is sealed only once the last one is known committed: after a failed commit it
    /// is dropped with it (``settle(_:_:)``), so nothing settles past events that were not stored.
    func settleCommits() {
        for outcome in writer.outcomes(from: commitOutcomes) {
            guard let batch = sealed else {
                preconditionFailure("a commit outcome without a sealed batch")
            }
            sealed = nil
            let stored = settle(batch, outcome)
            sealIfIdle()
            stored?.run(self)
        }
        sealIfIdle()
    }

    /// What a committed batch's stored events change at the hub beyond the nodes' answers (the event stream, the gap
    /// facts), done after the next batch is sealed.
    struct StoredBatch {
        let batch: Batch
        let result: HubCommitResult

        func run(_ reactor: HubReactor) { reactor.publishStored(batch, result) }
    }

    /// Before stopping: waits for the batch being committed, then commits what the open batch holds and waits for
    /// that too, so everything received is stored and acknowledged (or, on a failed commit, resent by the nodes).
    func drain() {
        sealIfIdle()
        // Each settled commit seals the open batch next (settleCommits), and nothing is received meanwhile.
        for waited in 0..<Self.drainSeconds where sealed != nil {
            if waited > 0, waited % 10 == 0 {
                logger.warning(
                    "still waiting for the store to commit the last batch",
                    metadata: ["seconds": "\(waited)"]
                )
            }
            var poller = ZMQPoller()
            let index = poller.add(commitOutcomes)
            do {
                if try poller.poll(timeout: .seconds(1))[index].contains(.readable) { settleCommits() }
            } catch {
                logger.error("waiting for the last commit failed", metadata: ["error": "\(error)"])
                return
            }
        }
        if sealed != nil {
            logger.error("stopping without the last commit's outcome; the nodes resend what it held")
        }
    }

    /// After a commit ended: on success, sends the NACKs and the ACKs, and returns what is left to do for the stored
    /// events (``StoredBatch``); on failure, drops the open batch too (its events follow the failed ones) and lets the
    /// nodes resend.
    func settle(_ sealedBatch: Batch, _ outcome: HubStoreWriter.Outcome) -> StoredBatch? {
        let batch = sealedBatch.records
        var nacks = sealedBatch.nacks
        let result: HubCommitResult
        switch outcome {
        case .failed(let error):
            // Nothing of the batch is stored and nothing is acknowledged: the nodes send it again.
            commitFailed(error, events: batch.events.count)
            open = Batch()
            endTraces(of: sealedBatch, failed: error)
            for action in sessions.sealedBatchFailed(now: clock.now) { perform(action) }
            return nil
        case .committed(let committed):
            if !batch.isEmpty { commitSucceeded() }
            result = committed
        }
        if !batch.isEmpty {
            nacks += versionNacks(batch, result)
            nacks.sort { ($0.nodeID, $0.sequence) < ($1.nodeID, $1.sequence) }
            for nack in nacks {
                guard let peer = peer(of: nack.nodeID) else { continue }
                send(
                    WireCodec.encode(
                        .nack(WireMessage.Nack(sequence: nack.sequence, reason: nack.reason, detail: nack.detail))
                    ),
                    to: peer
                )
            }
            // Counted before the ACKs go out, so a STATUS or a metrics scrape that follows an ACK sees the events.
            storedTotal += result.countedChange
            let stored = batch.events.count - result.notStored.count
            setup.metrics.committed(stored: stored, refused: nacks.map(\.reason.name))
            if !nacks.isEmpty {
                logger.info("events refused", metadata: ["count": "\(nacks.count)"])
            }
            settleTests(batch.tests)
            settleReturns(batch.returns)
            endTraces(of: sealedBatch, failed: nil)
        }
        for action in sessions.sealedBatchCommitted(now: clock.now) { perform(action) }
        return batch.events.isEmpty ? nil : StoredBatch(batch: sealedBatch, result: result)
    }

    /// A committed batch's stored events: published on the event stream and folded into the gap facts.
    func publishStored(_ sealedBatch: Batch, _ result: HubCommitResult) {
        // Neither versions held already, refused ones, nor resends in the store are published or counted again.
        let duplicates = result.notStored
        for (index, event) in sealedBatch.records.events.enumerated() where !duplicates.contains(index) {
            publish(event)
        }
        gaps.stored(result)
    }

    /// The NACKs for the versions the store did not take: DUPLICATE_EVENT_ID for a version it holds already, and
    /// the refusal's reason, in the vocabulary of the node's session (a KPN/1.0 node gets DUPLICATE_EVENT_ID).
    private func versionNacks(_ batch: HubBatch, _ result: HubCommitResult) -> [PendingNack] {
        var nacks: [PendingNack] = []
        for index in result.duplicateIDs {
            let event = batch.events[index]
            nacks.append(
                PendingNack(
                    nodeID: event.source,
                    sequence: event.sequence,
                    reason: .duplicateEventID,
                    detail: "event \(event.eventID.lowercasedText) version \(event.version) is already stored"
                )
            )
        }
        for refused in result.refused {
            let event = batch.events[refused.index]
            let version = sessions.version(of: event.source) ?? .first
            nacks.append(
                PendingNack(
                    nodeID: event.source,
                    sequence: event.sequence,
                    reason: .refusing(refused.refusal, in: version),
                    detail: refused.refusal.message
                )
            )
        }
        return nacks
    }

    /// Publishes gap changes on `gap.<REGION>.<RULE>`, in sequence order.
    func publishGapChanges(_ updates: [GapLifecycle.Update]) {
        for update in updates {
            let message = GapUpdate(update, epoch: gaps.epoch)
            do {
                try publisher.send([Array(message.gap.topic.utf8), JSONBody.encode(message)], dontWait: true)
                setup.metrics.published("gap")
            } catch {
                setup.metrics.published("gap", failed: true)
                logger.warning("publishing a gap change failed", metadata: ["error": "\(error)"])
            }
        }
    }

    func publish(_ event: HubEventRecord) {
        do {
            // PUB never blocks: a slow subscriber loses messages at its high-water mark, never the hub. The third
            // frame numbers the published events of this hub run (1, 2, 3, …), so a subscriber sees what it lost.
            publishedEvents += 1
            try publisher.send(
                [Array("event.\(event.region)".utf8), event.payload, WireFrame.bytes(publishedEvents)],
                dontWait: true
            )
            setup.metrics.published("event")
        } catch {
            setup.metrics.published("event", failed: true)
            logger.warning("publishing failed", metadata: ["error": "\(error)"])
        }
    }
}
