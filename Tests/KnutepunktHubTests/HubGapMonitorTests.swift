import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Logging
import Testing

@testable import KnutepunktHub

/// The hub's live gap facts follow corrections and withdrawals: after versions replace what the facts counted, the
/// next evaluation sees exactly what a hub started afresh on the same store sees.
@Suite struct HubGapMonitorTests {
    static func record(
        _ index: Int,
        _ sequence: UInt64,
        version: Int = 1,
        withdrawn: Bool = false,
        daysAgo: Int? = nil
    ) -> HubEventRecord {
        var event = EventFixtures.activity(source: "GAPS", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN")
        event.date = LocalDate.today().adding(days: -(daysAgo ?? (index % 200 + 1)))
        event.kind = index % 2 == 0 ? "DELIVERY" : "TRAINING"
        event.version = version
        event.basedOn = version > 1 ? version - 1 : nil
        event.withdrawalReason = withdrawn ? "entered twice" : nil
        return HubEventRecord(source: "NO-VEST", sequence: sequence, event: event, payload: event.canonicalJSON())
    }

    /// The monitors' logger: only what would stop a hub.
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    /// A monitor started on `store`, as a hub starts it, with the standard thresholds.
    static func monitor(on store: any HubStore, taxonomy: Taxonomy = InProcessDaemons.taxonomy) throws -> HubGapMonitor
    {
        try HubGapMonitor(taxonomy: taxonomy, thresholds: .standard, store: store, logger: logger)
    }

    static func openGaps(_ monitor: HubGapMonitor) -> [String] {
        monitor.snapshot.gaps.map { gap in
            "\(gap.key) \(gap.severity) "
                + gap.inputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }.sorted()
    }

    @Test func withdrawalsAndCorrectionsReachTheGapFactsWithoutARestart() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var batch = HubBatch()
        batch.events = (0..<60).map { Self.record($0, UInt64($0 + 1)) }
        // NO-VEST's first activity, 400 days ago: the store covers the whole window, so the rules read NO-VEST.
        batch.events.append(Self.record(60, 61, daysAgo: 400))
        let committed = try store.commit(batch, receivedAt: Date())
        let live = try Self.monitor(on: store)
        _ = live.evaluate(store: store)
        let before = Self.openGaps(live)
        #expect(committed.notStored.isEmpty)

        // Every delivery withdrawn, every training corrected: the facts must lose what they counted.
        var versions = HubBatch()
        versions.events = (0..<60).map { index in
            Self.record(index, UInt64(62 + index), version: 2, withdrawn: index % 2 == 0)
        }
        let result = try store.commit(versions, receivedAt: Date())
        #expect(result.superseding.count == 60)
        live.stored(result)
        _ = live.evaluate(store: store)

        let fresh = try Self.monitor(on: store)
        _ = fresh.evaluate(store: store)
        #expect(Self.openGaps(live) == Self.openGaps(fresh))
        #expect(Self.openGaps(live) != before, "the withdrawals changed the gaps")
    }

    /// Commits reach the facts whether their cells are folded in as they come or, once that would cost more, the days
    /// are folded again: the facts, a coverage answer and the evaluation equal a hub's started afresh on the store.
    @Test func committedCellsReachTheFactsEitherWay() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        var sequence: UInt64 = 0
        func commit(_ indices: Range<Int>) throws -> HubCommitResult {
            var batch = HubBatch()
            for index in indices {
                sequence += 1
                batch.events.append(Self.record(index, sequence, daysAgo: index % 2_000 + 1))
            }
            batch.settled["NO-VEST"] = sequence
            return try store.commit(batch, receivedAt: Date())
        }
        func started() throws -> HubGapMonitor {
            try Self.monitor(on: store)
        }
        func facts(_ monitor: HubGapMonitor) -> [GapFacts] { monitor.network.countries.map(\.facts) }
        _ = try commit(0..<120)
        let live = try started()

        // One event: its cells are folded in as it comes.
        live.stored(try commit(120..<121))
        #expect(!live.factsWaitForDays)
        #expect(facts(live) == facts(try started()))

        // Hundreds of cells at once: the days are folded again instead, and a coverage answer folds them first.
        live.stored(try commit(121..<700))
        #expect(live.factsWaitForDays)
        let reference = try started()
        let coverage = live.coverage(region: "NO-VEST", store: store)
        #expect(coverage != nil)
        #expect(coverage == reference.coverage(region: "NO-VEST", store: store))
        #expect(!live.factsWaitForDays)
        #expect(facts(live) == facts(reference))

        live.stored(try commit(700..<2_000))
        #expect(live.factsWaitForDays)
        _ = live.evaluate(store: store)
        let last = try started()
        _ = last.evaluate(store: store)
        #expect(facts(live) == facts(last))
        #expect(Self.openGaps(live) == Self.openGaps(last))
    }

    /// A new taxonomy version's births reach the rates without a restart: after ``HubGapMonitor/reload(taxonomy:store:)``
    /// the next evaluation equals a hub started afresh with that taxonomy.
    @Test func newBirthsReachTheGapFactsWithoutARestart() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        // Every local node reports, so that the rules comparing regions' rates per birth have rates to compare.
        var batch = HubBatch()
        batch.events = (0..<60).map { Self.record($0, UInt64($0 + 1)) }
        // NO-VEST's first activity, 400 days ago: the store covers the whole window, so the rate rules read NO-VEST.
        batch.events.append(Self.record(60, 61, daysAgo: 400))
        _ = try store.commit(batch, receivedAt: Date())
        let live = try Self.monitor(on: store)
        _ = live.evaluate(store: store)
        /// The births the rules divide by, as the live facts hold them.
        func births(_ monitor: HubGapMonitor) -> Int? {
            monitor.network.countries.compactMap { $0.facts.regions["NO-VEST"]?.births }.first
        }
        let before = births(live)

        // Official statistics replace an estimate: NO-VEST's births a tenth of the shipped figure.
        var updated = InProcessDaemons.taxonomy
        let index = try #require(updated.regions.firstIndex { $0.code == "NO-VEST" })
        updated.regions[index].births = .init(value: 1_150, year: 2024, source: "SSB, test figure", estimate: false)
        live.reload(taxonomy: updated, store: store)
        _ = live.tick(store: store)

        let fresh = try Self.monitor(on: store, taxonomy: updated)
        _ = fresh.evaluate(store: store)
        #expect(Self.openGaps(live) == Self.openGaps(fresh))
        #expect(before != 1_150 && births(live) == 1_150, "the births are the denominator of the rate rules")
        #expect(births(live) == births(fresh))
    }
}
