import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktStore
import KnutepunktTesting
import Testing

/// A rebuild of the stored counters adds cells up in sorted runs and merges them: the keys' byte order is the
/// table's column order, every key comes back once with its total whatever the runs, and a rebuild through many
/// runs gives the counters the commits kept.
@Suite struct CountRunsTests {
    /// Random cells from random valid events, many of them the same cell.
    static func cells(_ count: Int, seed: UInt64) -> [(ActivityCell, ActivityCount)] {
        var random = SplitMix64(seed: seed)
        let distinct = (0..<max(1, count / 3)).map { _ in EventSamples.random(using: &random) }
        return (0..<count).map { _ in
            let event = distinct.randomElement(using: &random)!
            return (ActivityCell(event), ActivityCount(event))
        }
    }

    @Test func keysOrderAsTheTableOrdersTheirColumns() throws {
        var cells = Self.cells(2_000, seed: 3).map(\.0)
        // Cells that differ only where one column's text begins another's (a shorter list before a longer one).
        let base = cells[0]
        var longer = base
        longer.professions = base.professions + ["ZZZ"]
        var shorterNode = base
        shorterNode.node = String(base.node.dropLast())
        cells += [longer, shorterNode]
        let byKey = cells.sorted { CountKey($0) < CountKey($1) }.map(CountKey.init)
        let byColumns = cells.sorted { $0.ordering.lexicographicallyPrecedes($1.ordering) }.map(CountKey.init)
        #expect(byKey == byColumns)
        for cell in cells.prefix(200) { #expect(CountKey(cell).cell == cell) }
    }

    /// Adds `input` up through runs of `flushAt` keys and checks that every key comes back once, in key order, with
    /// its total; gives the number of runs written before the merge.
    static func addUpAndCheck(_ input: [(CountKey, ActivityCount)], flushAt: Int) throws -> Int {
        let folder = try TemporaryDirectory(prefix: "knutepunkt-runs")
        defer { folder.remove() }
        var expected: [CountKey: ActivityCount] = [:]
        var runs = try CountRuns(folder: URL(fileURLWithPath: folder.file("runs")), flushAt: flushAt)
        for (key, count) in input {
            expected[key, default: ActivityCount()] += count
            try runs.add(key, count)
        }
        let written = runs.runCount
        var seen: [(CountKey, ActivityCount)] = []
        try runs.forEachInOrder { seen.append(($0, $1)) }
        #expect(seen.map(\.0) == expected.keys.sorted())
        #expect(Dictionary(uniqueKeysWithValues: seen) == expected)
        return written
    }

    @Test(arguments: [1, 7, 100, 10_000])
    func everyKeyComesBackOnceInOrderWithItsTotal(flushAt: Int) throws {
        let input = Self.cells(3_000, seed: UInt64(flushAt)).map { (CountKey($0), $1) }
        let written = try Self.addUpAndCheck(input, flushAt: flushAt)
        #expect(flushAt >= input.count || written > 0)
    }

    /// The merge on a thread of its own gives the same keys in the same order, in chunks, and a taker that stops
    /// early (an error of its own) stops the merge and gets its error back.
    @Test func theChunkedMergeGivesTheSameAndStopsWhenTheTakerStops() throws {
        let folder = try TemporaryDirectory(prefix: "knutepunkt-runs")
        defer { folder.remove() }
        let input = Self.cells(15_000, seed: 9)
        func runs(_ name: String) throws -> CountRuns {
            var runs = try CountRuns(folder: URL(fileURLWithPath: folder.file(name)), flushAt: 1_000)
            for (cell, count) in input { try runs.add(CountKey(cell), count) }
            return runs
        }
        var serial = try runs("serial")
        var expected: [(CountKey, ActivityCount)] = []
        try serial.forEachInOrder { expected.append(($0, $1)) }
        #expect(expected.count > 4_096, "more than one chunk")
        var chunked: [(CountKey, ActivityCount)] = []
        try runs("chunked").forEachChunkInOrder { chunked += $0.entries }
        #expect(chunked.map(\.0) == expected.map(\.0))
        #expect(chunked.map(\.1) == expected.map(\.1))

        struct Stop: Error {}
        var taken = 0
        #expect(throws: Stop.self) {
            try runs("stopped").forEachChunkInOrder { chunk in
                taken += chunk.count
                throw Stop()
            }
        }
        #expect(taken == 4_096)
    }

