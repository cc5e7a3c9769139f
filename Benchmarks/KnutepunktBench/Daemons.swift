import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting

/// (d) Catch-up: a node whose outbox holds `count` events the hub never had (it was cut off) drains them to the hub
/// once both run: from the node's start to the hub's commit of the last one.
func catchUp(count: Int) async throws {
    let folder = try TemporaryDirectory(prefix: "knutepunkt-bench")
    defer { folder.remove() }
    let outboxPath = folder.file("NO-VEST/outbox.sqlite")
    try FileManager.default.createDirectory(atPath: folder.file("NO-VEST"), withIntermediateDirectories: true)
    let payloads = ingestPayloads(region: "NO-VEST", count: count, salt: 11)
    let outbox = try OutboxStore.open(path: outboxPath)
    for start in stride(from: 0, to: count, by: 4096) {
        let entries = payloads[start..<min(start + 4096, count)].map { payload in
            // The id the node indexes is the event's own (read back from the payload, as the node does).
            guard case .object(let object)? = try? JSONValue.parse(payload), case .string(let id)? = object["id"],
                let uuid = UUID(uuidString: id)
            else { preconditionFailure("a benchmark payload without an id") }
            return OutboxStore.Entry(id: uuid, payload: payload)
        }
        _ = try outbox.append(entries)
    }
    try outbox.close()

    let window = size("BENCH_NODE_WINDOW", UplinkStateMachine.Configuration().window)
    var hub = InProcessDaemons.hubConfiguration(folder: folder, nodes: [("NO-VEST", "NO-VEST")])
    hub.maxBatch = size("BENCH_HUB_MAX_BATCH", hub.maxBatch)
    let elapsed = try await InProcessDaemons.withHub(hub) { endpoints in
        var node = NodeConfiguration(
            id: "NO-VEST",
            region: "NO-VEST",
            hubEndpoint: endpoints.listen,
            controlEndpoint: "tcp://127.0.0.1:*",
            outboxPath: outboxPath,
            taxonomyPath: Repository.taxonomyPath
        )
        node.uplink.window = window
        let began = ContinuousClock.now
        try await InProcessDaemons.withNode(node) { _ in
            _ = try await ControlClient.withConnection(to: endpoints.control) {
                try $0.status(StatusRequest(waitForTotal: count, timeoutMillis: 900_000))
            }
        }
        return ContinuousClock.now - began
    }
    try verifyExactlyOnce(storePath: folder.file("hub.sqlite"), expected: count, sources: ["NO-VEST"])
    Figure(
        benchmark: "node.catch_up",
        value: Double(count) / elapsed.seconds,
        unit: "events/s",
        details: [
            "events": count, "seconds": elapsed.seconds, "window": window,
            "batch": UplinkStateMachine.Configuration().batchSize, "hub_max_batch": hub.maxBatch,
        ]
    ).print()
}

/// The `knutepunkt` executable built beside this benchmark (`make bench` builds both).
func knutepunktExecutable() throws -> String {
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("knutepunkt").path
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        throw BenchFailure("\(executable) is not built (make bench builds it)")
    }
    return executable
}

/// (g) Start-up time of the real executables, from exec to "ready" (sockets bound, store open), and (f) the hub's
/// peak resident memory (VmHWM) once it has started on a store of `storedEvents` events and evaluated the gaps.
func daemons(storedEvents: Int) async throws {
    let executable = try knutepunktExecutable()
    let network = try LoopbackNetwork()
    defer { network.folder.remove() }
    try network.writeHubConfig()
    try network.writeNodeConfig("NO-VEST", hub: "tcp://127.0.0.1:9")

    func startUp(_ name: String, _ arguments: [String]) async throws -> (seconds: Double, process: DaemonProcess) {
        let began = ContinuousClock.now
        let process = try DaemonProcess(
            name: name,
            executable: executable,
            arguments: arguments,
            logFile: network.folder.file("\(name).log")
        )
        _ = try await process.ready()
        return ((ContinuousClock.now - began).seconds, process)
    }
    var hubTimes: [Double] = []
    var nodeTimes: [Double] = []
    for _ in 0..<5 {
        let hub = try await startUp("hub", ["hub", "--config", network.hubConfigPath])
        hubTimes.append(hub.seconds)
        _ = await hub.process.stop()
        let node = try await startUp("node", ["node", "--config", network.nodeConfigPath("NO-VEST")])
        nodeTimes.append(node.seconds)
        _ = await node.process.stop()
    }
    hubTimes.sort()
    nodeTimes.sort()
    Figure(
        benchmark: "daemon.start_up",
        value: hubTimes[2] * 1000,
        unit: "ms (median of 5, hub, empty store, CURVE)",
        details: ["node_ms": nodeTimes[2] * 1000, "hub_max_ms": hubTimes[4] * 1000, "node_max_ms": nodeTimes[4] * 1000]
    ).print()

    // A store of `storedEvents` sample events, written as the hub writes them (no checkpoint of the gap facts).
    let stored = try fillHubStore(path: network.hubStorePath, count: storedEvents)
    let executablePath = executable
    func startOnStore(_ name: String) async throws -> HubStart {
        try await startHub(network: network, executable: executablePath, stored: stored, name: name)
    }
    // The first start folds every counter cell (and writes the checkpoint); the second reads the checkpoint.
    let first = try await startOnStore("hub-first")
    let again = try await startOnStore("hub-again")
    try verifyStoredOnce(storePath: network.hubStorePath, expected: stored, source: "NO-VEST")
    Figure(
        benchmark: "hub.peak_rss",
        value: Double(first.peakKilobytes) / 1024,
        unit: "MiB (VmHWM after start-up on the store and the first gap evaluation)",
        details: [
            "stored_events": stored, "start_up_seconds": first.ready,
            "restart_peak_rss_mib":
                Double(again.peakKilobytes) / 1024,
        ]
    ).print()
    Figure(
        benchmark: "hub.start_up_on_store",
        value: again.ready * 1000,
        unit: "ms from exec to ready, restarted on a store with the gap facts' checkpoint",
        details: [
            "stored_events": stored, "first_start_ready_seconds": first.ready,
            "first_start_evaluated_seconds": first.evaluated, "restart_evaluated_seconds": again.evaluated,
        ]
    ).print()
}

