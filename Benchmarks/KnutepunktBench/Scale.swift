import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting

/// How cost grows with the store (docs/performance.md, "How cost grows"): for each size N of `BENCH_SCALE_SIZES`
/// (default `100000,1000000`), a store of N sample events written as the hub writes them, then
///
/// - the real hub executable started on it twice: the first start folds every counter cell and writes the
///   checkpoint, the restart reads the checkpoint (exec to ready, and to past the first gap evaluation; peak RSS);
/// - one gap evaluation over the facts folded from its counters (the rules alone, as the hub runs them);
/// - durable ingest of `BENCH_SCALE_INGEST_EVENTS` (default 100,000) events from 4 synthetic nodes into a copy of
///   the store (rate and the hub's CPU per event).
///
/// Run it under `taskset -c 0` for the one-core figures: every figure records the cores it had.
func scale() async throws {
    let sizes = (ProcessInfo.processInfo.environment["BENCH_SCALE_SIZES"] ?? "100000,1000000")
        .split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let ingestEvents = size("BENCH_SCALE_INGEST_EVENTS", 100_000)
    let executable = try knutepunktExecutable()
    for stored in sizes {
        let network = try LoopbackNetwork()
        defer { network.folder.remove() }
        try network.writeHubConfig()
        let fill = try seconds { try fillHubStore(path: network.hubStorePath, count: stored, source: archiveSource) }
        let first = try await startHub(network: network, executable: executable, stored: stored, name: "hub-first")
        let again = try await startHub(network: network, executable: executable, stored: stored, name: "hub-again")
        try verifyStoredOnce(storePath: network.hubStorePath, expected: stored, source: archiveSource)
        let store = try SQLiteHubStore.open(path: network.hubStorePath)
        let evaluation = try foldAndEvaluate(store)
        try store.close()
        let ingested = try await ingest(
            nodes: 4,
            curve: false,
            perNode: ingestEvents / 4,
            storedBefore: stored,
            storeTemplate: network.hubStorePath,
            label: "scale.ingest_4_nodes"
        )
        Figure(
            benchmark: "scale.stored_events",
            value: Double(stored),
            unit: "events in the store (the figures in details are against it)",
            details: [
                "stored_events": stored, "cores": usableCores(),
                "fill_seconds": fill,
                "ingest_events_per_s": ingested.eventsPerSecond,
                "hub_cpu_us_per_event": ingested.hubCPUMicroseconds, "ingest_events": ingestEvents / 4 * 4,
                "first_start_ready_s": first.ready, "first_start_evaluated_s": first.evaluated,
                "restart_ready_s": again.ready, "restart_evaluated_s": again.evaluated,
                "peak_rss_mib": Double(first.peakKilobytes) / 1024,
                "restart_peak_rss_mib": Double(again.peakKilobytes) / 1024,
                "fold_counters_s": evaluation.foldSeconds, "gap_evaluation_ms": evaluation.evaluateSeconds * 1000,
                "counter_cells": evaluation.cells, "findings": evaluation.findings,
            ]
        ).print()
    }
}

/// The stored counters folded into gap facts (what the hub does at a start without checkpoint and daily), and one
/// evaluation of the gap rules over them.
func foldAndEvaluate(
    _ store: SQLiteHubStore
) throws -> (network: NetworkGapFacts, cells: Int, foldSeconds: Double, evaluateSeconds: Double, findings: Int) {
    var cells = 0
    var network = NetworkGapFacts(taxonomy: InProcessDaemons.taxonomy, asOf: LocalDate.today(), windowMonths: 12)
    let fold = try seconds {
        try store.forEachActivityCount { cell, count in
            cells += 1
            network.add(cell, count)
        }
    }
    var findings = 0
    let evaluate = seconds { findings = network.evaluate(thresholds: .standard).findings.count }
    return (network, cells, fold, evaluate, findings)
}

/// The cores this process may run on (its affinity, "Cpus_allowed" in /proc/self/status: 1 under `taskset -c 0`),
/// which `activeProcessorCount` does not tell.
func usableCores() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed:") {
        let mask = line.dropFirst("Cpus_allowed:".count).filter(\.isHexDigit)
        return mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
    }
    return ProcessInfo.processInfo.activeProcessorCount
}