    /// Runs store each key as what it does not share with the key before it, and counts as variable-length
    /// numbers: keys that begin one another, long keys, and counts that are negative or need all 64 bits come back
    /// exactly, added up across runs.
    @Test func runsKeepEveryByteAndEveryCount() throws {
        let keys: [[UInt8]] = [
            [], [0], [0, 0], Array("NO-VEST".utf8) + [0], Array("NO-VEST".utf8) + [0, 0x41],
            Array(repeating: 0x7a, count: 5_000), Array(repeating: 0x7a, count: 5_001), [0xff, 0x80, 0x7f],
        ]
        let counts = [
            ActivityCount(events: 1, families: 0, participants: -1, sessions: 127),
            ActivityCount(events: 128, families: -128, participants: Int.max / 2, sessions: Int.min / 2),
        ]
        var input: [(CountKey, ActivityCount)] = []
        for round in 0..<2 {
            for (index, key) in keys.enumerated().reversed() {
                input.append((CountKey(bytes: key), counts[(index + round) % counts.count]))
            }
        }
        #expect(try Self.addUpAndCheck(input, flushAt: 3) > 1)
    }

    /// A run that cannot be written (its folder is gone) fails the adding up or the merge with the file's error,
    /// rather than leaving its keys out.
    @Test func aRunThatCannotBeWrittenFailsTheMerge() throws {
        let folder = try TemporaryDirectory(prefix: "knutepunkt-runs")
        defer { folder.remove() }
        let runsFolder = URL(fileURLWithPath: folder.file("runs"))
        var runs = try CountRuns(folder: runsFolder, flushAt: 10)
        try FileManager.default.removeItem(at: runsFolder)
        #expect(throws: (any Error).self) {
            for (cell, count) in Self.cells(100, seed: 4) { try runs.add(CountKey(cell), count) }
            try runs.forEachInOrder { _, _ in }
        }
    }

    /// Through the store: a rebuild writes only the rows that differ from its totals. Counters with wrong counts,
    /// missing cells and cells no event has (before the first key, among the others and after the last) come out
    /// exactly as the commits kept them, both when the totals fit in memory and through runs of 50 cells, and no
    /// run file is left beside the store.
    @Test(arguments: [50, 100_000])
    func aRebuildMendsWrongMissingAndStrayCells(flushAt: Int) throws {
        let folder = try TemporaryDirectory(prefix: "knutepunkt-runs")
        defer { folder.remove() }
        let path = folder.file("hub.sqlite")
        let store = try SQLiteHubStore.open(path: path)
        defer { try? store.close() }
        let events = try ActivityCountsTests.storeSample(in: store)
        let kept = try store.activityCounters()
        #expect(kept.cells.count > 500)
        for sql in [
            "UPDATE activity_counts SET events = events + 5 WHERE occurred_on = (SELECT MIN(occurred_on) FROM activity_counts)",
            "UPDATE activity_counts SET sessions = sessions - 1 WHERE occurred_on = (SELECT MAX(occurred_on) FROM activity_counts)",
            "DELETE FROM activity_counts WHERE node = (SELECT MAX(node) FROM activity_counts)",
            """
            INSERT INTO activity_counts VALUES
                ('A', 'n', '2026-01-01', 'k', 't', 'f', '', '', '', '', 1, 0, 0, 0),
                ('NO-VEST', 'NO-VEST-zzz', '2026-01-01', 'k', 't', 'f', 'a,b', '', '', '', 2, 1, 1, 1),
                ('ZZ', 'n', '2026-01-01', 'k', 't', 'f', '', '', '', '', 3, 0, 0, 0)
            """,
        ] {
            try SQLiteTestAccess.execute(sql, in: path)
        }
        #expect(try store.activityCounters() != kept)
        let validator = EventValidator(taxonomy: InProcessDaemons.taxonomy)
        let today = LocalDate.today()
        let rebuilt = try store.rebuildActivityCounts(flushAt: flushAt) { payload in
            validator.readCanonical(payload, today: today).map { (ActivityCell($0), ActivityCount($0)) }
        }
        #expect(rebuilt == ActivityCountRebuild(stored: events.count, counted: events.count, cells: kept.cells.count))
        #expect(try store.activityCounters() == kept)
        #expect(try store.activityCountCoverage() == (events.count, events.count))
        #expect(!FileManager.default.fileExists(atPath: path + ".rebuild"))
    }
}
