import Foundation
import Histogram
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Synchronization

// Durable exactly-once ingest into a real hub (in this process: its own thread, sockets and SQLite store in WAL mode
// with synchronous=FULL, ACK after the fsync'd group commit), fed by synthetic nodes: DEALER sockets on their own
// threads that speak KPN/1 as a node daemon does (HELLO, EVENT batches in a bounded window of unacknowledged
// events, cumulative ACKs), without a node's own outbox. The node's side is measured apart (outbox, catch-up).

/// What one synthetic node sends: valid events of its region with ids of their own (sample activities with new
/// time-ordered ids, 1 ms apart, as a node gives them), as canonical JSON, as a node sends them.
///
/// The sample is a region's year (45 to 430 events), sent again and again, so a batch holds each counter cell several
/// times. With `BENCH_INGEST_CELLS=distinct` each pass through the sample is dated one day further back, so nearly
/// every event has a cell of its own: the hub's costs that go by cells (the counters, the gap facts) are then paid
/// once per event, as by traffic whose events share nothing.
func ingestPayloads(region: String, count: Int, salt: UInt64) -> [[UInt8]] {
    let taxonomy = InProcessDaemons.taxonomy
    let today = LocalDate.today()
    let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 7 &+ salt)
        .activities(region: region)
    var generator = SampleRandom(seed: salt)
    let start = Date()
    let distinct = ingestCells == "distinct"
    return (0..<count).map { index in
        var event = sample[index % sample.count]
        event.id = UUID.timeOrdered(at: start.addingTimeInterval(Double(index) / 1000), using: &generator)
        if distinct { event.date = event.date.adding(days: -(index / sample.count)) }
        return event.canonicalJSON()
    }
}

/// `BENCH_INGEST_CELLS`: `sample` (the default: the sample's cells, repeated each pass) or `distinct`.
let ingestCells = ProcessInfo.processInfo.environment["BENCH_INGEST_CELLS"] ?? "sample"

/// What one synthetic node saw.
struct SyntheticNodeResult: Sendable {
    var acknowledged: UInt64
    var nacked: Int
    /// Time from sending an EVENT batch to the ACK that covers its last event, per event, in microseconds.
    var latency: Histogram<UInt64>
    var error: String?
    /// CPU seconds the node's own thread used from the common start to its last ACK (encoding, sending, receiving).
    var cpuSeconds: Double = 0
}

/// `getrusage`'s `who` on Linux: the process (RUSAGE_SELF) or the calling thread (RUSAGE_THREAD, which Glibc's module
/// does not export without _GNU_SOURCE).
let rusageSelf: Int32 = 0
let rusageThread: Int32 = 1

