import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting

// Knutepunkt's benchmarks: `make bench` (release build). Each prints one JSON object per line on stdout:
// {"benchmark": NAME, "value": NUMBER, "unit": UNIT, ...details}. Nothing here gates a test.
//
//   swift run -c release KnutepunktBench [NAME…]     run all, or only those named

/// One measured figure, printed as a JSON line.
struct Figure {
    var benchmark: String
    var value: Double
    var unit: String
    var details: [String: Any] = [:]

    func print() {
        var object: [String: Any] = ["benchmark": benchmark, "value": (value * 100).rounded() / 100, "unit": unit]
        for (key, detail) in details { object[key] = detail }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        FileHandle.standardOutput.write(data + Data("\n".utf8))
        figures.append(data)
    }
}

/// Every figure printed in this run, for the results file.
let figures = FigureLog()

/// Seconds `body` took.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

/// Realistic events (the sample data set of one region), cycled to `count`.
func sampleActivities(_ count: Int) -> [ActivityEvent] {
    let sample = SampleActivities(
        taxonomy: InProcessDaemons.taxonomy,
        start: LocalDate.today().adding(days: -364),
        seed: 7
    )
    let one = sample.activities(region: "NO-SOROST")
    return (0..<count).map { one[$0 % one.count] }
}

/// The same as canonical payloads.
func sampleEvents(_ count: Int) -> [[UInt8]] {
    sampleActivities(count).map { $0.canonicalJSON() }
}

// MARK: - Benchmarks

/// Encodes EVENT messages and decodes them from fresh copies of their bytes, as a send and a receive do (libzmq
/// copies each frame into and out of its messages), so the figure includes touching every byte once each way.
func codec() {
    let payloads = Array(sampleEvents(256))
    let iterations = 2_000
    var bytes = 0
    let elapsed = seconds {
        for index in 0..<iterations {
            let frames = WireCodec.encode(.events(.init(firstSequence: UInt64(index * 256 + 1), payloads: payloads)))
            let received = frames.map { frame in frame.withUnsafeBufferPointer { [UInt8]($0) } }
            bytes += received.reduce(0) { $0 + $1.count }
            guard case .events(let batch)? = try? WireCodec.decode(received), batch.payloads.count == 256 else {
                fatalError("codec round trip failed")
            }
        }
    }
    Figure(
        benchmark: "wire.event_batch_roundtrip",
        value: Double(iterations * 256) / elapsed,
        unit: "events/s",
        details: ["batch": 256, "iterations": iterations, "bytes_per_s": Double(bytes) / elapsed]
    ).print()
}

func validation() {
    let events = sampleEvents(size("BENCH_VALIDATION_EVENTS", 50_000))
    let validator = EventValidator(taxonomy: InProcessDaemons.taxonomy)
    let defaults = EventDefaults(region: nil, node: nil, makeID: { UUID.timeOrdered() })
    let today = LocalDate.today()
    var valid = 0
    let elapsed = seconds {
        for event in events {
            guard let object = try? JSONValue.parse(event) else { continue }
            if case .success = validator.validate(object, defaults: defaults, today: today) { valid += 1 }
        }
    }
    precondition(valid == events.count, "sample events must be valid (\(valid) of \(events.count))")
    Figure(
        benchmark: "event.parse_and_validate",
        value: Double(events.count) / elapsed,
        unit: "events/s",
        details: ["events": events.count, "mean_us": elapsed / Double(events.count) * 1e6]
    ).print()
}

func outbox() throws {
    let folder = try TemporaryDirectory(prefix: "knutepunkt-bench")
    defer { folder.remove() }
    let store = try OutboxStore.open(path: folder.file("outbox.sqlite"))
    defer { try? store.close() }
    let payloads = sampleEvents(256)
    let commits = 200
    var latencies: [Double] = []
    for _ in 0..<commits {
        let entries = payloads.map { OutboxStore.Entry(id: UUID.timeOrdered(), payload: $0) }
        latencies.append(try seconds { _ = try store.append(entries) })
    }
    let total = latencies.reduce(0, +)
    latencies.sort()
    Figure(
        benchmark: "outbox.append_fsync",
        value: Double(commits * payloads.count) / total,
        unit: "events/s",
        details: [
            "batch": payloads.count, "commits": commits, "commit_p50_ms": percentile(latencies, 0.5) * 1000,
            "commit_p99_ms": percentile(latencies, 0.99) * 1000,
        ]
    ).print()
    var single: [Double] = []
    for payload in payloads.prefix(200) {
        single.append(
            try seconds { _ = try store.append([OutboxStore.Entry(id: UUID.timeOrdered(), payload: payload)]) }
        )
    }
    single.sort()
    // Nothing lost, nothing doubled: one sequence per appended event, every one waiting to be delivered.
    let appended = commits * payloads.count + single.count
    let summary = try store.summary()
    guard summary.lastSequence == UInt64(appended), summary.backlog == appended else {
        throw BenchFailure(
            "the outbox holds \(summary.backlog) events up to \(summary.lastSequence), expected \(appended)"
        )
    }
    Figure(
        benchmark: "outbox.append_one_fsync",
        value: percentile(single, 0.5) * 1000,
        unit: "ms (p50)",
        details: ["p99_ms": percentile(single, 0.99) * 1000, "commits": single.count]
    ).print()
}