/// One start of the real hub on a filled store: seconds from exec to ready and to the answer to STATUS (past its
/// first gap evaluation), and its peak resident memory then.
struct HubStart {
    var ready: Double
    var evaluated: Double
    var peakKilobytes: Int
}

/// Starts the hub of `network` on its store of `stored` events, waits until it is past its first gap evaluation
/// (STATUS answers once the reactor is), and stops it (which saves the checkpoint).
func startHub(network: LoopbackNetwork, executable: String, stored: Int, name: String) async throws -> HubStart {
    let began = ContinuousClock.now
    let process = try DaemonProcess(
        name: name,
        executable: executable,
        arguments: ["hub", "--config", network.hubConfigPath],
        logFile: network.folder.file("\(name).log")
    )
    let endpoints = try await process.ready()
    let ready = (ContinuousClock.now - began).seconds
    _ = try await ControlClient.withConnection(
        to: endpoints["control"] ?? "",
        timeout: .seconds(600),
        curve: try network.hubViewerCurve
    ) { try $0.status(StatusRequest(waitForTotal: stored, timeoutMillis: 600_000)) }
    let evaluated = (ContinuousClock.now - began).seconds
    let peak = peakResidentKilobytes(pid: process.pid)
    guard await process.stop() == 0 else { throw BenchFailure("the hub did not stop cleanly") }
    return HubStart(ready: ready, evaluated: evaluated, peakKilobytes: peak)
}

/// Checks that a store filled by ``fillHubStore(path:count:)`` holds every event once, each source's sequence
/// settled to the end, and counters that count every event: fails the benchmark otherwise. The store's unique keys
/// ((source, seq) and (event id, version)) rule out doubles, so counts are enough and stay cheap on 10^7 events.
func verifyStoredOnce(storePath: String, expected: Int, source: String) throws {
    let store = try SQLiteHubStore.open(path: storePath)
    defer { try? store.close() }
    let counts = try store.counts()
    guard counts.total == expected, counts.versions == expected, counts.bySource == [source: expected] else {
        throw BenchFailure("stored \(counts.total) events in \(counts.versions) versions, expected \(expected)")
    }
    guard try store.settledProgress() == [source: UInt64(expected)] else {
        throw BenchFailure("settled \(try store.settledProgress()), expected \(source) through \(expected)")
    }
    let coverage = try store.activityCountCoverage()
    guard coverage.counted == expected, coverage.stored == expected else {
        throw BenchFailure("the counters hold \(coverage.counted) events of \(coverage.stored), expected \(expected)")
    }
}

/// Writes `count` sample events into a hub store as the hub commits them (batches of 4,096 with their counters).
@discardableResult
func fillHubStore(path: String, count: Int, source: String = "NO-VEST") throws -> Int {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent,
        withIntermediateDirectories: true
    )
    let store = try SQLiteHubStore.open(path: path)
    defer { try? store.close() }
    let taxonomy = InProcessDaemons.taxonomy
    let today = LocalDate.today()
    var sequence: UInt64 = 0
    var seed: UInt64 = 1
    // Ids as nodes make them: time-ordered, here 1 ms apart.
    let filled = Date()
    while Int(sequence) < count {
        let year = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: seed)
            .activities(region: "NO-VEST")
        seed += 1
        var generator = SampleRandom(seed: seed)
        var batch = HubBatch()
        for var event in year where Int(sequence) < count {
            event.id = UUID.timeOrdered(at: filled.addingTimeInterval(Double(sequence) / 1000), using: &generator)
            sequence += 1
            batch.events.append(
                HubEventRecord(source: source, sequence: sequence, event: event, payload: event.canonicalJSON())
            )
            if batch.events.count == 4096 {
                batch.settled[source] = sequence
                _ = try store.commit(batch, receivedAt: Date())
                batch = HubBatch()
            }
        }
        if !batch.events.isEmpty {
            batch.settled[source] = sequence
            _ = try store.commit(batch, receivedAt: Date())
        }
    }
    return Int(sequence)
}

/// The peak resident set of a process (VmHWM in /proc/PID/status), in KiB.
func peakResidentKilobytes(pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}
