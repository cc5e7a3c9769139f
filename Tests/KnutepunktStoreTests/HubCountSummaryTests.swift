import Foundation
import KnutepunktDomain
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The status counts (``HubStore/counts()``) come from a summary every write keeps in its own transaction: after
/// every commit of random new events, corrections (some moving an event to another node), withdrawals, resends,
/// duplicate ids, conflicting, stale and foreign versions and refusals from several sources, across restarts and a
/// copy to another store, they equal a scan of the events (``HubStore/countsByScan()``); a store from before the
/// summary gets it filled when it opens; and reading them does not touch the events table.
@Suite struct HubCountSummaryTests {
    /// The sources of the random traffic, each with its region and the nodes its events may name.
    static let sources: [(source: String, region: String, nodes: [String])] = [
        ("NO-VEST", "NO-VEST", ["NO-VEST-BERGEN", "NO-VEST-FORDE"]),
        ("NO-VEST-2", "NO-VEST", ["NO-VEST-BERGEN"]),
        ("NO-NORD", "NO-NORD", ["NO-NORD-TROMSO", "NO-NORD-BODO"]),
    ]

    /// What the traffic knows of one event: where it came from and its latest stored version.
    struct Known {
        var source: Int
        var latest: ActivityEvent
    }

    /// Random traffic as hubs see it: each batch mixes new events, versions that are stored, versions that are
    /// refused or recognised, resends and refusals of the hub's own.
    struct Traffic {
        var random: SplitMix64
        var known: [Known] = []
        var next: [Int] = Array(repeating: 0, count: HubCountSummaryTests.sources.count)
        var sent: [HubEventRecord] = []
        /// Every version sent, by its payload (how the store gives it back).
        var versions: [[UInt8]: ActivityEvent] = [:]
        var refusedKeys: [(String, UInt64)] = []

        init(seed: UInt64) { random = SplitMix64(seed: seed) }

        mutating func sequence(_ source: Int) -> UInt64 {
            next[source] += 1
            return UInt64(next[source])
        }

        mutating func record(_ source: Int, _ event: ActivityEvent) -> HubEventRecord {
            let name = HubCountSummaryTests.sources[source].source
            let record = HubEventRecord(
                source: name,
                sequence: sequence(source),
                event: event,
                payload: event.canonicalJSON()
            )
            sent.append(record)
            versions[record.payload] = event
            return record
        }

        /// The next version of `event`: based on its latest (or on `basedOn`, making it stale), with other participants
        /// and maybe another node.
        mutating func corrected(_ known: Known, withdrawn: Bool = false, basedOn: Int? = nil) -> ActivityEvent {
            var event = known.latest
            event.basedOn = basedOn ?? known.latest.version
            event.version = known.latest.version + 1
            event.participants = Int.random(in: 1...60, using: &random)
            if random.chance(0.3) {
                event.node = HubCountSummaryTests.sources[known.source].nodes.randomElement(using: &random)!
            }
            event.withdrawalReason = withdrawn ? "entered twice" : nil
            event.submittedBy = "prop"
            return event
        }

