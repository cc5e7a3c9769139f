import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// What one subscriber of the hub's `event.` stream saw, by the sequence number each published event carries.
struct SubscriberFigures: Sendable, CustomStringConvertible {
    var received = 0
    var first: UInt64?
    var last: UInt64 = 0
    /// Numbers missing between the first and the last received: messages the PUB socket dropped for this subscriber.
    var missing: Int { first.map { Int(last - $0 + 1) - received } ?? 0 }
    var description: String { "received \(received), numbers \(first ?? 0)...\(last), missing \(missing)" }

    mutating func take(_ frames: [[UInt8]]) {
        guard frames.count == 3, let number = try? WireFrame.uint64(frames[2], field: "number") else { return }
        received += 1
        if first == nil { first = number }
        last = max(last, number)
    }
}

extension FaultInjectionTests {
    /// e. A subscriber on the hub's PUB stream that does not read: the hub goes on (its memory bounded by the PUB
    /// high-water mark, here 8,000 messages), a subscriber that reads gets everything, and the slow one detects what
    /// it lost by the numbers the events carry.
    @Test(.timeLimit(.minutes(8)))
    func slowSubscriberLosesOnlyItsOwnMessagesAndSeesTheGap() async throws {
        let node = FaultNetwork.fourRegions[1]
        let count = 20_000
        // Published after the slow subscriber has caught up: the first of these tells it what it lost.
        let extra = 100
        let total = count + extra
        let network = try await FaultNetwork.start(
            nodes: [node],
            // Commits of at most 256 messages keep each burst of publications under the high-water mark.
            hubExtra: "  publishHighWaterMark: 8000\n  maxBatch: 256\n"
        )
        var figures = FaultFigures("e: slow PUB subscriber, 1 node x 20,000, publishHighWaterMark 8000")
        let publish = try #require(await network.hubEndpoints["publish"])
        let curve = network.viewer
        let pid = try #require(await network.hubPID)
        let rssBefore = Self.residentKilobytes(pid)
        let context = try ZMQContext()
        defer { context.terminate() }
        let go = try ZMQMailbox<Bool>(context: context)
        defer { go.close() }
        let fastBox = ReadySignal<SubscriberFigures>()
        let slowBox = ReadySignal<SubscriberFigures>()
        let subscribed = (fast: ReadySignal<Void>(), slow: ReadySignal<Void>())
        let drained = ReadySignal<Void>()
        let fast = ZMQThread.start(name: "fast-subscriber") {
            do {
                fastBox.fulfil(
                    try Self.follow(
                        publish,
                        curve: curve,
                        context: context,
                        receiveHWM: 100_000,
                        ready: subscribed.fast
                    ) { subscriber in
                        var seen = SubscriberFigures()
                        // Reads as it comes until the last number arrives or nothing comes for 30 s.
                        while seen.last < UInt64(total) {
                            var poller = ZMQPoller()
                            _ = poller.add(subscriber)
                            guard try poller.poll(timeout: .seconds(30)).first?.contains(.readable) == true else {
                                break
                            }
                            while let message = try subscriber.receive(dontWait: true) { seen.take(message.frames) }
                        }
                        return seen
                    }
                )
            } catch {
                fastBox.fail(error)
                subscribed.fast.fail(error)
            }
        }
        let slow = ZMQThread.start(name: "slow-subscriber") {
            do {
                slowBox.fulfil(
                    try Self.follow(publish, curve: curve, context: context, receiveHWM: 100, ready: subscribed.slow) {
                        subscriber in
                        // Reads nothing until told, then drains its queue (until 1 s passes without a message), says
                        // so, and reads on until the extra events arrive (or 30 s pass without any).
                        let wake = try go.makeReceiver()
                        defer { wake.close() }
                        var poller = ZMQPoller()
                        _ = poller.add(wake)
                        _ = try poller.poll(timeout: .seconds(120))
                        var seen = SubscriberFigures()
                        while true {
                            var poller = ZMQPoller()
                            _ = poller.add(subscriber)
                            guard try poller.poll(timeout: .seconds(1)).first?.contains(.readable) == true else {
                                break
                            }
                            while let message = try subscriber.receive(dontWait: true) { seen.take(message.frames) }
                        }
                        drained.fulfil(())
                        while seen.last < UInt64(total) {
                            var poller = ZMQPoller()
                            _ = poller.add(subscriber)
                            guard try poller.poll(timeout: .seconds(30)).first?.contains(.readable) == true else {
                                break
                            }
                            while let message = try subscriber.receive(dontWait: true) { seen.take(message.frames) }
                        }
                        return seen
                    }
                )
            } catch {
                slowBox.fail(error)
                drained.fail(error)
                subscribed.slow.fail(error)
            }
        }
        try await subscribed.fast.value()
        try await subscribed.slow.value()
        _ = try await FaultNetwork.publish(node, to: count, batch: 500, directory: network.directory)
        let stored = try await network.hubStatus(waitForTotal: count)
        let rssAfter = Self.residentKilobytes(pid)
        #expect(stored.events.total == count)
        go.post(true)
        try await drained.value()
        _ = try await FaultNetwork.publish(node, from: count, to: total, batch: extra, directory: network.directory)
        #expect(try await network.hubStatus(waitForTotal: total).events.total == total)
        await fast.join()
        await slow.join()
        let fastSeen = try await fastBox.value()
        let slowSeen = try await slowBox.value()
        figures.faults = 1
        figures.notes = [
            "fast subscriber \(fastSeen)", "slow subscriber \(slowSeen)",
            "hub RSS \(rssBefore / 1024) MB before, \(rssAfter / 1024) MB with the slow subscriber's queue full",
        ]
        figures.recoveryNote = "not applicable"
        // The reading subscriber lost nothing; the slow one lost most and can tell from the numbers.
        #expect(fastSeen.last == UInt64(total) && fastSeen.missing == 0, "\(fastSeen)")
        #expect(slowSeen.received < count, "the slow subscriber's queue should be bounded: \(slowSeen)")
        #expect(slowSeen.last == UInt64(total) && slowSeen.missing > 0, "the slow one sees its gap: \(slowSeen)")
        try await network.finish(&figures, accepted: [node.id: total])
    }

