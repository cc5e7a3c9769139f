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
        by: String,
        role: String,
        actorRegion: String? = nil,
        reason: String? = nil,
        at control: String
    ) async throws -> PeriodResult {
        let request = PeriodRequest(
            region: "NO-VEST",
            month: month.text,
            step: kind,
            by: by,
            role: role,
            actorRegion: actorRegion,
            reason: reason
        )
        return try await ControlClient.withConnection(to: control) { try $0.period(request) }
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
}
