import KnutepunktDomain
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

@testable import KnutepunktGaps

/// The counters rolled up per day fold into exactly the facts that folding every cell gives, however cells were
/// added and taken out again (corrections and withdrawals), for any evaluation day and window.
@Suite struct ActivityDaysTests {
    static let taxonomy = InProcessDaemons.taxonomy

    /// A cell drawn from the taxonomy's codes (with a dyadic or evidence-based programme now and then), dated from
    /// two years before `today` to a few days after it.
    static func randomCell(_ random: inout SampleRandom, today: LocalDate) -> (ActivityCell, ActivityCount) {
        func pick(_ codes: [String]) -> String { codes[random.int(0...(codes.count - 1))] }
        func some(_ codes: [String], atMost: Int) -> [String] { (0..<random.int(0...atMost)).map { _ in pick(codes) } }
        let node = taxonomy.nodes[random.int(0...(taxonomy.nodes.count - 1))]
        let cell = ActivityCell(
            region: node.region,
            node: node.code,
            kind: pick(["INFANT_DAY", "CONSULT_COLLAB", "TRAINING", "DELIVERY"] + taxonomy.kinds.map(\.code)),
            tier: pick(["T"] + taxonomy.tiers.map(\.code)),
            funding: pick(["TEMPORARY_PROJECT"] + taxonomy.funding.map(\.code)),
            date: today.adding(days: -random.int(-5...800)),
            targetGroups: some(["PND", "PAR_MH"] + taxonomy.targetGroups.map(\.code), atMost: 3),
            ageBands: some(taxonomy.ageBands.map(\.code), atMost: 2),
            professions: some(taxonomy.professions.map(\.code), atMost: 2),
            programmes: some(taxonomy.programmes.map(\.code), atMost: 2)
        )
        return (
            cell, ActivityCount(events: random.int(1...3), families: random.int(0...4), participants: 1, sessions: 1)
        )
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func foldingTheDaysGivesTheFactsOfFoldingEveryCell(seed: UInt64) throws {
        let today = LocalDate.today()
        var random = SampleRandom(seed: seed)
        var days = ActivityDays()
        var cells: [(ActivityCell, ActivityCount)] = []
        for _ in 0..<800 {
            if !cells.isEmpty, random.int(0...3) == 0 {
                // A correction or withdrawal takes out what its predecessor counted.
                let (cell, count) = cells.remove(at: random.int(0...(cells.count - 1)))
                days.add(cell, count, sign: -1)
            } else {
                let (cell, count) = Self.randomCell(&random, today: today)
                cells.append((cell, count))
                days.add(cell, count)
            }
        }
        #expect(days.isConsistent)
        #expect(days.events == cells.reduce(0) { $0 + $1.1.events })
        for asOf in [today, today.adding(days: -200), today.adding(days: -700)] {
            for windowMonths in [12, 3] {
                var byCells = GapFacts.Builder(asOf: asOf, taxonomy: Self.taxonomy, windowMonths: windowMonths)
                for (cell, count) in cells { byCells.add(cell, count) }
                var byDays = GapFacts.Builder(asOf: asOf, taxonomy: Self.taxonomy, windowMonths: windowMonths)
                byDays.add(days)
                #expect(byDays.facts == byCells.facts, "as of \(asOf), \(windowMonths) months")
                // Including what G9's, G2's and G12's `since` read: the nodes' last training and deliveries, the
                // quarter cells per target group.
                if asOf == today {
                    #expect(byCells.facts.nodes.values.contains { $0.lastTraining != nil })
                    #expect(byCells.facts.nodes.values.contains { !$0.lastProgrammeDelivery.isEmpty })
                    #expect(byCells.facts.regions.values.contains { !$0.quarterlyGroupEvents.isEmpty })
                }

                var network = NetworkGapFacts(taxonomy: Self.taxonomy, asOf: asOf, windowMonths: windowMonths)
                for (cell, count) in cells { network.add(cell, count) }
                var networkByDays = NetworkGapFacts(taxonomy: Self.taxonomy, asOf: asOf, windowMonths: windowMonths)
                networkByDays.add(days)
                #expect(networkByDays.countries.map(\.facts) == network.countries.map(\.facts))
            }
        }
        #expect(ActivityDays(encoded: days.encoded()) == days)
    }

    @Test func takingOutEverythingLeavesNothing() {
        var random = SampleRandom(seed: 9)
        let today = LocalDate.today()
        let cells = (0..<200).map { _ in Self.randomCell(&random, today: today) }
        var days = ActivityDays()
        for (cell, count) in cells { days.add(cell, count) }
        for (cell, count) in cells.reversed() { days.add(cell, count, sign: -1) }
        #expect(days == ActivityDays())
        #expect(days.figures.isEmpty)
    }

    @Test func anotherFormatOrDamagedBytesDoNotRead() throws {
        var random = SampleRandom(seed: 4)
        var days = ActivityDays()
        for _ in 0..<50 {
            let (cell, count) = Self.randomCell(&random, today: LocalDate.today())
            days.add(cell, count)
        }
        let bytes = days.encoded()
        #expect(ActivityDays(encoded: bytes) == days)
        var otherFormat = bytes
        otherFormat[4] = UInt8(ActivityDays.format + 1)
        #expect(ActivityDays(encoded: otherFormat) == nil)
        #expect(ActivityDays(encoded: Array(bytes.dropLast())) == nil)
        #expect(ActivityDays(encoded: bytes + [0]) == nil)
        #expect(ActivityDays(encoded: []) == nil)
    }

    @Test func aTakeOutOfWhatWasNeverAddedIsInconsistent() {
        var random = SampleRandom(seed: 5)
        let (cell, count) = Self.randomCell(&random, today: LocalDate.today())
        var days = ActivityDays()
        days.add(cell, count, sign: -1)
        #expect(!days.isConsistent)
    }
}