    /// Connects a SUB socket to `event.` and runs `body` with it on this thread.
    static func follow(
        _ endpoint: String,
        curve: ZMQCurveClient,
        context: ZMQContext,
        receiveHWM: Int? = nil,
        ready: ReadySignal<Void>,
        _ body: (ZMQSocket) throws -> SubscriberFigures
    ) throws -> SubscriberFigures {
        let subscriber = try context.makeSocket(.sub)
        defer { subscriber.close() }
        try subscriber.configureCurveClient(curve)
        if let receiveHWM { try subscriber.setOption(.receiveHighWaterMark, receiveHWM) }
        try subscriber.setOption(.subscribe, Array("event.".utf8))
        try subscriber.connect(endpoint)
        ready.fulfil(())
        return try body(subscriber)
    }

    /// The resident memory of a process, in kilobytes (from /proc).
    static func residentKilobytes(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    // MARK: - f. Disk full

    /// Whether this machine lets us mount a small tmpfs (root with CAP_SYS_ADMIN, as in CI).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let folder = try? TemporaryDirectory(prefix: "knutepunkt-mount") else { return false }
        defer { folder.remove() }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]
        guard (try? mount.run()) != nil else { return false }
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return false }
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [folder.path]
        try? umount.run()
        umount.waitUntilExit()
        return true
    }()

    /// f. The node's outbox on a full filesystem (a 4 MiB tmpfs, filled up): the coordinator gets DISK_FULL, nothing
    /// accepted before is lost, and the node takes events again once space is freed.
    @Test(.timeLimit(.minutes(8)), .enabled(if: canMountTmpfs, "needs root to mount a size-limited tmpfs"))
    func nodeDiskFullRefusesClearlyAndRecovers() async throws {
        let node = FaultNetwork.fourRegions[1]
        var mounted: String?
        let network = try await FaultNetwork.start(nodes: [node]) { net in
            let folder = (net.outboxPath(node.id) as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let mount = try await CommandRun.program("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", folder])
            try #require(mount.status == 0, "mount failed: \(mount.errors)")
            mounted = folder
        }
        let folder = try #require(mounted)
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", folder]
            try? umount.run()
            umount.waitUntilExit()
        }
        var figures = FaultFigures("f: node disk full (4 MiB tmpfs)")
        let directory = network.directory
        var accepted = try await FaultNetwork.publish(node, to: 500, directory: directory)
        _ = try await network.hubStatus(waitForTotal: accepted)

        // Fill the filesystem.
        let filler = (folder as NSString).appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let chunk = Data(repeating: 0x5A, count: 64 << 10)
        var filled = 0
        while filled < (8 << 20), (try? handle.write(contentsOf: chunk)) != nil { filled += chunk.count }
        try? handle.close()
        figures.faults = 1

        // Submit on until the node refuses: what it accepted counts; the refusal must say DISK_FULL.
        var refusal: String?
        let endpoint = await directory.current(node.id).endpoint
        for _ in 0..<200 where refusal == nil {
            let events = (accepted..<(accepted + 100)).map {
                EventFixtures.eventBytes(source: node.id, index: $0, region: node.region, node: node.defaultNode)
            }
            do {
                let results = try await ControlClient.withConnection(to: endpoint, timeout: .seconds(60)) {
                    try $0.submit(events)
                }
                #expect(results.allSatisfy { $0.status == .queued || $0.status == .delivered })
                accepted += results.count
            } catch let error as ClientError {
                refusal = error.message
            }
        }
        let message = try #require(refusal, "the node never refused although its disk is full")
        #expect(message.hasPrefix("DISK_FULL"), "\(message)")
        figures.notes.append("refused after \(accepted) accepted: \(message.prefix(90))…")

        // Space returns: the refused events are taken, and everything reaches the hub.
        try FileManager.default.removeItem(atPath: filler)
        let freed = ContinuousClock.now
        accepted = try await FaultNetwork.publish(node, from: accepted, to: accepted + 500, directory: directory)
        #expect(try await network.hubStatus(waitForTotal: accepted).events.total == accepted)
        figures.recovered(ContinuousClock.now - freed)
        figures.recoveryNote = "space freed until the hub held every event"
        try await network.finish(&figures, accepted: [node.id: accepted])
    }
}
