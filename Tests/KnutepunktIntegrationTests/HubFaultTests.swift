import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// Faults on the hub's side: its disk fills, its commits fail with an I/O error, it is frozen, and the nodes' clocks
/// are a day off its own. Each ends with every accepted event stored exactly once, each node's order kept, and prints
/// one `FAULT` line.
@Suite(.serialized)
struct HubFaultTests {
    static let nodes = Array(FaultNetwork.fourRegions.prefix(2))

    /// Runs `program arguments` and requires it to succeed.
    static func run(_ program: String, _ arguments: [String]) async throws {
        let run = try await CommandRun.program(program, arguments)
        try #require(run.status == 0, "\(program) \(arguments.joined(separator: " ")): \(run.errors)")
    }

    /// The value of a metric line `name{labels} value` in a Prometheus text.
    static func metric(_ text: String, _ name: String, _ labels: String = "") -> Double? {
        let prefix = labels.isEmpty ? "\(name) " : "\(name){\(labels)} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
            Double($0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces))
        }
    }

    /// The hub's disk fills up (a 24 MiB ext4 file system on a loop device holds its store): it stops acknowledging,
    /// says so in its log, its metrics and `/readyz`, keeps its store consistent, and stores everything once space
    /// is freed, without a restart; the nodes keep accepting meanwhile.
    @Test(.enabled(if: getuid() == 0, "mounting a file system needs root (CI runs as root)"), .timeLimit(.minutes(10)))
    func hubDiskFullStopsAcknowledgingAndResumes() async throws {
        let image = FileManager.default.temporaryDirectory.appendingPathComponent("kp-hubdisk-\(UUID().uuidString)")
            .path
        guard
            let network = try await NamespaceNetwork.start(
                nodes: Self.nodes,
                beforeHub: { net in
                    let mountPoint = net.folder.file("hub")
                    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
                    try await Self.run("/usr/bin/truncate", ["-s", "24M", image])
                    try await Self.run("/usr/sbin/mkfs.ext4", ["-q", "-F", "-m", "0", image])
                    try await Self.run("/usr/bin/mount", ["-o", "loop", image, mountPoint])
                }
            )
        else { return }
        let mountPoint = network.net.folder.file("hub")
        do {
            try await Self.fillDisk(network, mountPoint: mountPoint)
        } catch {
            await network.tearDown()
            _ = try? await CommandRun.program("/usr/bin/umount", ["-l", mountPoint])
            try? FileManager.default.removeItem(atPath: image)
            throw error
        }
        _ = try? await CommandRun.program("/usr/bin/umount", ["-l", mountPoint])
        try? FileManager.default.removeItem(atPath: image)
    }

    static func fillDisk(_ network: NamespaceNetwork, mountPoint: String) async throws {
        let perNode = 4_000
        var figures = FaultFigures("hub disk full (24 MiB ext4 on a loop device), 2 nodes x 4,000")
        let hubLog = network.hubLog
        let logged = LogWatch.size(of: hubLog)
        let filler = "\(mountPoint)/filler"
        try await NamespaceFaultTests.publish(network, perNode: perNode, holdAt: 1_000) {
            _ = try await network.hubStatus(waitForTotal: 2_000)
            // Every free block taken (dd stops at ENOSPC), so the store's next growth fails.
            _ = try await CommandRun.program(
                "/bin/sh",
                [
                    "-c",
                    "dd if=/dev/zero of=\(filler) bs=64k 2>/dev/null; dd if=/dev/zero of=\(filler)2 bs=1k 2>/dev/null; sync",
                ]
            )
            figures.faults += 1
        }
        let full = ContinuousClock.now
        #expect(await LogWatch.wait(for: "the store refuses commits", in: hubLog, after: logged), "the hub says so")
        let stuck = try await network.hubStatus().events.total
        figures.notes.append("stored when the disk filled: \(stuck) of \(2 * perNode) accepted")
        #expect(stuck < 2 * perNode, "the hub cannot have stored everything on a full disk")
        if network.lab != nil {
            let ready = try await network.hubHTTP("/readyz")
            #expect(ready.status == 503, "\(ready)")
            #expect(ready.body.contains("disk is full"), "\(ready.body)")
            let metrics = try await network.hubHTTP("/metrics").body
            #expect(Self.metric(metrics, "knutepunkt_hub_store_writable") == 0)
            #expect((Self.metric(metrics, "knutepunkt_hub_commit_failures_total", "reason=\"disk_full\"") ?? 0) >= 1)
            figures.notes.append("/readyz \(ready.status)")
        }
        for node in Self.nodes {
            let status = try await network.nodeStatus(node.id)
            #expect(status.outbox.lastSequence == UInt64(perNode), "\(node.id) accepted everything meanwhile")
        }
        // Space returns.
        let recovered = LogWatch.size(of: hubLog)
        try FileManager.default.removeItem(atPath: filler)
        try? FileManager.default.removeItem(atPath: filler + "2")
        let freed = ContinuousClock.now
        #expect(await LogWatch.wait(for: "the store commits again", in: hubLog, after: recovered))
        _ = try await network.hubStatus(waitForTotal: 2 * perNode)
        figures.recovered(ContinuousClock.now - freed)
        figures.recoveryNote = "space freed until the hub held everything"
        figures.notes.append("full for \(freed - full)")
        if network.lab != nil {
            #expect(try await network.hubHTTP("/readyz").status == 200)
            let metrics = try await network.hubHTTP("/metrics").body
            #expect(Self.metric(metrics, "knutepunkt_hub_store_writable") == 1)
        }
        let integrity = try await CommandRun.program(
            "/usr/bin/python3",
            [
                "-c",
                "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
                network.net.hubStorePath,
            ]
        )
        #expect(integrity.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(integrity.output)")
        try await network.finish(&figures, accepted: NamespaceFaultTests.accepted(network, perNode))
    }

    /// A commit fails with an I/O error: the hub's store on a small FUSE file system (`Tests/Python/failfs.py`,
    /// python3-fuse) that fails writes and fsync while a control file exists, as a dying disk would.
    @Test(
        .enabled(if: getuid() == 0, "mounting a FUSE file system needs root (CI runs as root)"),
        .timeLimit(.minutes(10))
    )
    func hubCommitsFailWithAnIOErrorAndResume() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/fusermount"),
            "fuse and python3-fuse are missing: `make test-deps` installs them"
        )
        guard
            let network = try await NamespaceNetwork.start(
                nodes: Self.nodes,
                namespaces: false,
                beforeHub: { net in
                    let mountPoint = net.folder.file("hub")
                    let backing = net.folder.file("hub-backing")
                    let control = net.folder.file("failfs-fail")
                    for folder in [mountPoint, backing] {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    }
                    // Runs until unmounted (fusermount -u), in the foreground of a process of its own.
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                    process.arguments = ["\(PythonZMQ.scripts)/failfs.py", backing, mountPoint, control, "-f"]
                    process.standardOutput = FileHandle.nullDevice
                    process.standardError = FileHandle.nullDevice
                    try process.run()
                    _ = FileManager.default.createFile(atPath: control + ".ready", contents: nil)
                    try #require(await LogWatch.wait(for: "mounted", in: control + ".ready", limit: .seconds(60)))
                }
            )
        else { return }
        let mountPoint = network.net.folder.file("hub")
        let control = network.net.folder.file("failfs-fail")
        do {
            try await Self.failCommits(network, control: control)
        } catch {
            await network.tearDown()
            _ = try? await CommandRun.program("/usr/bin/fusermount", ["-u", "-z", mountPoint])
            throw error
        }
        _ = try? await CommandRun.program("/usr/bin/fusermount", ["-u", "-z", mountPoint])
    }

    static func failCommits(_ network: NamespaceNetwork, control: String) async throws {
        let perNode = 3_000
        var figures = FaultFigures("hub commits fail with EIO (FUSE), 2 nodes x 3,000")
        let hubLog = network.hubLog
        let logged = LogWatch.size(of: hubLog)
        try await NamespaceFaultTests.publish(network, perNode: perNode, holdAt: 1_000) {
            _ = try await network.hubStatus(waitForTotal: 2_000)
            _ = FileManager.default.createFile(atPath: control, contents: nil)
            figures.faults += 1
        }
        let failing = ContinuousClock.now
        #expect(await LogWatch.wait(for: "the store refuses commits", in: hubLog, after: logged), "the hub says so")
        let log = try String(contentsOfFile: hubLog, encoding: .utf8)
        #expect(log.contains("io_error"), "the reason is an I/O error")
        let stuck = try await network.hubStatus().events.total
        figures.notes.append("stored when writes began to fail: \(stuck) of \(2 * perNode) accepted")
        let recovered = LogWatch.size(of: hubLog)
        try FileManager.default.removeItem(atPath: control)
        let fixed = ContinuousClock.now
        #expect(await LogWatch.wait(for: "the store commits again", in: hubLog, after: recovered))
        _ = try await network.hubStatus(waitForTotal: 2 * perNode)
        figures.recovered(ContinuousClock.now - fixed)
        figures.recoveryNote = "disk working again until the hub held everything"
        figures.notes.append("failing for \(fixed - failing)")
        // The store is read (by `finish`) through the FUSE mount, which works again.
        try await network.finish(&figures, accepted: NamespaceFaultTests.accepted(network, perNode))
    }

    /// How long the hub stays frozen: the issue's 30 s (`KNUTEPUNKT_FREEZE_SECONDS` to change it).
    static var freeze: Duration {
        .seconds(Int(ProcessInfo.processInfo.environment["KNUTEPUNKT_FREEZE_SECONDS"] ?? "") ?? 30)
    }

    /// The process state letter of `pid` (`/proc/PID/stat`: R, S, T for stopped, …).
    static func state(of pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].first
    }

    /// The hub frozen with SIGSTOP (a stalled VM, a debugger) while the nodes go on accepting, then resumed with
    /// SIGCONT: nodes that gave up on it greet it again, and it stores everything once.
    @Test(.timeLimit(.minutes(10)))
    func hubFrozenWithSigstopThenResumed() async throws {
        guard let network = try await NamespaceNetwork.start(nodes: Self.nodes, namespaces: false) else { return }
        let perNode = 3_000
        var figures = FaultFigures("hub frozen with SIGSTOP for \(Self.freeze), 2 nodes x 3,000")
        let pid = try #require(await network.hubPID)
        var stopped = ContinuousClock.now
        let logs = Self.nodes.map { LogWatch.size(of: network.nodeLog($0.id)) }
        try await NamespaceFaultTests.publish(network, perNode: perNode, holdAt: 1_000) {
            await network.signalHub(SIGSTOP)
            stopped = ContinuousClock.now
            figures.faults += 1
        }
        // The kernel has stopped it (state T) …
        for _ in 0..<1_000 where Self.state(of: pid) != "T" { await Task.yield() }
        #expect(Self.state(of: pid) == "T", "the hub is stopped")
        // … and the nodes noticed.
        for (node, size) in zip(Self.nodes, logs) {
            #expect(await LogWatch.wait(for: "reconnecting to the hub", in: network.nodeLog(node.id), after: size))
        }
        figures.notes.append("all accepted \(ContinuousClock.now - stopped) into the freeze")
        // The freeze itself is the fault's length, not a wait for something to happen.
        let left = Self.freeze - (ContinuousClock.now - stopped)
        if left > .zero { try await Task.sleep(for: left) }
        await network.signalHub(SIGCONT)
        let resumed = ContinuousClock.now
        _ = try await network.hubStatus(waitForTotal: 2 * perNode)
        figures.recovered(ContinuousClock.now - resumed)
        figures.recoveryNote = "SIGCONT until the hub held everything"
        try await network.finish(&figures, accepted: NamespaceFaultTests.accepted(network, perNode))
    }

    /// The words in front of a command that run it with its wall clock shifted by `days` (``WallClock``).
    static func skewed(days: Int) -> [String] {
        ["/usr/bin/env", "KNUTEPUNKT_CLOCK_SKEW_SECONDS=\(days * 86_400)"]
    }

    /// The nodes' clocks a day off the hub's (``WallClock``): NO-SOROST a day ahead, NO-VEST a day behind. Dates are the
    /// coordinators', never rewritten; each daemon judges "not in the future" by its own clock, with a day's
    /// tolerance, so an event dated the hub's tomorrow-but-one passes the ahead node and is refused (NACKed, and
    /// reported as rejected) by the hub; the hub's last-heard times are its own clock's; and the gap rule D1 reads
    /// the events' dates, so neither node is taken for silent. Period locks, too, go by the events' dates: a month
    /// the hub locked is refused at both nodes, and the first day after it taken, whatever their clocks say.
    @Test(.timeLimit(.minutes(10)))
    func nodeClocksADayAheadAndBehind() async throws {
        let (ahead, behind) = (Self.nodes[0], Self.nodes[1])
        guard
            let network = try await NamespaceNetwork.start(
                nodes: Self.nodes,
                namespaces: false,
                nodeWrappers: [ahead.id: Self.skewed(days: 1), behind.id: Self.skewed(days: -1)]
            )
        else { return }
        let perNode = 1_000
        var figures = FaultFigures("node clocks a day ahead and behind the hub's, 2 nodes x 1,000 + 5, a month locked")
        figures.faults = 2
        try await NamespaceFaultTests.publish(network, perNode: perNode)
        let today = LocalDate.today()

        // Period locks go by the coordinators' dates, not by anyone's clock. Last month is signed off and accepted
        // for both regions at the hub (the steps stamped by the hub's clock); each node learns the locks over its
        // link, then refuses an activity dated the locked month's last day with PERIOD_LOCKED before queuing it,
        // and takes the same activity once its coordinator dates it the first day of this month — whichever day its
        // own clock says it is.
        let hubControl = try #require(await network.hubEndpoints["control"])
        let locked = ReportingMonth(today).adding(months: -1)
        for node in Self.nodes {
            _ = try await PeriodLockTests.step(
                .signOff,
                locked,
                region: node.region,
                by: "lead-\(node.id)",
                role: "lead",
                actorRegion: node.region,
                at: hubControl,
                curve: network.viewer
            )
            let accepted = try await PeriodLockTests.step(
                .accept,
                locked,
                region: node.region,
                by: "nina",
                role: "analyst",
                at: hubControl,
                curve: network.viewer
            )
            #expect(accepted.locked, "\(node.region) \(locked) locked: \(accepted.state)")
            let stamp = try #require(accepted.history.last.flatMap { ISO8601DateFormatter().date(from: $0.at) })
            #expect(abs(stamp.timeIntervalSinceNow) < 3_600, "the lock is stamped by the hub's clock: \(stamp)")
        }
        for node in Self.nodes {
            let endpoint = await network.directory.current(node.id).endpoint
            let learnt = try await PeriodLockTests.nodeStatus(endpoint) { months in
                months.contains { $0.hasPrefix("\(node.region) \(locked)") }
            }
            #expect(learnt.lockedMonths?.isEmpty == false)
            let events = [locked.last, ReportingMonth(today).first].map { date in
                Array(
                    EventFixtures.event(source: node.id, index: perNode, region: node.region, node: node.defaultNode)
                        .replacing(/"date":"[0-9-]+"/, with: "\"date\":\"\(date.iso)\"")
                        .utf8
                )
            }
            var answers: [SubmitResult] = []
            for event in events {
                answers += try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
                    try $0.submit([event])
                }
            }
            #expect(answers.map(\.status) == [.invalid, .queued], "\(node.id): \(answers)")
            #expect(answers.first?.issues?.first?.code == .periodLocked, "\(node.id): \(answers)")
            #expect(answers.first?.issues?.first?.message.contains("accepted by nina") == true, "\(answers)")
            figures.notes.append(
                "\(node.id) refused \(locked.last.iso): \(answers.first?.issues?.first?.message ?? "-")"
            )
        }
        // Four more each, dated by the hub's calendar: yesterday, today, tomorrow, the day after.
        var results: [String: [SubmitResult]] = [:]
        for node in Self.nodes {
            let events = (0..<4).map { offset in
                Array(
                    EventFixtures.event(
                        source: node.id,
                        index: perNode + 1 + offset,
                        region: node.region,
                        node: node.defaultNode
                    )
                    .replacing(/"date":"[0-9-]+"/, with: "\"date\":\"\(today.adding(days: offset - 1).iso)\"")
                    .utf8
                )
            }
            let endpoint = await network.directory.current(node.id).endpoint
            results[node.id] = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
                try $0.submit(events)
            }
        }
        let aheadStatus = try #require(results[ahead.id]).map(\.status)
        let behindStatus = try #require(results[behind.id]).map(\.status)
        figures.notes.append(
            "ahead node answered \(aheadStatus.map(\.rawValue)), behind \(behindStatus.map(\.rawValue))"
        )
        // The ahead node takes the day after tomorrow (its tomorrow); the behind node refuses tomorrow (its day after).
        #expect(aheadStatus == [.queued, .queued, .queued, .queued])
        #expect(behindStatus == [.queued, .queued, .invalid, .invalid])
        for node in Self.nodes {
            let status = try await network.nodeStatus(node.id)
            _ = status
        }
        // The hub settles everything: the ahead node's last event refused as in the future by the hub's clock.
        let aheadDrained = try await ControlClient.withConnection(
            to: await network.directory.current(ahead.id).endpoint
        ) {
            try $0.status(StatusRequest(waitForDrained: true, timeoutMillis: 120_000))
        }
        guard case .node(let drained, _) = aheadDrained else { throw PeerFailure("not a node status") }
        #expect(drained.outbox.rejected == 1, "the hub refused the event dated its day after tomorrow")
        let hub = try await network.hubStatus(waitForTotal: 2 * (perNode + 1) + 3 + 2)
        for node in hub.nodes where Self.nodes.contains(where: { $0.id == node.id }) {
            let heard = try #require(node.lastHeardAt.flatMap { ISO8601DateFormatter.withFractions.date(from: $0) })
            #expect(abs(heard.timeIntervalSinceNow) < 3_600, "\(node.id) last heard by the hub's clock: \(heard)")
        }
        // Follow the hub's gaps (Clone pattern) until its evaluation after these events has read them: no D1 for
        // either reporting local node. `idle` only bounds a failure.
        let watch = GapWatch(
            publish: try #require(await network.hubEndpoints["publish"]),
            control: try #require(await network.hubEndpoints["control"]),
            curve: network.viewer
        )
        let reporting = [ahead.defaultNode, behind.defaultNode]
        let stale = try await onSocketThread { () -> Set<String> in
            var open: [String: GapRecord] = [:]
            func staleNodes() -> Set<String> {
                Set(open.values.filter { $0.rule == "D1" && reporting.contains($0.node ?? "") }.compactMap(\.node))
            }
            try watch.run(idle: .seconds(60)) { event in
                switch event {
                case .snapshot(let snapshot):
                    open = Dictionary(uniqueKeysWithValues: snapshot.gaps.map { ($0.key, $0) })
                case .update(let update): open[update.gap.key] = update.change == "closed" ? nil : update.gap
                }
                return !staleNodes().isEmpty
            }
            return staleNodes()
        }
        #expect(stale.isEmpty, "reporting local nodes taken for silent: \(stale)")
        figures.notes.append("stored \(hub.events.total), rejected \(hub.events.rejected)")

        // What the fixtures' check expects: each node's first events in order (the one taken after the lock
        // included), the hub-refused one left out.
        try await network.finish(&figures, accepted: [ahead.id: perNode + 1 + 3, behind.id: perNode + 1 + 2])
    }
}

extension ISO8601DateFormatter {
    /// `2026-11-30T21:14:05.123Z`.
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