        mutating func batch() -> HubBatch {
            var batch = HubBatch()
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                let choice = Int.random(in: 0..<100, using: &random)
                if known.isEmpty || choice < 30 {
                    let source = Int.random(in: 0..<HubCountSummaryTests.sources.count, using: &random)
                    let (name, region, nodes) = HubCountSummaryTests.sources[source]
                    let index = known.count
                    var event = EventFixtures.activity(
                        source: name,
                        index: index,
                        region: region,
                        node: nodes.randomElement(using: &random)!
                    )
                    event.participants = Int.random(in: 1...60, using: &random)
                    batch.events.append(record(source, event))
                    known.append(Known(source: source, latest: event))
                    continue
                }
                let target = known[Int.random(in: 0..<known.count, using: &random)]
                switch choice {
                case 30..<50:
                    batch.events.append(record(target.source, corrected(target)))
                case 50..<60:
                    batch.events.append(record(target.source, corrected(target, withdrawn: !target.latest.isWithdrawn)))
                case 60..<65 where target.latest.version >= 2:
                    // Based on an older version than the latest: STALE_VERSION.
                    batch.events.append(record(target.source, corrected(target, basedOn: target.latest.version - 1)))
                case 65..<70:
                    // The latest version again under a new sequence: DUPLICATE_EVENT_ID.
                    batch.events.append(record(target.source, target.latest))
                case 70..<75:
                    // The latest version's number with other content: CONFLICTING_CONTENT.
                    var event = target.latest
                    event.participants += 100
                    batch.events.append(record(target.source, event))
                case 75..<80:
                    // A version from another node: FOREIGN_REGION.
                    let other = (target.source + 1) % HubCountSummaryTests.sources.count
                    batch.events.append(record(other, corrected(target)))
                case 80..<90 where !sent.isEmpty:
                    // A resend of what was sent before (a hub restart before its ACK).
                    batch.events.append(sent[Int.random(in: 0..<sent.count, using: &random)])
                default:
                    // A refusal of the hub's own, sometimes again for one already on record.
                    let source = Int.random(in: 0..<HubCountSummaryTests.sources.count, using: &random)
                    let key =
                        !refusedKeys.isEmpty && random.chance(0.3)
                        ? refusedKeys[Int.random(in: 0..<refusedKeys.count, using: &random)]
                        : (HubCountSummaryTests.sources[source].source, sequence(source))
                    refusedKeys.append(key)
                    batch.rejections.append(
                        HubRejectionRecord(
                            source: key.0,
                            sequence: key.1,
                            reason: "INVALID_EVENT",
                            detail: "detail \(Int.random(in: 0..<1000, using: &random))"
                        )
                    )
                }
            }
            for record in batch.events {
                batch.settled[record.source] = max(batch.settled[record.source] ?? 0, record.sequence)
            }
            return batch
        }

