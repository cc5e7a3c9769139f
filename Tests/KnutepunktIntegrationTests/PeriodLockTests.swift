import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// Sign-off and lock on loopback, on SQLite and on a real PostgreSQL server: a regional lead signs a month off, the
/// national analyst accepts it, and from then on the node refuses activities, withdrawals and returns dated in it
/// before anything is queued (it learns the lock over its link); the hub refuses them too, also after a restart; the
/// national centre reopens the month with a reason, and every step is in its history.
@Suite(.serialized)
struct PeriodLockTests {
    static func event(_ index: Int, on date: LocalDate) -> String {
        var event = EventFixtures.activity(source: "L", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN")
        event.date = date
        return String(decoding: event.canonicalJSON(), as: UTF8.self)
    }

    static func step(
        _ kind: PeriodLedger.Step.Kind,
        _ month: ReportingMonth,
        region: String = "NO-VEST",
        by: String,
        role: String,
        actorRegion: String? = nil,
        reason: String? = nil,
        at control: String,
        curve: ZMQCurveClient? = nil
    ) async throws -> PeriodResult {
        let request = PeriodRequest(
            region: region,
            month: month.text,
            step: kind,
            by: by,
            role: role,
            actorRegion: actorRegion,
            reason: reason
        )
        return try await ControlClient.withConnection(to: control, timeout: .seconds(60), curve: curve) {
            try $0.period(request)
        }
    }

    /// The node's status once it knows the locks `done` waits for (each request is one turn of its loop).
    static func nodeStatus(
        _ control: String,
        until done: @escaping @Sendable ([String]) -> Bool
    ) async throws
        -> NodeStatusReport
    {
        for _ in 0..<500 {
            let report = try await ControlClient.withConnection(to: control) { try $0.status() }
            guard case .node(let node, _) = report else { throw PeerFailure("not a node's status") }
            if done(node.lockedMonths ?? []) { return node }
        }
        throw PeerFailure("the node never learnt the locks")
    }

    @Test(.timeLimit(.minutes(3)), arguments: ["sqlite", "postgres"])
    func aLockedMonthIsRefusedAtTheNodeAndAtTheHubAcrossARestart(_ backend: String) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let month = ReportingMonth(today).adding(months: -1)
        let inMonth = month.first.adding(days: 9)
        let taxonomyPath = folder.file("taxonomy.yaml")
        try MonthlyReturnTests.taxonomyText(today: today).write(toFile: taxonomyPath, atomically: true, encoding: .utf8)
        let taxonomy = try TaxonomyFile.load(path: taxonomyPath)
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        hubConfiguration.taxonomyPath = taxonomyPath
        if backend == "postgres" {
            hubConfiguration.storage = .postgres(try await PostgresTestServer.makeDatabase())
        }

        // 1. Locked while the node runs: it learns the lock over its link and refuses before queuing anything.
        let first = try await InProcessDaemons.withHub(hubConfiguration, taxonomy: taxonomy) { hub in
            var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            nodeConfiguration.taxonomyPath = taxonomyPath
            return try await InProcessDaemons.withNode(nodeConfiguration, taxonomy: taxonomy) { node in
                let before = try await NodeToHubTests.submit([Self.event(1, on: inMonth)], to: node.control)
                _ = try await NodeToHubTests.drained(node.control)
                // Only the lead of the region signs off, and only the analyst accepts what was signed off.
                await #expect(throws: ClientError.self) {
                    try await Self.step(.accept, month, by: "nina", role: "analyst", at: hub.control)
                }
                await #expect(throws: ClientError.self) {
                    try await Self.step(
                        .signOff,
                        month,
                        by: "ola",
                        role: "lead",
                        actorRegion: "NO-NORD",
                        at: hub.control
                    )
                }
                let signed = try await Self.step(
                    .signOff,
                    month,
                    by: "liv",
                    role: "lead",
                    actorRegion: "NO-VEST",
                    at: hub.control
                )
                let locked = try await Self.step(.accept, month, by: "nina", role: "analyst", at: hub.control)
                let status = try await Self.nodeStatus(node.control) { !$0.isEmpty }
                let refused = try await NodeToHubTests.submit([Self.event(2, on: inMonth)], to: node.control)
                let withdrawal = try await ControlClient.withConnection(to: node.control) {
                    try $0.withdraw(WithdrawRequest(id: EventFixtures.id("L", 1), reason: "entered twice"))
                }
                let monthly = try await MonthlyReturnTests.make("NO-VEST-BERGEN", month, .complete, at: node.control)
                let elsewhere = try await NodeToHubTests.submit([Self.event(3, on: today)], to: node.control)
                let after = try await NodeToHubTests.drained(node.control)
                return (before, signed, locked, status, refused, withdrawal, monthly, elsewhere, after)
            }
        }
        let (before, signed, locked, status, refused, withdrawal, monthly, elsewhere, after) = first
        #expect(before.first?.status == .queued)
        #expect(signed.state.hasPrefix("signed off by liv") && !signed.locked)
        #expect(locked.locked && locked.state.hasPrefix("locked (accepted by nina"))
        #expect(status.lockedMonths?.first?.hasPrefix("NO-VEST \(month), locked by nina") == true)
        let message = "\(month) is locked for NO-VEST (accepted by nina"
        #expect(refused.first?.status == .invalid)
        #expect(refused.first?.issues?.first?.code == .periodLocked)
        #expect(refused.first?.issues?.first?.message.hasPrefix(message) == true, "\(refused)")
        #expect(withdrawal.status == .invalid && withdrawal.issues?.first?.code == .periodLocked)
        #expect(monthly.status == .invalid && monthly.issues?.first?.code == .periodLocked)
        #expect(elsewhere.first?.status == .queued && elsewhere.first?.sequence == 2, "nothing refused was queued")
        #expect(after.outbox.deliveredThrough == 2 && after.outbox.rejected == 0)

        // 2. The hub restarts: the lock holds there too (a node that does not know it is NACKed PERIOD_LOCKED);
        //    reopened with a reason, the month takes activities again.
        let second = try await InProcessDaemons.withHub(hubConfiguration, taxonomy: taxonomy) { hub in
            let nacked = try await onSocketThread { () -> [WireMessage] in
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: hub.listen, context: context)
                defer { peer.close() }
                guard let welcome = try peer.greet(as: "NO-VEST") else { throw PeerFailure("no WELCOME") }
                let next = welcome.settledThrough + 1
                try peer.send(.events(.init(firstSequence: next, payloads: [Array(Self.event(4, on: inMonth).utf8)])))
                return try peer.receive(until: { $0 == .ack(settledThrough: next) })
            }
            let reopened = try await Self.step(
                .reopen,
                month,
                by: "nina",
                role: "analyst",
                reason: "late corrections from Bergen",
                at: hub.control
            )
            let accepted = try await onSocketThread { () -> [WireMessage] in
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: hub.listen, context: context)
                defer { peer.close() }
                guard let welcome = try peer.greet(as: "NO-VEST") else { throw PeerFailure("no WELCOME") }
                let next = welcome.settledThrough + 1
                try peer.send(.events(.init(firstSequence: next, payloads: [Array(Self.event(5, on: inMonth).utf8)])))
                return try peer.receive(until: { $0 == .ack(settledThrough: next) })
            }
            let history = try await ControlClient.withConnection(to: hub.control) {
                try $0.period(PeriodRequest(region: "NO-VEST", month: month.text))
            }
            return (nacked, reopened, accepted, history)
        }
        let (nacked, reopened, accepted, history) = second
        let nack = nacked.compactMap { if case .nack(let nack) = $0 { nack } else { nil } }
        #expect(nack.map(\.reason) == [.periodLocked])
        #expect(nack.first?.detail.contains(message) == true, "\(nack)")
        #expect(!reopened.locked && reopened.state == "open")
        #expect(!accepted.contains { if case .nack = $0 { true } else { false } })
        #expect(history.history.map(\.kind) == [.signOff, .accept, .reopen])
        #expect(history.history.map(\.by) == ["liv", "nina", "nina"])
        #expect(history.history.last?.reason == "late corrections from Bergen")
    }

    /// Signs off and accepts `month` for NO-VEST at the hub, and waits until the node at `node` knows the lock.
    static func lock(_ month: ReportingMonth, hub: String, node: String) async throws {
        _ = try await Self.step(.signOff, month, by: "liv", role: "lead", actorRegion: "NO-VEST", at: hub)
        let locked = try await Self.step(.accept, month, by: "nina", role: "analyst", at: hub)
        #expect(locked.locked)
        _ = try await Self.nodeStatus(node) { !$0.isEmpty }
    }

    /// The node keeps the locked months it learnt in its outbox: restarted while the hub is down, it still refuses an
    /// event dated in a locked month before queuing it, and queues one dated elsewhere; reaching a hub without the
    /// lock, it takes that hub's locks.
    @Test(.timeLimit(.minutes(3)))
    func theNodeKeepsTheLocksItLearntAcrossARestartWithTheHubDown() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let month = ReportingMonth(today).adding(months: -1)
        let inMonth = month.first.adding(days: 9)
        let taxonomyPath = folder.file("taxonomy.yaml")
        try MonthlyReturnTests.taxonomyText(today: today).write(toFile: taxonomyPath, atomically: true, encoding: .utf8)
        let taxonomy = try TaxonomyFile.load(path: taxonomyPath)
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        hubConfiguration.taxonomyPath = taxonomyPath
        let listen = try await InProcessDaemons.withHub(hubConfiguration, taxonomy: taxonomy) { hub in
            var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            nodeConfiguration.taxonomyPath = taxonomyPath
            try await InProcessDaemons.withNode(nodeConfiguration, taxonomy: taxonomy) { node in
                try await Self.lock(month, hub: hub.control, node: node.control)
            }
            return hub.listen
        }
        // The hub is gone; the node starts again on the same outbox, pointed at where the hub was.
        var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: listen)
        nodeConfiguration.taxonomyPath = taxonomyPath
        let (refused, elsewhere, status) = try await InProcessDaemons.withNode(nodeConfiguration, taxonomy: taxonomy) {
            node in
            let refused = try await NodeToHubTests.submit([Self.event(1, on: inMonth)], to: node.control)
            let elsewhere = try await NodeToHubTests.submit([Self.event(2, on: today)], to: node.control)
            let report = try await ControlClient.withConnection(to: node.control) { try $0.status() }
            guard case .node(let status, _) = report else { throw PeerFailure("not a node's status") }
            return (refused, elsewhere, status)
        }
        #expect(refused.first?.status == .invalid && refused.first?.issues?.first?.code == .periodLocked)
        #expect(
            refused.first?.issues?.first?.message.hasPrefix("\(month) is locked for NO-VEST (accepted by nina") == true
        )
        #expect(elsewhere.first?.status == .queued && elsewhere.first?.sequence == 1, "nothing refused was queued")
        #expect(status.lockedMonths?.first?.hasPrefix("NO-VEST \(month), locked by nina") == true)
        #expect(status.outbox.backlog == 1)

        // Another hub, whose store holds no steps (as one restored from before the lock would): the node takes the
        // first locks of the session whatever their version, so the month takes activities again.
        let other = try TemporaryDirectory()
        defer { other.remove() }
        var otherHub = InProcessDaemons.hubConfiguration(folder: other)
        otherHub.taxonomyPath = taxonomyPath
        let (unlocked, accepted) = try await InProcessDaemons.withHub(otherHub, taxonomy: taxonomy) { hub in
            var configuration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            configuration.taxonomyPath = taxonomyPath
            return try await InProcessDaemons.withNode(configuration, taxonomy: taxonomy) { node in
                let unlocked = try await Self.nodeStatus(node.control) { $0.isEmpty }
                let accepted = try await NodeToHubTests.submit([Self.event(3, on: inMonth)], to: node.control)
                return (unlocked, accepted)
            }
        }
        #expect((unlocked.lockedMonths ?? []).isEmpty)
        #expect(accepted.first?.status == .queued || accepted.first?.status == .delivered, "\(accepted)")
        let reopened = try OutboxStore.open(path: nodeConfiguration.outboxPath)
        defer { try? reopened.close() }
        #expect(try reopened.periodLocks().locks.isEmpty, "the outbox holds the new hub's set")
    }

    /// A correction that moves an activity out of a locked month changes that month: the node refuses it before
    /// queuing, and the hub refuses it (NACK PERIOD_LOCKED, by the date of the version it replaces) from a node that
    /// does not know the lock; a withdrawal, dated in the month, is refused by its own date.
    @Test(.timeLimit(.minutes(3)), arguments: ["sqlite", "postgres"])
    func aCorrectionMovingAnActivityOutOfALockedMonthIsRefused(_ backend: String) async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let month = ReportingMonth(today).adding(months: -1)
        let inMonth = month.first.adding(days: 9)
        let taxonomyPath = folder.file("taxonomy.yaml")
        try MonthlyReturnTests.taxonomyText(today: today).write(toFile: taxonomyPath, atomically: true, encoding: .utf8)
        let taxonomy = try TaxonomyFile.load(path: taxonomyPath)
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        hubConfiguration.taxonomyPath = taxonomyPath
        if backend == "postgres" {
            hubConfiguration.storage = .postgres(try await PostgresTestServer.makeDatabase())
        }
        // Version 2 of the activity: the same, dated today instead of in the locked month.
        var moved = EventFixtures.activity(source: "L", index: 1, region: "NO-VEST", node: "NO-VEST-BERGEN")
        moved.date = today
        moved.version = 2
        moved.basedOn = 1
        let correction = String(decoding: moved.canonicalJSON(), as: UTF8.self)
        var withdrawn = EventFixtures.activity(source: "L", index: 1, region: "NO-VEST", node: "NO-VEST-BERGEN")
        withdrawn.date = inMonth
        withdrawn.version = 2
        withdrawn.basedOn = 1
        withdrawn.withdrawalReason = "entered twice"
        let withdrawal = String(decoding: withdrawn.canonicalJSON(), as: UTF8.self)
        let (atNode, nacked) = try await InProcessDaemons.withHub(hubConfiguration, taxonomy: taxonomy) { hub in
            var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            nodeConfiguration.taxonomyPath = taxonomyPath
            let atNode = try await InProcessDaemons.withNode(nodeConfiguration, taxonomy: taxonomy) { node in
                let first = try await NodeToHubTests.submit([Self.event(1, on: inMonth)], to: node.control)
                #expect(first.first?.status == .queued)
                _ = try await NodeToHubTests.drained(node.control)
                try await Self.lock(month, hub: hub.control, node: node.control)
                return try await NodeToHubTests.submit([correction], to: node.control)
            }
            // A node that does not know the lock sends the correction and the withdrawal anyway.
            let nacked = try await onSocketThread { () -> [WireMessage] in
                let context = try ZMQContext()
                defer { context.terminate() }
                let peer = try RawPeer(connectTo: hub.listen, context: context)
                defer { peer.close() }
                guard let welcome = try peer.greet(as: "NO-VEST") else { throw PeerFailure("no WELCOME") }
                let next = welcome.settledThrough + 1
                try peer.send(
                    .events(.init(firstSequence: next, payloads: [Array(correction.utf8), Array(withdrawal.utf8)]))
                )
                return try peer.receive(until: { $0 == .ack(settledThrough: next + 1) })
            }
            return (atNode, nacked)
        }
        let message = "\(month) is locked for NO-VEST (accepted by nina"
        #expect(atNode.first?.status == .invalid && atNode.first?.issues?.first?.code == .periodLocked)
        #expect(atNode.first?.issues?.first?.message.hasPrefix(message) == true, "\(atNode)")
        let nacks = nacked.compactMap { if case .nack(let nack) = $0 { nack } else { nil } }
        #expect(nacks.map(\.reason) == [.periodLocked, .periodLocked])
        // The correction by the date of the version it replaces; the withdrawal (dated in the month) by its own.
        #expect(
            nacks.first?.detail.contains("version 1, which this one replaces, is dated \(inMonth.iso): \(message)")
                == true,
            "\(nacks)"
        )
        #expect(nacks.last?.detail.hasPrefix("date: \(message)") == true, "\(nacks)")
        // The hub holds version 1 only, still counted in the locked month.
        let versions = try await hubConfiguration.storage.withStore { store in try store.counts().versions }
        #expect(versions == 1)
    }

    /// A node's key on the hub's control socket (a node listed as a viewer, so that its workspace can ask for the
    /// region's picture and sign its months off) takes only the regional lead's step for its own region: it cannot
    /// accept or reopen a month, nor sign off another region's, whatever role the request claims. The hub's own
    /// viewer key (the national centre's) still accepts.
    @Test(.timeLimit(.minutes(3)))
    func aNodesKeySignsOffItsOwnRegionOnly() async throws {
        let network = try LoopbackNetwork()
        defer { network.folder.remove() }
        try network.writeHubConfig()
        try network.writeNodeConfig("NO-VEST", hub: "tcp://127.0.0.1:9")
        guard case (.hub(var hub), _) = try DaemonConfiguration.load(path: network.hubConfigPath),
            case (.node(let node), _) = try DaemonConfiguration.load(path: network.nodeConfigPath("NO-VEST")),
            let nodeKeys = node.curve
        else {
            Issue.record("the test network's configurations did not load")
            return
        }
        hub.curve?.viewerKeys.append(nodeKeys.publicKey)
        let hubKey = try #require(hub.curve?.publicKey)
        let asNode = ZMQCurveClient(
            serverKey: hubKey,
            keys: ZMQCurveKeyPair(publicKey: nodeKeys.publicKey, secretKey: nodeKeys.secretKey)
        )
        let national = try #require(hub.viewerCurve)
        let month = ReportingMonth(LocalDate.today()).adding(months: -1)
        try await InProcessDaemons.withHub(hub) { endpoints in
            let control = endpoints.control
            // Claiming the analyst's role, or another region, with a node's key: refused, saying why.
            for (kind, region, role, actor) in [
                (PeriodLedger.Step.Kind.accept, "NO-VEST", "analyst", nil),
                (.reopen, "NO-VEST", "analyst", nil),
                (.signOff, "NO-NORD", "lead", "NO-NORD"),
            ] as [(PeriodLedger.Step.Kind, String, String, String?)] {
                await #expect(throws: ClientError.self, "\(kind) \(region) as \(role)") {
                    try await Self.step(
                        kind,
                        month,
                        region: region,
                        by: "someone",
                        role: role,
                        actorRegion: actor,
                        at: control,
                        curve: asNode
                    )
                }
            }
            do {
                _ = try await Self.step(
                    .accept,
                    month,
                    region: "NO-VEST",
                    by: "someone",
                    role: "analyst",
                    at: control,
                    curve: asNode
                )
            } catch {
                #expect("\(error)".contains("a node's key signs off its own region's months (NO-VEST)"), "\(error)")
            }
            // Its own region's sign-off goes through; the national centre's key accepts it.
            let signed = try await Self.step(
                .signOff,
                month,
                region: "NO-VEST",
                by: "someone",
                role: "lead",
                actorRegion: "NO-VEST",
                at: control,
                curve: asNode
            )
            #expect(signed.state.hasPrefix("signed off by someone"))
            let accepted = try await Self.step(
                .accept,
                month,
                region: "NO-VEST",
                by: "someone",
                role: "analyst",
                at: control,
                curve: national
            )
            #expect(accepted.locked)
        }
    }
}
