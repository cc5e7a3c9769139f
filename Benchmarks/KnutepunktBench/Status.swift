import Foundation
import KnutepunktClient
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting

/// STATUS on a large store (docs/performance.md): a store of `BENCH_STATUS_EVENTS` sample events (default 200,000;
/// docs/performance.md gives the figure at 1,000,000) written as the hub writes them, then
///
/// - the counts a STATUS answer holds, read in this process: `counts()` (the summary the commits keep, what STATUS
///   reads) and `countsByScan()` (the scans of the events table STATUS ran before the summary), the first call after
///   opening the store and the median of 5 more;
/// - the real hub started on it (once to write its checkpoint, then again): from ready to the first STATUS answered,
///   and the median of `BENCH_STATUS_ROUND_TRIPS` (default 20) STATUS round trips after that.
func status() async throws {
    let stored = size("BENCH_STATUS_EVENTS", 200_000)
    let roundTrips = size("BENCH_STATUS_ROUND_TRIPS", 20)
    let executable = try knutepunktExecutable()
    let network = try LoopbackNetwork()
    defer { network.folder.remove() }
    try network.writeHubConfig()
    let fill = try seconds { try fillHubStore(path: network.hubStorePath, count: stored) }

    /// The first call's seconds and the median of five more.
    func timed(_ body: () throws -> HubCounts) throws -> (first: Double, median: Double, counts: HubCounts) {
        var counts: HubCounts?
        let first = try seconds { counts = try body() }
        let more = try (0..<5).map { _ in try seconds { _ = try body() } }.sorted()
        return (first, more[2], counts!)
    }
    var store = try SQLiteHubStore.open(path: network.hubStorePath)
    let summary = try timed { try store.counts() }
    try store.close()
    store = try SQLiteHubStore.open(path: network.hubStorePath)
    let scan = try timed { try store.countsByScan() }
    try store.close()
    guard summary.counts == scan.counts, summary.counts.total == stored else {
        throw BenchFailure("the summary's counts \(summary.counts) differ from the scan's \(scan.counts)")
    }

    // The first start folds every counter cell and writes the checkpoint; the restart is the one measured.
    _ = try await startHub(network: network, executable: executable, stored: stored, name: "hub-first")
    let began = ContinuousClock.now
    let process = try DaemonProcess(
        name: "hub-status",
        executable: executable,
        arguments: ["hub", "--config", network.hubConfigPath],
        logFile: network.folder.file("hub-status.log")
    )
    let endpoints = try await process.ready()
    let ready = (ContinuousClock.now - began).seconds
    let (firstAnswer, answers) = try await ControlClient.withConnection(
        to: endpoints["control"] ?? "",
        timeout: .seconds(600),
        curve: try network.hubViewerCurve
    ) { client in
        let first = try seconds { _ = try client.status() }
        let answers = try (0..<roundTrips).map { _ in try seconds { _ = try client.status() } }.sorted()
        return (first, answers)
    }
    guard await process.stop() == 0 else { throw BenchFailure("the hub did not stop cleanly") }
    var details: [String: Any] = ["stored_events": stored, "fill_seconds": fill, "restart_ready_s": ready]
    details["first_status_after_ready_ms"] = firstAnswer * 1000
    details["max_status_ms"] = (answers.last ?? 0) * 1000
    details["counts_summary_first_ms"] = summary.first * 1000
    details["counts_summary_median_ms"] = summary.median * 1000
    details["counts_scan_first_ms"] = scan.first * 1000
    details["counts_scan_median_ms"] = scan.median * 1000
    let median: Double = percentile(answers, 0.5) * 1000
    let unit = "ms per STATUS round trip (median of \(roundTrips)), hub restarted on a store of \(stored) events"
    Figure(benchmark: "hub.status", value: median, unit: unit, details: details).print()
}
