import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktHub
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// Real processes on loopback over CURVE: one hub, two nodes, and per node a coordinator publishing a stream of new
/// events, corrections, withdrawals and refused conflicts, while the hub and then a node are killed with SIGKILL
/// mid-stream. Afterwards every event's latest version at the hub is the last one its node accepted, no version is
/// lost or stored twice, and the counters equal a recount, before and after `knutepunkt hub rebuild-aggregates`.
@Suite(.serialized)
struct CorrectionsEndToEndTests {
    static let batches = 40
    static let batchSize = 50

    /// One submission of a coordinator's script, and what the node must answer.
    struct Step: Sendable {
        var payload: [UInt8]
        /// The version the node must hold afterwards (appended, or held already on a resubmission); nil: refused.
        var version: Int?
    }

    /// What a coordinator has published of one event, version by version: (participants, withdrawn).
    struct Planned: Sendable {
        var index: Int
        var versions: [(participants: Int, withdrawn: Bool)]
    }

    /// A node's script: batches of submissions, and the events as they stand at the end. Deterministic, so a batch
    /// whose answer was lost (its node was killed) is sent again as it was, and must be harmless.
    static func script(
        for node: (id: String, region: String, defaultNode: String),
        seed: UInt64
    ) -> (
        batches: [[Step]], events: [Planned]
    ) {
        var random = SplitMix64(seed: seed)
        var events: [Planned] = []
        var batches: [[Step]] = []
        func payload(_ index: Int, _ participants: Int, withdrawn: Bool, basedOn: Int?) -> [UInt8] {
            var event = EventFixtures.activity(
                source: node.id,
                index: index,
                region: node.region,
                node: node.defaultNode
            )
            event.participants = participants
            event.basedOn = basedOn
            event.version = basedOn.map { $0 + 1 } ?? 1
            event.withdrawalReason = withdrawn ? "entered twice" : nil
            return event.canonicalJSON()
        }
        for _ in 0..<Self.batches {
            var steps: [Step] = []
            for _ in 0..<batchSize {
                let roll = Int.random(in: 0..<100, using: &random)
                if events.count < 5 || roll < 65 {
                    let participants = Int.random(in: 1...40, using: &random)
                    events.append(Planned(index: events.count, versions: [(participants, false)]))
                    steps.append(
                        Step(
                            payload: payload(events.count - 1, participants, withdrawn: false, basedOn: nil),
                            version: 1
                        )
                    )
                    continue
                }
                let target = Int.random(in: 0..<events.count, using: &random)
                let latest = events[target].versions.last!
                let current = events[target].versions.count
                switch roll {
                case 65..<88:
                    let participants = latest.participants % 40 + 1
                    events[target].versions.append((participants, false))
                    steps.append(
                        Step(
                            payload: payload(target, participants, withdrawn: false, basedOn: current),
                            version: current + 1
                        )
                    )
                case 88..<97 where !latest.withdrawn:
                    events[target].versions.append((latest.participants, true))
                    steps.append(
                        Step(
                            payload: payload(target, latest.participants, withdrawn: true, basedOn: current),
                            version: current + 1
                        )
                    )
                default:
                    // Other content without based_on: refused, and nothing stored (unless it is an older version's
                    // content exactly: then it is that version sent again, and harmless).
                    let participants = latest.participants % 40 + 2
                    let held = events[target].versions.lastIndex { $0.participants == participants && !$0.withdrawn }
                    steps.append(
                        Step(
                            payload: payload(target, participants, withdrawn: false, basedOn: nil),
                            version: held.map { $0 + 1 }
                        )
                    )
                }
            }
            batches.append(steps)
        }
        return (batches, events)
    }