/// CPU seconds (user and system) the calling thread has used.
func threadCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(rusageThread, &usage) == 0 else { return 0 }
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds (user and system) the whole process has used.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(rusageSelf, &usage) == 0 else { return 0 }
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Sends `payloads` as node `nodeID` to `endpoint`, `batch` events per EVENT message with at most `window` events
/// unacknowledged, until the hub has acknowledged the last one. Runs on the calling thread (its own).
func runSyntheticNode(
    nodeID: String,
    endpoint: String,
    curve: ZMQCurveClient?,
    payloads: [[UInt8]],
    batch: Int,
    window: Int,
    greeted: ReadySignal<Void>? = nil,
    start: Gate? = nil
) -> SyntheticNodeResult {
    var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    var result = SyntheticNodeResult(acknowledged: 0, nacked: 0, latency: latency)
    do {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.makeSocket(.dealer)
        defer { socket.close() }
        try socket.setOption(.maxMessageSize, Int64(64 << 20))
        if let curve { try socket.configureCurveClient(curve) }
        try socket.connect(endpoint)
        var poller = ZMQPoller()
        _ = poller.add(socket)

        func receive(timeout: Duration) throws -> WireMessage? {
            guard try poller.poll(timeout: timeout).first?.contains(.readable) == true,
                let message = try socket.receive(dontWait: true)
            else { return nil }
            return try WireCodec.decode(message.frames)
        }

        _ = try socket.send(WireCodec.encode(.hello(.init(nodeID: nodeID, software: "knutepunkt-bench"))))
        var settled: UInt64 = 0
        greeting: for _ in 0..<100 {
            switch try receive(timeout: .seconds(10)) {
            case .welcome(let welcome)?:
                settled = welcome.settledThrough
                break greeting
            case .heartbeat?: continue
            case let other?: throw BenchFailure("\(nodeID): expected WELCOME, got \(other)")
            case nil: throw BenchFailure("\(nodeID): no WELCOME within 10 s")
            }
        }
        greeted?.fulfil(())
        start?.wait()
        let cpuAtStart = threadCPUSeconds()
        defer { result.cpuSeconds = threadCPUSeconds() - cpuAtStart }

        let total = UInt64(payloads.count)
        var next = settled + 1
        var sentAt: [(last: UInt64, count: Int, at: ContinuousClock.Instant)] = []
        var sentIndex = 0
        let deadline = ContinuousClock.now + .seconds(600)
        while settled < total {
            guard ContinuousClock.now < deadline else { throw BenchFailure("\(nodeID): not settled after 600 s") }
            while next <= total, next - settled - 1 < UInt64(window) {
                let room = min(UInt64(batch), total - next + 1, UInt64(window) - (next - settled - 1))
                let first = Int(next - 1)
                let slice = Array(payloads[first..<(first + Int(room))])
                _ = try socket.send(WireCodec.encode(.events(.init(firstSequence: next, payloads: slice))))
                sentAt.append((next + room - 1, Int(room), .now))
                next += room
            }
            // Everything the hub says now, without waiting once something came.
            var timeout: Duration = .seconds(10)
            while let message = try receive(timeout: timeout) {
                timeout = .zero
                switch message {
                case .ack(let through):
                    let now = ContinuousClock.now
                    while sentIndex < sentAt.count, sentAt[sentIndex].last <= through {
                        let elapsed = now - sentAt[sentIndex].at
                        let micros = UInt64(max(1, elapsed / .microseconds(1)))
                        _ = latency.record(micros, count: UInt64(sentAt[sentIndex].count))
                        sentIndex += 1
                    }
                    settled = max(settled, through)
                case .nack: result.nacked += 1
                case .heartbeat, .welcome: break
                case .resend(let from): next = max(settled + 1, min(next, from))
                case let other: throw BenchFailure("\(nodeID): unexpected \(other)")
                }
            }
            if timeout != .zero { throw BenchFailure("\(nodeID): the hub said nothing for 10 s") }
        }
        result.acknowledged = settled
    } catch {
        result.error = "\(error)"
    }
    greeted?.fulfil(())  // also when it failed before, so nobody waits for it forever
    result.latency = latency
    return result
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A one-way gate between threads: `wait()` blocks until `open()` was called once for it.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func open(times: Int = 1) { for _ in 0..<times { semaphore.signal() } }
    func wait() { semaphore.wait() }
}

/// The regions (and node ids) of the synthetic nodes: the four Norwegian regions.
let ingestRegions = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"]