/// The hub's group commit on each backend: SQLite (WAL, synchronous = FULL) and PostgreSQL (a local server started
/// by the test support, fsync and synchronous_commit on), 100 commits of 1,024 events with their counters.
func hubStore() async throws {
    for backend in HubStoreBackend.allCases {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        try groupCommit(store, backend: backend)
    }
}

func groupCommit(_ store: any HubStore, backend: HubStoreBackend) throws {
    let events = sampleActivities(1024)
    let payloads = events.map { $0.canonicalJSON() }
    let commits = 100
    var sequence: UInt64 = 0
    var latencies: [Double] = []
    for _ in 0..<commits {
        var batch = HubBatch()
        for (event, payload) in zip(events, payloads) {
            sequence += 1
            batch.events.append(
                HubEventRecord(
                    source: "NO-SOROST",
                    sequence: sequence,
                    eventID: UUID.timeOrdered(),
                    cell: ActivityCell(event),
                    count: ActivityCount(event),
                    payload: payload
                )
            )
        }
        batch.settled["NO-SOROST"] = sequence
        latencies.append(try seconds { _ = try store.commit(batch, receivedAt: Date()) })
    }
    // Nothing lost, nothing doubled: every event once, the source settled to the end, every event counted.
    let counts = try store.counts()
    guard counts.total == Int(sequence), counts.versions == Int(sequence),
        try store.settledProgress() == ["NO-SOROST": sequence],
        try store.activityCountCoverage() == (Int(sequence), Int(sequence))
    else {
        throw BenchFailure(
            "\(backend): stored \(counts.total) events in \(counts.versions) versions, expected \(sequence)"
        )
    }
    let total = latencies.reduce(0, +)
    latencies.sort()
    Figure(
        benchmark: backend == .sqlite ? "hub.group_commit_fsync" : "hub.group_commit_fsync.\(backend)",
        value: Double(sequence) / total,
        unit: "events/s",
        details: [
            "backend": backend.rawValue, "batch": payloads.count, "commits": commits,
            "commit_p50_ms": percentile(latencies, 0.5) * 1000, "commit_p99_ms": percentile(latencies, 0.99) * 1000,
        ]
    ).print()
}

/// A hub and two nodes in this process over loopback: events submitted through the control protocol until the hub
/// has stored (and fsync'd) all of them.
func endToEnd() async throws {
    for backend in HubStoreBackend.allCases { try await endToEnd(backend) }
}

func endToEnd(_ backend: HubStoreBackend) async throws {
    let folder = try TemporaryDirectory(prefix: "knutepunkt-bench")
    defer { folder.remove() }
    let perNode = 20_000
    let chunk = 500
    let nodes = [("NO-VEST", "NO-VEST-BERGEN"), ("NO-NORD", "NO-NORD-BODO")]
    var configuration = InProcessDaemons.hubConfiguration(folder: folder)
    configuration.storage = try await backend.makeStorage(in: folder)
    let storage = configuration.storage
    let elapsed = try await InProcessDaemons.withHub(configuration) { hub in
        try await withThrowingTaskGroup(of: Void.self) { group in
            let start = ContinuousClock.now
            for (id, local) in nodes {
                let configuration = NodeConfiguration(
                    id: id,
                    region: id,
                    hubEndpoint: hub.listen,
                    controlEndpoint: "tcp://127.0.0.1:*",
                    outboxPath: folder.file("\(id)/outbox.sqlite"),
                    taxonomyPath: Repository.taxonomyPath
                )
                group.addTask {
                    try await InProcessDaemons.withNode(configuration) { node in
                        for first in stride(from: 0, to: perNode, by: chunk) {
                            let events = (first..<(first + chunk)).map {
                                EventFixtures.eventBytes(source: id, index: $0, region: id, node: local)
                            }
                            _ = try await ControlClient.withConnection(to: node.control) { try $0.submit(events) }
                        }
                        _ = try await ControlClient.withConnection(to: node.control) {
                            try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 300_000))
                        }
                    }
                }
            }
            try await group.waitForAll()
            return ContinuousClock.now - start
        }
    }
    let secondsTaken = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let store = try storage.open()
    let counts = try store.counts()
    let stored = counts.total
    try store.close()
    guard stored == perNode * nodes.count, counts.versions == stored,
        counts.bySource == Dictionary(uniqueKeysWithValues: nodes.map { ($0.0, perNode) })
    else {
        throw BenchFailure(
            "the hub holds \(stored) events in \(counts.versions) versions, expected \(perNode * nodes.count)"
        )
    }
    Figure(
        benchmark: backend == .sqlite
            ? "end_to_end.submit_to_hub_commit" : "end_to_end.submit_to_hub_commit.\(backend)",
        value: Double(stored) / secondsTaken,
        unit: "events/s",
        details: [
            "backend": backend.rawValue, "events": stored, "nodes": nodes.count, "submit_batch": chunk,
            "seconds": secondsTaken,
        ]
    ).print()
}