    @Test(.timeLimit(.minutes(10)), arguments: HubStoreBackend.allCases)
    func latestVersionsArriveOnceAndCountersEqualARecountAcrossKills(_ backend: HubStoreBackend) async throws {
        let started = ContinuousClock.now
        let net = try LoopbackNetwork()
        defer { net.folder.remove() }
        let storage = try await backend.makeStorage(in: net.folder)
        let binary = Repository.executable
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build knutepunkt first: \(binary)")

        try net.writeHubConfig(storage: storage)
        var hub = try DaemonProcess(
            name: "hub",
            executable: binary,
            arguments: ["hub", "--config", net.hubConfigPath],
            logFile: net.folder.file("hub.log")
        )
        let firstEndpoints = try await hub.ready()
        let listen = try #require(firstEndpoints["listen"])
        try net.writeHubConfig(listen: listen, storage: storage)
        let hubControl = HubControl(endpoint: try #require(firstEndpoints["control"]), curve: try net.hubViewerCurve)

        let directory = NodeDirectory()
        var nodes: [String: DaemonProcess] = [:]
        for node in net.nodes {
            try net.writeNodeConfig(node.id, hub: listen)
            let process = try DaemonProcess(
                name: node.id,
                executable: binary,
                arguments: ["node", "--config", net.nodeConfigPath(node.id)],
                logFile: net.folder.file("\(node.id).log")
            )
            await directory.set(node.id, try #require(try await process.ready()["control"]))
            nodes[node.id] = process
        }
        let scripts = Dictionary(
            uniqueKeysWithValues: net.nodes.enumerated().map { ($1.id, Self.script(for: $1, seed: UInt64($0 + 11))) }
        )

        let victim = net.nodes[0]
        let firstPause = Self.batches * 2 / 5
        let victimPause = Self.batches * 3 / 5
        var storedAtHubKill = 0
        var victimBacklogAtKill = 0
        var resent = 0
        await directory.hold(victim.id, at: firstPause)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for node in net.nodes {
                let batches = scripts[node.id]!.batches
                group.addTask { try await Self.publish(batches, node: node.id, directory: directory) }
            }
            _ = await directory.waitForProgress(victim.id, atLeast: firstPause)
            storedAtHubKill = try await hubControl.waitForTotal(400, seconds: 120).events.versions ?? 0
            hub.signal(SIGKILL)
            _ = await hub.exited()
            await directory.release(victim.id, holdingAgainAt: victimPause)

            _ = await directory.waitForProgress(victim.id, atLeast: victimPause)
            let victimControl = await directory.current(victim.id).endpoint
            let before = try await ControlClient.withConnection(to: victimControl, timeout: .seconds(60)) {
                try $0.status()
            }
            if case .node(let status, _) = before { victimBacklogAtKill = status.outbox.backlog }
            nodes[victim.id]?.signal(SIGKILL)
            _ = await nodes[victim.id]?.exited()
            await directory.release(victim.id)

            hub = try DaemonProcess(
                name: "hub",
                executable: binary,
                arguments: ["hub", "--config", net.hubConfigPath],
                logFile: net.folder.file("hub.log")
            )
            hubControl.endpoint = try #require(try await hub.ready()["control"])
            let restarted = try DaemonProcess(
                name: victim.id,
                executable: binary,
                arguments: ["node", "--config", net.nodeConfigPath(victim.id)],
                logFile: net.folder.file("\(victim.id).log")
            )
            nodes[victim.id] = restarted
            await directory.set(victim.id, try #require(try await restarted.ready()["control"]))
            for try await count in group { resent += count }
        }
        #expect(victimBacklogAtKill > 0, "the node was killed holding versions the hub had not acknowledged")
        for node in net.nodes {
            let endpoint = await directory.current(node.id).endpoint
            let drained = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
                try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 120_000))
            }
            if case .node(let status, _) = drained { #expect(status.outbox.backlog == 0) }
        }
        for process in nodes.values { await process.stop() }
        #expect(await hub.stop() == 0)

        // The hub's store, read directly.
        let store = try storage.open()
        var recount = ActivityCounters()
        var versions = 0
        var corrections = 0
        var withdrawals = 0
        var counting = 0
        for node in net.nodes {
            for planned in scripts[node.id]!.events {
                let id = try #require(UUID(uuidString: EventFixtures.id(node.id, planned.index)))
                let history = try store.history(of: id)
                #expect(
                    history.map(\.version) == Array(1...planned.versions.count),
                    "\(node.id) event \(planned.index)"
                )
                #expect(history.map(\.withdrawn) == planned.versions.map(\.withdrawn))
                #expect(history.map(\.latest) == (1...planned.versions.count).map { $0 == planned.versions.count })
                versions += planned.versions.count
                corrections += planned.versions.dropFirst().filter { !$0.withdrawn }.count
                withdrawals += planned.versions.filter(\.withdrawn).count
                let last = planned.versions.last!
                if let latest = history.last,
                    case .success(let event) = EventValidator(taxonomy: InProcessDaemons.taxonomy).validate(
                        try JSONValue.parse(latest.payload),
                        defaults: .hub,
                        today: .today()
                    )
                {
                    #expect(event.participants == last.participants && event.isWithdrawn == last.withdrawn)
                    if !event.isWithdrawn {
                        recount.add(event)
                        counting += 1
                    }
                }
            }
        }
        let keys = try store.storedKeys()
        #expect(keys.count == versions, "every accepted version stored once")
        #expect(Set(keys.map { "\($0.source)#\($0.sequence)" }).count == keys.count)
        let counts = try store.counts()
        #expect(counts.total == counting)
        #expect(counts.versions == versions)
        let kept = try store.activityCounters()
        #expect(kept == recount, "the counters kept while storing equal a recount of the latest versions")
        try store.close()