/// (a), (b): `nodes` synthetic nodes → hub, every event stored once and acknowledged after its commit.
///
/// With `storedBefore` above 0 the hub starts on a store that already holds that many sample events (from a source
/// of their own, ``archiveSource``), so that the rate and the CPU per event are those against a filled store; with
/// `storeTemplate`, the store is a copy of that one (which holds `storedBefore` events from ``archiveSource``).
@discardableResult
func ingest(
    nodes: Int,
    curve: Bool,
    perNode: Int,
    batch: Int = 256,
    window: Int = size("BENCH_NODE_WINDOW", UplinkStateMachine.Configuration().window),
    storedBefore: Int = 0,
    storeTemplate: String? = nil,
    label: String
) async throws -> (eventsPerSecond: Double, hubCPUMicroseconds: Double) {
    let network = try LoopbackNetwork(nodes: ingestRegions.prefix(nodes).map { ($0, $0, "\($0)-X") })
    defer { network.folder.remove() }
    try network.writeHubConfig()
    if let storeTemplate {
        // A copy of a store filled before (faster than filling it again at 10^7 events).
        try FileManager.default.createDirectory(
            atPath: (network.hubStorePath as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: storeTemplate + suffix) {
            try FileManager.default.copyItem(atPath: storeTemplate + suffix, toPath: network.hubStorePath + suffix)
        }
    } else if storedBefore > 0 {
        try fillHubStore(path: network.hubStorePath, count: storedBefore, source: archiveSource)
    }
    guard case (.hub(var configuration), _) = try DaemonConfiguration.load(path: network.hubConfigPath) else {
        throw BenchFailure("not a hub configuration")
    }
    if !curve { configuration.curve = nil }
    configuration.maxBatch = size("BENCH_HUB_MAX_BATCH", configuration.maxBatch)
    var clients: [String: ZMQCurveClient] = [:]
    if curve {
        let hubKey =
            try String(contentsOfFile: network.keyPath("hub", secret: false), encoding: .utf8)
            .split(separator: "\n").last.map(String.init) ?? ""
        for region in ingestRegions.prefix(nodes) {
            guard case .success(let secret) = CurveKeyFile.read(network.keyPath(region, secret: true)) else {
                throw BenchFailure("cannot read the key of \(region)")
            }
            clients[region] = ZMQCurveClient(
                serverKey: hubKey,
                keys: ZMQCurveKeyPair(publicKey: try ZMQCurveKeyPair.publicKey(fromSecret: secret), secretKey: secret)
            )
        }
    }
    let nodeClients = clients
    let payloads = ingestRegions.prefix(nodes).enumerated().map { index, region in
        ingestPayloads(region: region, count: perNode, salt: UInt64(index + 1) * 1_000_003)
    }
    let bytes = payloads.joined().reduce(0) { $0 + $1.count }
    let configured = configuration
    nonisolated(unsafe) var cpuAtStart = 0.0
    nonisolated(unsafe) var cpuAtEnd = 0.0
    let (elapsed, results) = try await InProcessDaemons.withHub(configured) { endpoints in
        // Each node greets, then waits for the common start, so the clock measures only the stream.
        let greeted = (0..<nodes).map { _ in ReadySignal<Void>() }
        let start = Gate()
        let signals = (0..<nodes).map { _ in ReadySignal<SyntheticNodeResult>() }
        for (index, region) in ingestRegions.prefix(nodes).enumerated() {
            let nodePayloads = payloads[index]
            let client = nodeClients[region]
            Thread.detachNewThread {
                signals[index].fulfil(
                    runSyntheticNode(
                        nodeID: region,
                        endpoint: endpoints.listen,
                        curve: client,
                        payloads: nodePayloads,
                        batch: batch,
                        window: window,
                        greeted: greeted[index],
                        start: start
                    )
                )
            }
        }
        for signal in greeted { try await signal.value() }
        let began = ContinuousClock.now
        cpuAtStart = processCPUSeconds()
        start.open(times: nodes)
        var results: [SyntheticNodeResult] = []
        for signal in signals { results.append(try await signal.value()) }
        cpuAtEnd = processCPUSeconds()
        return (ContinuousClock.now - began, results)
    }
    for result in results where result.error != nil { throw BenchFailure(result.error ?? "") }
    let total = nodes * perNode
    try verifyExactlyOnce(
        storePath: network.hubStorePath,
        expected: total + storedBefore,
        sources: Array(ingestRegions.prefix(nodes)) + (storedBefore > 0 ? [archiveSource] : [])
    )
    var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    for result in results { latency.add(result.latency) }
    let secondsTaken = elapsed.seconds
    let hubCPU = (cpuAtEnd - cpuAtStart - results.reduce(0) { $0 + $1.cpuSeconds }) / Double(total) * 1e6
    Figure(
        benchmark: label,
        value: Double(total) / secondsTaken,
        unit: "events/s",
        details: [
            "nodes": nodes, "events": total, "seconds": secondsTaken, "curve": curve, "batch": batch,
            "window": window, "hub_max_batch": configured.maxBatch, "payload_bytes_mean": Double(bytes) / Double(total),
            "cells": ingestCells,
            "ack_latency_ms_p50": Double(latency.valueAtPercentile(50)) / 1000,
            "ack_latency_ms_p99": Double(latency.valueAtPercentile(99)) / 1000,
            "ack_latency_ms_p999": Double(latency.valueAtPercentile(99.9)) / 1000,
            "nacked": results.reduce(0) { $0 + $1.nacked }, "lost": 0, "duplicated": 0,
            // The hub's CPU per event: the process's CPU over the stream minus the synthetic nodes' own threads. It
            // includes the libzmq I/O threads of both sides and the runtime's, so it is an upper bound.
            "hub_cpu_us_per_event": hubCPU, "stored_before": storedBefore,
            "cores": usableCores(),
            "nodes_cpu_us_per_event": results.reduce(0) { $0 + $1.cpuSeconds } / Double(total) * 1e6,
            "durability": "SQLite WAL, synchronous=FULL, ACK after the fsync'd group commit",
        ]
    ).print()
    return (Double(total) / secondsTaken, hubCPU)
}

/// The source of the events a store is filled with before a benchmark (none of the synthetic nodes).
let archiveSource = "ARCHIVE"

/// Synchronous round trip: one event, wait for its ACK, the next; the latency of one durable commit through the hub.
func roundTrip(count: Int) async throws {
    let folder = try TemporaryDirectory(prefix: "knutepunkt-bench")
    defer { folder.remove() }
    let configuration = InProcessDaemons.hubConfiguration(folder: folder, nodes: [("NO-VEST", "NO-VEST")])
    let payloads = ingestPayloads(region: "NO-VEST", count: count, salt: 99)
    let result = try await InProcessDaemons.withHub(configuration) { endpoints in
        let signal = ReadySignal<SyntheticNodeResult>()
        Thread.detachNewThread {
            signal.fulfil(
                runSyntheticNode(
                    nodeID: "NO-VEST",
                    endpoint: endpoints.listen,
                    curve: nil,
                    payloads: payloads,
                    batch: 1,
                    window: 1,
                    start: nil
                )
            )
        }
        return try await signal.value()
    }
    if let error = result.error { throw BenchFailure(error) }
    try verifyExactlyOnce(storePath: folder.file("hub.sqlite"), expected: count, sources: ["NO-VEST"])
    Figure(
        benchmark: "ingest.round_trip",
        value: Double(result.latency.valueAtPercentile(99)) / 1000,
        unit: "ms (p99, one event per commit, send to ACK)",
        details: [
            "events": count, "p50_ms": Double(result.latency.valueAtPercentile(50)) / 1000,
            "p999_ms": Double(result.latency.valueAtPercentile(99.9)) / 1000,
            "max_ms": Double(result.latency.max) / 1000,
        ]
    ).print()
}

/// (c) The transport's ceiling: raw libzmq PUSH → PULL over TCP loopback with the same payloads, no durability,
/// no acknowledgement.
func rawPushPull(count: Int) throws -> Double {
    let payloads = ingestPayloads(region: "NO-VEST", count: min(count, 50_000), salt: 5)
    let context = try ZMQContext()
    defer { context.terminate() }
    // The PULL socket lives on the receiving thread, which owns it from creation to close.
    let bound = Gate()
    let finished = Gate()
    let endpoint = Mutex("")
    let received = LockedCount()
    Thread.detachNewThread {
        var got = 0
        if let pull = try? context.makeSocket(.pull) {
            if (try? pull.bind("tcp://127.0.0.1:*")) != nil, let address = try? pull.lastEndpoint {
                endpoint.withLock { $0 = address }
                bound.open()
                while got < count, (try? pull.receive()) != nil { got += 1 }
            }
            pull.close()
        }
        bound.open()
        received.set(got)
        finished.open()
    }
    bound.wait()
    let address = endpoint.withLock { $0 }
    guard !address.isEmpty else { throw BenchFailure("the PULL socket did not bind") }
    let push = try context.makeSocket(.push)
    defer { push.close() }
    try push.connect(address)
    let elapsed = try seconds {
        for index in 0..<count { _ = try push.send([payloads[index % payloads.count]]) }
        finished.wait()
        guard received.get() == count else { throw BenchFailure("PUSH/PULL received \(received.get()) of \(count)") }
    }
    let rate = Double(count) / elapsed
    Figure(
        benchmark: "transport.push_pull",
        value: rate,
        unit: "messages/s",
        details: [
            "messages": count,
            "payload_bytes_mean": Double(payloads.reduce(0) { $0 + $1.count }) / Double(payloads.count),
        ]
    ).print()
    return rate
}

/// A run that loses or duplicates an event is a failure, not a result.
func verifyExactlyOnce(storePath: String, expected: Int, sources: [String]) throws {
    let store = try SQLiteHubStore.open(path: storePath)
    defer { try? store.close() }
    let keys = try store.storedKeys()
    var ids = Set<UUID>()
    var perSource: [String: UInt64] = [:]
    for key in keys {
        guard ids.insert(key.eventID).inserted else { throw BenchFailure("event \(key.eventID) stored twice") }
        let previous = perSource[key.source, default: 0]
        guard key.sequence == previous + 1 else {
            throw BenchFailure("\(key.source): sequence \(key.sequence) after \(previous) (lost or out of order)")
        }
        perSource[key.source] = key.sequence
    }
    guard keys.count == expected else { throw BenchFailure("stored \(keys.count) events, expected \(expected)") }
    guard Set(perSource.keys) == Set(sources) else {
        throw BenchFailure("sources \(perSource.keys), expected \(sources)")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A count handed from one thread to another.
final class LockedCount: Sendable {
    private let value = Mutex(0)
    func get() -> Int { value.withLock { $0 } }
    func set(_ new: Int) { value.withLock { $0 = new } }
}