/// Gap evaluation: folding events into the facts the rules read (incremental, per event), and evaluating every
/// rule over the facts (independent of how many events there are).
func gaps() {
    let taxonomy = InProcessDaemons.taxonomy.network(ofCountry: "NO")
    let today = LocalDate.today()
    let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 2026)
    let events = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"].flatMap { sample.activities(region: $0) }
    for total in [events.count, 1_000_000] {
        var builder = GapFacts.Builder(asOf: today, taxonomy: taxonomy)
        let fold = seconds {
            for index in 0..<total { builder.add(events[index % events.count]) }
        }
        var findings = 0
        let rounds = 20
        let evaluate = seconds {
            for _ in 0..<rounds {
                findings = GapEvaluator.evaluate(builder.facts, taxonomy: taxonomy).findings.count
            }
        }
        Figure(
            benchmark: "gaps.evaluate",
            value: evaluate / Double(rounds) * 1000,
            unit: "ms per evaluation",
            details: [
                "events": total, "findings": findings, "fold_seconds": fold,
                "fold_events_per_s": Double(total) / fold,
            ]
        ).print()
    }
}

/// The hub's activity counters at scale: `BENCH_EVENTS` (default 1,000,000) sample events, each year of them from
/// another seed, committed as the hub commits them (batches of 4,096, counters in the same transaction); then the
/// start-up fold of the counters into gap facts, one evaluation, and a full `rebuild-aggregates`.
func counters() throws {
    let total = Int(ProcessInfo.processInfo.environment["BENCH_EVENTS"] ?? "") ?? 1_000_000
    let taxonomy = InProcessDaemons.taxonomy
    let today = LocalDate.today()
    let folder = try TemporaryDirectory(prefix: "knutepunkt-bench")
    defer { folder.remove() }
    // BENCH_COUNTERS_STORE keeps the filled store at that path, and a later run on a store that already holds the
    // N events skips the fill (filling 10^7 takes far longer than what is measured on it).
    let kept = ProcessInfo.processInfo.environment["BENCH_COUNTERS_STORE"]
    let store = try SQLiteHubStore.open(path: kept ?? folder.file("hub.sqlite"))
    defer { try? store.close() }
    var stored = kept == nil ? 0 : try store.activityCountCoverage().stored
    guard stored == 0 || stored == total else {
        throw BenchFailure("\(kept ?? "") holds \(stored) events, not \(total): give BENCH_EVENTS=\(stored)")
    }
    var seed: UInt64 = 1
    var commitSeconds = 0.0
    var sequence: [String: UInt64] = [:]
    var generator = SampleRandom(seed: 8)
    let filled = Date()
    var made = 0
    while stored < total {
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: seed)
        seed += 1
        var events: [ActivityEvent] = []
        for region in ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"] { events += sample.activities(region: region) }
        events = Array(events.prefix(total - stored))
        for chunk in stride(from: 0, to: events.count, by: 4096) {
            var batch = HubBatch()
            for var event in events[chunk..<min(chunk + 4096, events.count)] {
                // Ids as nodes make them: time-ordered, here 1 ms apart.
                event.id = UUID.timeOrdered(at: filled.addingTimeInterval(Double(made) / 1000), using: &generator)
                made += 1
                sequence[event.region, default: 0] += 1
                batch.events.append(
                    HubEventRecord(
                        source: event.region,
                        sequence: sequence[event.region]!,
                        event: event,
                        payload: event.canonicalJSON()
                    )
                )
            }
            batch.settled = sequence
            commitSeconds += try seconds { _ = try store.commit(batch, receivedAt: Date()) }
        }
        stored += events.count
    }
    let coverage = try store.activityCountCoverage()
    guard coverage.counted == total, coverage.stored == total else {
        throw BenchFailure("lost or duplicated: counted \(coverage.counted), stored \(coverage.stored), sent \(total)")
    }
    let (network, cells, fold, evaluate, findings) = try foldAndEvaluate(store)
    var days = ActivityDays()
    // What a hub without a checkpoint does once: the counters read and rolled up per day.
    let rollUp = try seconds { try store.forEachActivityCount { days.add($0, $1) } }
    var fromDays = NetworkGapFacts(taxonomy: taxonomy, asOf: today, windowMonths: 12)
    let foldDays = seconds { fromDays.add(days) }
    guard fromDays.countries.map(\.facts) == network.countries.map(\.facts) else {
        throw BenchFailure("the facts folded from the days differ from those folded from the counters")
    }
    var encoded: [UInt8] = []
    let encode = seconds { encoded = days.encoded() }
    var decoded: ActivityDays?
    let decode = seconds { decoded = ActivityDays(encoded: encoded) }
    guard decoded == days else { throw BenchFailure("the days do not read back") }
    // A rebuild over the counters the commits kept (what `hub rebuild-aggregates` meets), then one into an empty
    // table (a store from before the counters): every cell written.
    var rebuilds: [Double] = []
    for emptied in [false, true] {
        if emptied { try SQLiteTestAccess.execute("DELETE FROM activity_counts", in: store.path) }
        var rebuilt = ActivityCountRebuild(stored: 0, counted: 0, cells: 0)
        rebuilds.append(
            try seconds {
                rebuilt = try store.rebuildActivityCounts(validator: EventValidator(taxonomy: taxonomy), today: today)
            }
        )
        guard rebuilt.stored == total, rebuilt.counted == total, rebuilt.cells == cells,
            try store.activityCountCoverage() == (total, total)
        else {
            throw BenchFailure(
                "the rebuild counted \(rebuilt.counted) of \(rebuilt.stored) events in \(rebuilt.cells) cells, "
                    + "expected \(total) in \(cells)"
            )
        }
    }
    Figure(
        benchmark: "gaps.counters",
        value: fold * 1000,
        unit: "ms to fold the counters into gap facts (hub start, daily)",
        details: [
            "events": total, "cells": cells, "events_per_cell": Double(total) / Double(cells),
            // 0 when the fill was skipped (a kept store).
            "commit_events_per_s": commitSeconds > 0 ? Double(total) / commitSeconds : 0,
            "evaluate_ms": evaluate * 1000,
            "findings": findings, "rebuild_seconds": rebuilds[0], "rebuild_into_empty_seconds": rebuilds[1],
            "samples_per_seed_days": 365, "day_figures": days.figures.count, "roll_up_seconds": rollUp,
            "fold_days_ms": foldDays * 1000, "checkpoint_bytes": encoded.count, "encode_ms": encode * 1000,
            "decode_ms": decode * 1000,
        ]
    ).print()
}