        let rebuild = try await CommandRun.knutepunkt(["hub", "rebuild-aggregates", "--config", net.hubConfigPath])
        #expect(rebuild.status == 0, "\(rebuild.output)\(rebuild.errors)")
        let reopened = try storage.open()
        defer { try? reopened.close() }
        #expect(try reopened.activityCounters() == recount, "rebuild-aggregates gives the same counters")

        let elapsed = ContinuousClock.now - started
        print(
            "corrections end-to-end (\(backend)): events=\(scripts.values.map(\.events.count).reduce(0, +)) "
                + "versions=\(versions) (corrections=\(corrections) withdrawals=\(withdrawals)) stored=\(keys.count) "
                + "duplicates=\(keys.count - Set(keys.map { "\($0.source)#\($0.sequence)" }).count) "
                + "lost=\(versions - keys.count) counting=\(counting) hubKills=1 (at \(storedAtHubKill) versions stored) "
                + "nodeKills=1 (\(victimBacklogAtKill) unacknowledged) batchesResent=\(resent) counters=recount "
                + "elapsed=\(elapsed)"
        )
    }

    /// Publishes a node's script batch by batch, each answer checked against the script; a batch whose answer does
    /// not come (the node was killed) is sent again to the restarted node, with the one before it. Returns how many
    /// times that happened.
    static func publish(_ batches: [[Step]], node: String, directory: NodeDirectory) async throws -> Int {
        var next = 0
        var attempts = 0
        var resent = 0
        while next < batches.count {
            attempts += 1
            try #require(attempts < 2_000, "publishing to \(node) made no progress")
            let steps = batches[next]
            let (endpoint, generation) = await directory.current(node)
            do {
                let results = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(5)) {
                    try $0.submit(steps.map(\.payload), submittedBy: "e2e")
                }
                // The killed node's port is free until it comes back, and the kernel can give it to a daemon of a
                // test running alongside, which refuses every event as not of its region. Every script event is of
                // its node's region, so that answer is another daemon's: the batch goes to this node once it is
                // back, as after a lost answer (a node of this test refusing its own region would never get past
                // this, and the attempts bound above would fail the test).
                if results.contains(where: { $0.issues?.contains { $0.code.rawValue == "REGION_MISMATCH" } == true }) {
                    resent += 1
                    next = max(0, next - 1)
                    await directory.waitForRestart(node, after: generation, limit: .seconds(2))
                    continue
                }
                for (step, result) in zip(steps, results) {
                    if let version = step.version {
                        #expect(result.status != .invalid && result.version == version, "\(node): \(result)")
                    } else {
                        #expect(result.issues?.first?.code.rawValue == "CONFLICTING_CONTENT", "\(node): \(result)")
                    }
                }
                next += 1
                await directory.progressed(node, accepted: next)
                await directory.passHold(node, accepted: next)
            } catch {
                // Unsure what got in, the coordinator sends the batch before this one again too: it must all come
                // back as held already (or refused again), never stored twice.
                resent += 1
                next = max(0, next - 1)
                await directory.waitForRestart(node, after: generation, limit: .seconds(2))
            }
        }
        return resent
    }
}
