import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktHub
import KnutepunktSampleNetwork
import KnutepunktStore
import KnutepunktTesting
import Testing

/// `knutepunkt hub migrate`: a SQLite store copied into PostgreSQL whole, verified, and safe to rerun.
@Suite(.serialized)
struct HubMigrateTests {
    static let today = LocalDate(year: 2026, month: 6, day: 30)!

    /// A store with a year of sample events from two regions, refusals, settled progress and a gap history.
    static func fill(_ store: any HubStore) throws -> Int {
        let sample = SampleActivities(taxonomy: InProcessDaemons.taxonomy, start: today.adding(days: -364), seed: 9)
        var stored = 0
        for region in ["NO-VEST", "NO-NORD"] {
            let events = sample.activities(region: region)
            var sequence: UInt64 = 0
            for chunk in stride(from: 0, to: events.count, by: 500) {
                var batch = HubBatch()
                for event in events[chunk..<min(chunk + 500, events.count)] {
                    sequence += 1
                    batch.events.append(
                        HubEventRecord(source: region, sequence: sequence, event: event, payload: event.canonicalJSON())
                    )
                }
                sequence += 1
                batch.rejections = [
                    HubRejectionRecord(source: region, sequence: sequence, reason: "INVALID_EVENT", detail: "kind")
                ]
                batch.settled[region] = sequence
                _ = try store.commit(batch, receivedAt: Date())
            }
            stored += events.count
        }
        var lifecycle = GapLifecycle()
        let finding = GapFinding(
            rule: .g1AbsentService,
            severity: .red,
            region: "NO-NORD",
            targetGroup: "PRISON",
            message: "no service",
            inputs: ["observed": 0, "maxMin": .infinity],
            thresholds: ["k": 0.5]
        )
        let evaluation = { (findings: [GapFinding]) in
            GapEvaluator.Evaluation(findings: findings)
        }
        for (day, findings) in [(today.adding(days: -2), [finding]), (today.adding(days: -1), []), (today, [finding])] {
            let changes = lifecycle.apply(evaluation(findings), on: day)
            try store.saveGaps(
                StoredGaps(epoch: "epoch-1", sequence: lifecycle.sequence, open: lifecycle.snapshot.gaps),
                changes: changes
            )
        }
        return stored
    }

    @Test(.timeLimit(.minutes(8)))
    func aSQLiteStoreIsCopiedIntoPostgresVerifiedAndTheCopyCanBeRerun() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let sqlite = HubConfiguration.Storage.sqlite(path: folder.file("hub.sqlite"))
        let postgres = HubConfiguration.Storage.postgres(try await PostgresTestServer.makeDatabase())
        let source = try sqlite.open()
        let events = try Self.fill(source)
        let before = try source.remainder()
        let keys = try source.storedKeys()
        try source.close()

        let first = try await CommandRun.knutepunkt(["hub", "migrate", "--from", "\(sqlite)", "--to", "\(postgres)"])
        #expect(first.status == 0, "\(first.output)\(first.errors)")
        #expect(first.output.contains("\(events) events (\(events) new, 0 already there)"), "\(first.output)")
        #expect(first.output.contains("verified"))
        #expect(first.errors.contains("copying events: \(events)/\(events)"), "the progress bar: \(first.errors)")

        let target = try postgres.open()
        #expect(
            try target.storedKeys().map { "\($0.source)#\($0.sequence)#\($0.eventID)" }
                == keys.map { "\($0.source)#\($0.sequence)#\($0.eventID)" }
        )
        let copied = try target.remainder()
        #expect(copied == before)
        #expect(copied.rejections.count == before.rejections.count)
        #expect(copied.gaps.count == 2)
        #expect(try target.loadGaps()?.sequence == 3)
        #expect(try target.activityCountCoverage() == (events, events))
        #expect(try target.counts() == (try sqlite.open().counts()))
        try target.close()

        // A rerun inserts nothing and verifies again.
        let second = try await CommandRun.knutepunkt(["hub", "migrate", "--from", "\(sqlite)", "--to", "\(postgres)"])
        #expect(second.status == 0, "\(second.output)\(second.errors)")
        #expect(second.output.contains("(0 new, \(events) already there)"), "\(second.output)")

        // An event only the target holds is found by the verification.
        let tampered = try postgres.open()
        var extra = HubBatch()
        let stray = EventFixtures.activity(source: "NO-VEST", index: 99_999, region: "NO-VEST", node: "NO-VEST-BERGEN")
        extra.events = [
            HubEventRecord(source: "NO-VEST", sequence: 999_999, event: stray, payload: stray.canonicalJSON())
        ]
        _ = try tampered.commit(extra, receivedAt: Date())
        try tampered.close()
        let third = try await CommandRun.knutepunkt(["hub", "migrate", "--from", "\(sqlite)", "--to", "\(postgres)"])
        #expect(third.status == 2)
        #expect(third.output.contains("MISMATCH: counts differ"), "\(third.output)")
        #expect(third.output.contains("MISMATCH: event checksums differ"), "\(third.output)")
    }

    @Test func aBadStorageIsRefusedWithTheForms() async throws {
        let run = try await CommandRun.knutepunkt(["hub", "migrate", "--from", "mysql://x", "--to", "sqlite:/tmp/x"])
        #expect(run.status != 0)
        #expect(run.errors.contains("postgres://"), "\(run.errors)")
    }
}
