import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Testing

/// Random sequences of new events, corrections, withdrawals, conflicting and stale versions and resubmissions, as
/// a coordinator would send them: through a real outbox (the node's rules), then delivered to a real hub store of each
/// backend in random batches with resends and versions from elsewhere mixed in (the hub's rules). A model says what
/// each submission must give. Afterwards the hub holds, for every event, exactly the versions the node accepted, the
/// latest one counting (unless withdrawn), and counters equal to a recount and to a rebuild.
@Suite struct EventVersionPropertyTests {
    /// What the coordinator's model knows of one event: the content of each accepted version.
    struct ModelEvent {
        var index: Int
        /// (participants, withdrawn) of versions 1, 2, …
        var versions: [(participants: Int, withdrawn: Bool)]
        var latest: Int { versions.count }
    }

    enum Expected: Equatable {
        case append(Int)
        case existing(Int)
        case refused(EventVersioning.Refusal.Code)
    }

    static func event(
        _ index: Int,
        participants: Int,
        withdrawn: Bool,
        basedOn: Int?,
        version: Int? = nil
    ) -> ActivityEvent {
        var event = EventFixtures.activity(source: "PROP", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN")
        event.participants = participants
        event.withdrawalReason = withdrawn ? "entered twice" : nil
        event.basedOn = basedOn
        event.version = version ?? (basedOn.map { $0 + 1 } ?? 1)
        event.submittedBy = "prop"
        return event
    }

    @Test(arguments: [(HubStoreBackend.sqlite, UInt64(1)), (.sqlite, 2), (.sqlite, 3), (.postgres, 4), (.postgres, 5)])
    func randomVersionsEndWithTheNodesLatestAtTheHubAndExactCounters(
        _ backend: HubStoreBackend,
        _ seed: UInt64
    )
        async throws
    {
        var random = SplitMix64(seed: seed)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let outbox = try OutboxStore.open(path: folder.file("outbox.sqlite"))
        defer { try? outbox.close() }
        var model: [ModelEvent] = []
        var operations = 0
        for _ in 0..<300 {
            // One request of 1 to 4 submissions, decided in one transaction.
            var submissions: [OutboxStore.Submission] = []
            var expected: [Expected] = []
            var pending: [Int: ModelEvent] = [:]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let choice = Int.random(in: 0..<100, using: &random)
                if model.isEmpty || choice < 25 {
                    let index = model.count + pending.count
                    let participants = Int.random(in: 1...50, using: &random)
                    pending[index] = ModelEvent(index: index, versions: [(participants, false)])
                    submissions.append(
                        .init(event: Self.event(index, participants: participants, withdrawn: false, basedOn: nil))
                    )
                    expected.append(.append(1))
                    continue
                }
                // Any event, as the model stands after this request's earlier submissions.
                let known = model.map(\.index) + pending.keys.sorted()
                let index = known[Int.random(in: 0..<known.count, using: &random)]
                var target = pending[index] ?? model[index]
                let latest = target.versions[target.latest - 1]
                let fresh = (latest.participants % 50) + 1 + Int.random(in: 0..<3, using: &random)
                switch choice {
                case 25..<40:
                    // The latest version again, as exported (a withdrawal names what it withdrew).
                    submissions.append(
                        .init(
                            event: Self.event(
                                index,
                                participants: latest.participants,
                                withdrawn: latest.withdrawn,
                                basedOn: latest.withdrawn ? target.latest - 1 : nil
                            )
                        )
                    )
                    expected.append(.existing(target.latest))
                case 40..<60:
                    target.versions.append((fresh, false))
                    submissions.append(
                        .init(
                            event: Self.event(index, participants: fresh, withdrawn: false, basedOn: target.latest - 1)
                        )
                    )
                    expected.append(.append(target.latest))
                case 60..<70:
                    guard target.latest >= 2 else { fallthrough }
                    let base = Int.random(in: 1..<target.latest, using: &random)
                    let next = target.versions[base]
                    let changed = next.participants == fresh ? fresh + 1 : fresh
                    submissions.append(
                        .init(event: Self.event(index, participants: changed, withdrawn: false, basedOn: base))
                    )
                    expected.append(.refused(.staleVersion))
                case 70..<80:
                    // Without based_on: a version held (an older one sent again) or a conflict.
                    let changed =
                        random.chance(0.5)
                        ? target.versions[Int.random(in: 0..<target.latest, using: &random)].participants : fresh
                    submissions.append(
                        .init(event: Self.event(index, participants: changed, withdrawn: false, basedOn: nil))
                    )
                    let held = target.versions.lastIndex { $0.participants == changed && !$0.withdrawn }
                    expected.append(held.map { .existing($0 + 1) } ?? .refused(.conflictingContent))
                case 80..<90 where !latest.withdrawn:
                    target.versions.append((latest.participants, true))
                    submissions.append(
                        .init(
                            event: Self.event(
                                index,
                                participants: latest.participants,
                                withdrawn: true,
                                basedOn: target.latest - 1
                            )
                        )
                    )
                    expected.append(.append(target.latest))
                default:
                    // An older version exactly as it was exported: its number given.
                    let version = Int.random(in: 1...target.latest, using: &random)
                    let old = target.versions[version - 1]
                    submissions.append(
                        .init(
                            event: Self.event(
                                index,
                                participants: old.participants,
                                withdrawn: old.withdrawn,
                                basedOn: version > 1 ? version - 1 : nil,
                                version: version
                            ),
                            versionGiven: true
                        )
                    )
                    expected.append(.existing(version))
                }
                if index < model.count { model[index] = target } else { pending[index] = target }
            }
            let outcomes = try outbox.submit(submissions)
            for (outcome, wanted) in zip(outcomes, expected) {
                let got: Expected =
                    if let refusal = outcome.refusal {
                        .refused(refusal.code)
                    } else if outcome.existing {
                        .existing(outcome.version)
                    } else {
                        .append(outcome.version)
                    }
                #expect(got == wanted, "seed \(seed), operation \(operations)")
                operations += 1
            }
            for index in pending.keys.sorted() { model.append(pending[index]!) }
        }

        // Deliver the outbox to a hub store, in random batches, with resends and versions from elsewhere.
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        let store = try fixture.open()
        defer { try? store.close() }
        let validator = EventValidator(taxonomy: InProcessDaemons.taxonomy)
        let last = try outbox.positions().lastSequence
        let delivered = try outbox.payloads(1...last).map { item in
            let event = try validator.validate(JSONValue.parse(item.payload), defaults: .hub, today: .today()).get()
            return HubEventRecord(source: "NO-VEST", sequence: item.sequence, event: event, payload: item.payload)
        }
        var position = 0
        var rogue: UInt64 = 0
        while position < delivered.count {
            let size = Int.random(in: 1...40, using: &random)
            var batch = HubBatch()
            // A resend of what an earlier batch held (a hub restart before its ACK).
            if position > 0, random.chance(0.3) {
                batch.events += delivered[max(0, position - Int.random(in: 1...10, using: &random))..<position]
            }
            batch.events += delivered[position..<min(delivered.count, position + size)]
            // Versions from another node, or from this node's lost outbox: refused or recognised, never counted.
            if random.chance(0.6), let victim = batch.events.randomElement(using: &random) {
                rogue += 1
                var event = try validator.validate(JSONValue.parse(victim.payload), defaults: .hub, today: .today())
                    .get()
                event.participants += 1000
                let source = random.chance(0.5) ? "NO-VEST-2" : "NO-VEST"
                let sequence = source == "NO-VEST" ? 1_000_000 + rogue : rogue
                batch.events.append(
                    HubEventRecord(source: source, sequence: sequence, event: event, payload: event.canonicalJSON())
                )
            }
            for record in batch.events {
                batch.settled[record.source] = max(batch.settled[record.source] ?? 0, record.sequence)
            }
            _ = try store.commit(batch, receivedAt: Date())
            position += size
        }

        // Every version the node accepted, exactly once, in order; the latest counts.
        var recount = ActivityCounters()
        var counting = 0
        for event in model {
            let id = try #require(UUID(uuidString: EventFixtures.id("PROP", event.index)))
            let history = try store.history(of: id)
            #expect(history.map(\.version) == Array(1...event.latest), "event \(event.index)")
            #expect(history.map(\.latest) == (1...event.latest).map { $0 == event.latest })
            #expect(history.map(\.withdrawn) == event.versions.map(\.withdrawn))
            let nodeLatest = try #require(try outbox.latest(of: id))
            #expect(history.last?.payload == nodeLatest.payload, "the hub's latest is the node's latest")
            let latest = event.versions[event.latest - 1]
            if !latest.withdrawn {
                let last = Self.event(event.index, participants: latest.participants, withdrawn: false, basedOn: nil)
                recount.add(ActivityCell(last), ActivityCount(last))
                counting += 1
            }
        }
        let keys = try store.storedKeys()
        #expect(keys.count == delivered.count)
        #expect(Set(keys.map { "\($0.source)#\($0.sequence)" }).count == keys.count)
        #expect(try store.counts().total == counting)
        #expect(try store.counts().versions == delivered.count)
        #expect(try store.activityCounters() == recount)
        try store.rebuildActivityCounts(validator: validator, today: .today())
        #expect(try store.activityCounters() == recount)
        print(
            "versions property (\(backend), seed \(seed)): \(operations) submissions, \(model.count) events, \(delivered.count) versions, \(rogue) stray versions"
        )
    }
}
