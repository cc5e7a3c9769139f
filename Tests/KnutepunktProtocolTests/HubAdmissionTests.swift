import KnutepunktTesting
import Testing

@testable import KnutepunktProtocol

/// The hub's admission policy, without sockets: keys, grants, regions and the rate limit, and a reload that swaps all
/// of them at once.
@Suite struct HubAdmissionTests {
    typealias Hub = HubSessionStateMachine

    let t0 = ContinuousClock.now
    let peer: Hub.Peer = [0x00, 0x41]
    let keyNord = "NORDKEY-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    let keyVest = "VESTKEY-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

    func policy(
        grants: [String: String] = ["NORD-01": "NO-NORD", "VEST-02": "NO-VEST"],
        keys: [String: [String]]? = nil,
        rate: Int? = nil
    ) -> HubAdmission.Policy {
        let keys = keys ?? ["NORD-01": [keyNord], "VEST-02": [keyVest]]
        let keyring = CurveKeyring(
            nodes: grants.keys.sorted().map { ($0, grants[$0]!, keys[$0] ?? []) },
            viewers: ["VIEWER"]
        )
        return HubAdmission.Policy(grants: grants, keyring: keyring, eventsPerSecond: rate)
    }

    func hello(_ node: String) -> WireMessage {
        .hello(.init(version: .current, nodeID: node, software: "test"))
    }

    func events(_ first: UInt64, _ count: Int) -> WireMessage {
        .events(.init(firstSequence: first, payloads: (0..<count).map { _ in [0x7B, 0x7D] }))
    }

    func refusals(_ actions: [Hub.Action]) -> [HubAdmission.Refusal] {
        actions.compactMap { if case .refused(_, let refusal) = $0 { refusal } else { nil } }
    }