// MARK: - Main

/// Sizes: parameters from the environment, small enough by default for a run of a few minutes.
func size(_ name: String, _ standard: Int) -> Int {
    Int(ProcessInfo.processInfo.environment[name] ?? "") ?? standard
}

let all: [(String, () async throws -> Void)] = [
    ("codec", { codec() }), ("validation", { validation() }),
    (
        "parsers",
        {
            jsonParsers()
            try csvReaders()
        }
    ), ("outbox", { try outbox() }),
    ("hubstore", { try await hubStore() }),
    ("transport", { _ = try rawPushPull(count: size("BENCH_RAW_MESSAGES", 1_000_000)) }),
    (
        "ingest",
        {
            let perNode = size("BENCH_INGEST_EVENTS", 200_000)
            try await ingest(nodes: 1, curve: false, perNode: perNode, label: "ingest.durable_1_node")
            try await ingest(nodes: 4, curve: false, perNode: perNode / 4, label: "ingest.durable_4_nodes")
            try await ingest(nodes: 4, curve: true, perNode: perNode / 4, label: "ingest.durable_4_nodes_curve")
            try await roundTrip(count: size("BENCH_ROUND_TRIPS", 2_000))
        }
    ),
    ("catchup", { try await catchUp(count: size("BENCH_CATCHUP_EVENTS", 200_000)) }),
    ("e2e", { try await endToEnd() }), ("gaps", { gaps() }),
    ("counters", { try counters() }),
    ("daemons", { try await daemons(storedEvents: size("BENCH_RSS_EVENTS", 200_000)) }),
    ("scale", { try await scale() }),
    ("status", { try await status() }),
]
let wanted = Set(CommandLine.arguments.dropFirst())
let unknown = wanted.subtracting(all.map(\.0))
guard unknown.isEmpty else {
    FileHandle.standardError.write(Data("unknown benchmarks \(unknown.sorted()); choose from \(all.map(\.0))\n".utf8))
    exit(2)
}
for (name, run) in all where wanted.isEmpty || wanted.contains(name) {
    do {
        try await run()
    } catch {
        // A run that loses or duplicates an event is a failure, not a result.
        FileHandle.standardError.write(Data("benchmark \(name) FAILED: \(error)\n".utf8))
        exit(1)
    }
}
try figures.write(folder: "Benchmarks/results")