        /// Learns each touched event's latest stored version from the store.
        mutating func refresh(from store: any HubStore, _ batch: HubBatch) throws {
            for eventID in Set(batch.events.map(\.eventID)) {
                guard let position = known.firstIndex(where: { $0.latest.id == eventID }),
                    let latest = try store.history(of: eventID).last
                else { continue }
                known[position].latest = try #require(versions[latest.payload])
            }
        }
    }

    @Test(arguments: [(HubStoreBackend.sqlite, UInt64(1)), (.sqlite, 2), (.sqlite, 3), (.postgres, 4), (.postgres, 5)])
    func theCountsEqualAScanAfterEveryCommit(_ backend: HubStoreBackend, _ seed: UInt64) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        var store = try fixture.open()
        defer { try? store.close() }
        var traffic = Traffic(seed: seed)
        var outcomes = HubCommitResult()
        for step in 0..<80 {
            let batch = traffic.batch()
            let result = try store.commit(batch, receivedAt: Date())
            outcomes.duplicateIDs += result.duplicateIDs
            outcomes.alreadyStored += result.alreadyStored
            outcomes.refused += result.refused
            outcomes.superseding += result.superseding
            try traffic.refresh(from: store, batch)
            #expect(try store.counts() == (try store.countsByScan()), "seed \(seed), step \(step)")
            if step % 20 == 19 {
                // A restart: the counts are what the store committed.
                try store.close()
                store = try fixture.open()
                #expect(try store.counts() == (try store.countsByScan()), "seed \(seed), after a restart")
            }
        }
        // The traffic reached every kind of decision, and the counts hold every kind of figure.
        #expect(!outcomes.duplicateIDs.isEmpty && !outcomes.alreadyStored.isEmpty && !outcomes.superseding.isEmpty)
        #expect(
            Set(outcomes.refused.map(\.refusal.code)).isSuperset(of: [
                .conflictingContent, .staleVersion, .foreignEvent,
            ])
        )
        let counts = try store.counts()
        #expect(counts.withdrawn > 0 && counts.rejected > 0 && counts.versions > counts.total + counts.withdrawn)
        #expect(counts.byRegion.count == 2 && counts.bySource.count == 3 && counts.byNode.count >= 4)

        // A copy to another store (`hub migrate`) keeps the target's counts with the rows it inserts.
        let targetFixture = try await HubStoreFixture(backend)
        defer { targetFixture.remove() }
        let target = try targetFixture.open()
        defer { try? target.close() }
        let report = try HubStoreMigration.run(from: store, to: target)
        #expect(report.verified, "\(report.mismatches)")
        #expect(try target.counts() == counts)
        let again = try HubStoreMigration.run(from: store, to: target)
        #expect(again.verified && again.inserted == 0, "\(again.mismatches)")
        #expect(try target.counts() == counts)
    }

    /// A store written before the summary existed (its tables and its migration gone) has the summary filled from
    /// its events and refusals when it opens; commits go on from there.
    @Test(arguments: HubStoreBackend.allCases)
    func aStoreFromBeforeTheSummaryIsCountedWhenItOpens(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        var traffic = Traffic(seed: 11)
        let store = try fixture.open()
        for _ in 0..<30 { _ = try store.commit(traffic.batch(), receivedAt: Date()) }
        let before = try store.countsByScan()
        try store.close()
        #expect(before.total > 0 && before.withdrawn > 0 && before.rejected > 0)

        switch fixture.storage {
        case .sqlite(let path):
            try SQLiteTestAccess.execute(
                """
                DROP TABLE event_counts; DROP TABLE rejection_counts;
                DELETE FROM grdb_migrations WHERE identifier = 'v8-event-counts';
                """,
                in: path
            )
        case .postgres(let location):
            try await PostgresTestServer.execute(
                """
                DROP TABLE event_counts; DROP TABLE rejection_counts;
                UPDATE knutepunkt_schema SET version = 6 WHERE id = 1;
                """,
                in: location
            )
        }
        let migrated = try fixture.open()
        defer { try? migrated.close() }
        #expect(try migrated.counts() == before)
        for _ in 0..<10 { _ = try migrated.commit(traffic.batch(), receivedAt: Date()) }
        #expect(try migrated.counts() == (try migrated.countsByScan()))
    }

    /// The status counts read the summary alone: with the events table out of reach (renamed), they still answer,
    /// the same as the scan gave before.
    @Test(arguments: HubStoreBackend.allCases)
    func theCountsDoNotReadTheEvents(_ backend: HubStoreBackend) async throws {
        let fixture = try await HubStoreFixture(backend)
        defer { fixture.remove() }
        var traffic = Traffic(seed: 21)
        let store = try fixture.open()
        for _ in 0..<20 { _ = try store.commit(traffic.batch(), receivedAt: Date()) }
        let scanned = try store.countsByScan()
        try store.close()

        switch fixture.storage {
        case .sqlite(let path):
            try SQLiteTestAccess.execute("ALTER TABLE events RENAME TO events_out_of_reach", in: path)
        case .postgres(let location):
            try await PostgresTestServer.execute("ALTER TABLE events RENAME TO events_out_of_reach", in: location)
        }
        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.counts() == scanned)
        #expect(throws: StoreError.self) { try reopened.countsByScan() }
    }

    /// The summary's own arithmetic: a key whose events were all replaced elsewhere or withdrawn has no group, as in
    /// a scan.
    @Test func aKeyWithNothingCountedHasNoGroup() {
        var summary = HubCountSummary()
        let bergen = HubCountSummary.Key(source: "NO-VEST", region: "NO-VEST", node: "NO-VEST-BERGEN")
        let forde = HubCountSummary.Key(source: "NO-VEST", region: "NO-VEST", node: "NO-VEST-FORDE")
        summary.stored(bergen, withdrawn: false)
        // Corrected to another node, then withdrawn there.
        summary.superseded(bergen, withdrawn: false)
        summary.stored(forde, withdrawn: false)
        summary.superseded(forde, withdrawn: false)
        summary.stored(forde, withdrawn: true)
        summary.addRejected("NO-NORD")
        #expect(
            summary.counts
                == HubCounts(
                    total: 0,
                    byRegion: [:],
                    byNode: [:],
                    bySource: [:],
                    rejected: 1,
                    withdrawn: 1,
                    versions: 3
                )
        )
    }
}