    @Test func aHelloIsAdmittedOnlyWithTheNodesOwnKeyAndAGrant() {
        let admission = HubAdmission(policy())
        #expect(admission.hello(nodeID: "NORD-01", key: keyNord) == .success("NO-NORD"))
        #expect(
            admission.hello(nodeID: "NORD-01", key: keyVest).failureCounter == "wrong node",
            "a key of another node is refused"
        )
        #expect(admission.hello(nodeID: "NORD-01", key: "UNKNOWN").failureCounter == "key revoked")
        #expect(admission.hello(nodeID: "NORD-01", key: nil).failureCounter == "key revoked")
        let plaintext = HubAdmission(.init(grants: ["NORD-01": "NO-NORD"], keyring: nil, eventsPerSecond: nil))
        #expect(plaintext.hello(nodeID: "NORD-01", key: nil) == .success("NO-NORD"))
        #expect(plaintext.hello(nodeID: "SØR-09", key: nil).failureCounter == "unknown node")
    }

    @Test func connectionsAreDecidedByDomainAndKey() {
        let admission = HubAdmission(policy())
        #expect(
            admission.connection(domain: CurveKeyring.nodeDomain, mechanism: "CURVE", publicKey: keyNord)
                == .allowed(userID: keyNord)
        )
        #expect(
            admission.connection(domain: CurveKeyring.viewerDomain, mechanism: "CURVE", publicKey: keyNord)
                != .allowed(userID: keyNord),
            "a node key is not a viewer key"
        )
        #expect(
            admission.connection(domain: CurveKeyring.nodeDomain, mechanism: "NULL", publicKey: nil)
                != .allowed(userID: "")
        )
    }

    @Test func eventsAreRefusedWhenTheKeyIsNotTheSessionsNode() {
        var hub = Hub(configuration: .init(hubID: "HUB"), admission: HubAdmission(policy()), settled: [:])
        _ = hub.received(hello("NORD-01"), from: peer, key: keyNord, now: t0)
        #expect(hub.node(of: peer) == "NORD-01")
        let foreign = hub.received(events(1, 2), from: peer, key: keyVest, now: t0)
        #expect(refusals(foreign).map(\.counter) == ["wrong node"])
        #expect(!foreign.contains { if case .ingest = $0 { true } else { false } })
        let own = hub.received(events(1, 2), from: peer, key: keyNord, now: t0)
        #expect(own.filter { if case .ingest = $0 { true } else { false } }.count == 2)
    }

    @Test func theRateLimitHoldsBackAFloodWithoutSettlingIt() {
        var hub = Hub(configuration: .init(hubID: "HUB"), admission: HubAdmission(policy(rate: 10)), settled: [:])
        _ = hub.received(hello("NORD-01"), from: peer, key: keyNord, now: t0)
        // The bucket holds 10: a message of 10 empties it, and the next one at the same moment waits.
        let first = hub.received(events(1, 10), from: peer, key: keyNord, now: t0)
        #expect(refusals(first).isEmpty)
        let second = hub.received(events(11, 5), from: peer, key: keyNord, now: t0)
        #expect(refusals(second).map(\.reason) == [.rateLimited])
        #expect(!second.contains { if case .ingest = $0 { true } else { false } })
        // A second later the budget is back and the same message is taken: nothing was lost, only delayed.
        let later = hub.received(events(11, 5), from: peer, key: keyNord, now: t0 + .milliseconds(1100))
        #expect(refusals(later).isEmpty)
        #expect(later.filter { if case .ingest = $0 { true } else { false } }.count == 5)
    }

    @Test func eventsAreAttributedToTheSendersGrantNotToThePayload() {
        let admission = HubAdmission(policy())
        #expect(admission.attribution(of: "NO-NORD", from: "NORD-01") == nil)
        #expect(admission.attribution(of: "NO-VEST", from: "NORD-01")?.reason == .foreignRegion)
    }

    @Test func aReloadSwapsKeysGrantsRegionsAndRateAtOnce() {
        var hub = Hub(configuration: .init(hubID: "HUB"), admission: HubAdmission(policy()), settled: [:])
        let vestPeer: Hub.Peer = [0x00, 0x42]
        _ = hub.received(hello("NORD-01"), from: peer, key: keyNord, now: t0)
        _ = hub.received(hello("VEST-02"), from: vestPeer, key: keyVest, now: t0)
        #expect(hub.sessions.map(\.nodeID) == ["NORD-01", "VEST-02"])

        // NORD-01 rotates its key, VEST-02 moves region, a new node SØR-03 is granted, and a rate is set.
        let rotated = "NORDKEY2-cccccccccccccccccccccccccccccccccc"
        let (change, actions) = hub.replaceAdmission(
            with: policy(
                grants: ["NORD-01": "NO-NORD", "VEST-02": "NO-MIDT", "SØR-03": "NO-SØR"],
                keys: ["NORD-01": [rotated], "VEST-02": [keyVest], "SØR-03": ["SØRKEY"]],
                rate: 100
            )
        )
        #expect(change.keysAdded == 2 && change.keysRemoved == 1)
        #expect(change.nodesAdded == ["SØR-03"] && change.nodesRemoved.isEmpty)
        #expect(change.regionsChanged == ["VEST-02"] && change.rateChanged)
        #expect(actions == [.sessionClosed(nodeID: "VEST-02", reason: "its region changed")])
        // The old key stops at its next message; the new one is let in.
        #expect(refusals(hub.received(.heartbeat, from: peer, key: keyNord, now: t0)).map(\.counter) == ["key revoked"])
        #expect(refusals(hub.received(.heartbeat, from: peer, key: rotated, now: t0)).isEmpty)
        #expect(hub.admission.hello(nodeID: "VEST-02", key: keyVest) == .success("NO-MIDT"))
        #expect(hub.admission.hello(nodeID: "SØR-03", key: "SØRKEY") == .success("NO-SØR"))

        // Withdrawing NORD-01's grant closes its session.
        let (_, withdrawn) = hub.replaceAdmission(
            with: policy(grants: ["VEST-02": "NO-MIDT"], keys: ["VEST-02": [keyVest]])
        )
        #expect(withdrawn == [.sessionClosed(nodeID: "NORD-01", reason: "its grant was withdrawn")])
    }
}

extension Result where Success == String, Failure == HubAdmission.Refusal {
    fileprivate var failureCounter: String? {
        if case .failure(let refusal) = self { refusal.counter } else { nil }
    }
}
