import KnutepunktDomain
import KnutepunktGaps
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// The activity counters must give the gap rules exactly the facts the events themselves give.
@Suite struct ActivityCellTests {
    static let today = LocalDate(year: 2026, month: 6, day: 30)!

    static var sample: [ActivityEvent] {
        let taxonomy = InProcessDaemons.taxonomy
        let activities = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -500), seed: 11)
        return ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"].flatMap { activities.activities(region: $0) }
    }

    @Test func aCellKeepsEachListAsASetSoAnEventCountsOnce() {
        var event = Self.sample[0]
        event.targetGroups = ["PND", "HICONF", "PND"]
        event.professions = ["PSYCH", "PHN"]
        let cell = ActivityCell(event)
        #expect(cell.targetGroups == ["HICONF", "PND"])
        #expect(cell.professions == ["PHN", "PSYCH"])
        #expect(cell.month == String(event.date.iso.prefix(7)))
        var counters = ActivityCounters()
        counters.add(event)
        counters.add(event)
        #expect(counters.cells.count == 1)
        #expect(
            counters.cells[cell]
                == ActivityCount(
                    events: 2,
                    families: 2 * event.families,
                    participants: 2 * event.participants,
                    sessions: 2 * event.sessions
                )
        )
        #expect(ActivityCell.split(ActivityCell.joined(cell.targetGroups)) == cell.targetGroups)
        #expect(ActivityCell.split("") == [])
    }

    @Test func factsFromCountersEqualFactsFromEvents() {
        let taxonomy = InProcessDaemons.taxonomy.network(ofCountry: "NO")
        let events = Self.sample
        // Each event twice: counters with counts above one must still give the same facts.
        let doubled = events + events
        var counters = ActivityCounters()
        for event in doubled { counters.add(event) }
        #expect(counters.cells.count < doubled.count)
        #expect(counters.events == doubled.count)
        // Several evaluation days, so the window, the quarters and the infant-day years cut the cells differently.
        for asOf in [Self.today, Self.today.adding(days: -45), Self.today.adding(days: -200)] {
            let fromEvents = GapFacts.build(asOf: asOf, taxonomy: taxonomy, events: doubled)
            var builder = GapFacts.Builder(asOf: asOf, taxonomy: taxonomy)
            for (cell, count) in counters.cells { builder.add(cell, count) }
            #expect(builder.facts == fromEvents, "as of \(asOf.iso)")
            #expect(builder.facts.regions["NO-VEST"]!.totalEvents > 0)
        }
    }

    @Test func aCellWithNoEventsAddsNothing() {
        let taxonomy = InProcessDaemons.taxonomy.network(ofCountry: "NO")
        var builder = GapFacts.Builder(asOf: Self.today, taxonomy: taxonomy)
        let before = builder.facts
        builder.add(ActivityCell(Self.sample[0]), ActivityCount())
        #expect(builder.facts == before)
    }

    /// Every list of a cell is the set the event named, sorted: the same as a Set's members sorted, for random lists
    /// with and without repeats.
    @Test func listsAreSortedWithoutRepeats() {
        var random = SplitMix64(seed: 17)
        let codes = ["PND", "HICONF", "PRISON", "ALL", "SAMI", "ASD", "PAR_MH", "A", "AB", "B"]
        var event = Self.sample[0]
        for _ in 0..<2_000 {
            let list = (0..<Int.random(in: 0...7, using: &random)).map { _ in codes.randomElement(using: &random)! }
            event.targetGroups = list
            event.professions = list.reversed()
            let cell = ActivityCell(event)
            #expect(cell.targetGroups == Array(Set(list)).sorted())
            #expect(cell.professions == cell.targetGroups)
        }
    }
}
