import KnutepunktStore

/// What the operator is told while the store refuses commits (its disk is full, or it fails with an I/O error):
/// nothing is acknowledged meanwhile, the nodes keep every event and send it again, and the hub goes on by itself
/// once a commit succeeds. Logs (one line at the first failure, then at most one per interval, and one when it
/// recovers), metrics (`knutepunkt_hub_commit_failures_total`, `knutepunkt_hub_store_writable`) and `/readyz`
/// (not ready, with the reason under `store`).
extension HubReactor {
    /// A commit of `events` events failed with `error`.
    func commitFailed(_ error: any Error, events: Int) {
        let diskFull = (error as? StoreError)?.code == .diskFull
        let reason = diskFull ? "disk_full" : "io_error"
        setup.metrics.commitFailed(reason: reason)
        let text =
            diskFull
            ? "the store's disk is full: nothing is acknowledged until space is freed; the nodes keep every event"
            : "the store cannot commit (\(error)): nothing is acknowledged until it can; the nodes keep every event"
        if storeFailingSince == nil {
            storeFailingSince = clock.now
            setup.metrics.health.setProblem("store", text)
            logger.error(
                "the store refuses commits; not acknowledging until it recovers",
                metadata: ["reason": "\(reason)", "events": "\(events)", "error": "\(error)"]
            )
            return
        }
        guard let suppressed = logThrottle.admit("commit failed", now: clock.now) else { return }
        logger.error(
            "the store still refuses commits",
            metadata: [
                "reason": "\(reason)", "events": "\(events)", "error": "\(error)",
                "failing.seconds": "\(Double((clock.now - storeFailingSince!).milliseconds) / 1000)",
                "suppressed.since.last": "\(suppressed)",
            ]
        )
    }

    /// A commit succeeded: if the store had been failing, say that it recovered.
    func commitSucceeded() {
        guard let since = storeFailingSince else { return }
        storeFailingSince = nil
        setup.metrics.storeWritable()
        setup.metrics.health.setProblem("store", nil)
        logger.notice(
            "the store commits again; acknowledging",
            metadata: ["failed.seconds": "\(Double((clock.now - since).milliseconds) / 1000)"]
        )
    }
}
