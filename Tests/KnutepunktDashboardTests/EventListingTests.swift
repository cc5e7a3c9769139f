import Foundation
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktStore
import KnutepunktTesting
import Testing

/// The events behind a cell or a gap, as they may leave the hub.
@Suite struct EventListingTests {
    @Test func smallMatchesAndSmallFiguresAreWithheld() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        let day = LocalDate(year: 2026, month: 6, day: 1)!
        var batch = HubBatch()
        for (index, region, node) in (0..<3).map({ ($0, "NO-VEST", "NO-VEST-BERGEN") })
            + (3..<9).map({ ($0, "NO-SOROST", "NO-SOROST-OUS") })
        {
            var event = EventFixtures.activity(source: "LIST", index: index, region: region, node: node)
            event.date = day.adding(days: index)
            event.families = index == 3 ? 2 : 6
            batch.events.append(
                HubEventRecord(
                    source: "LIST",
                    sequence: UInt64(index + 1),
                    event: event,
                    payload: event.canonicalJSON()
                )
            )
        }
        _ = try store.commit(batch, receivedAt: Date())
        let taxonomy = InProcessDaemons.taxonomy
        let window = (from: day.adding(months: -12), to: day.adding(months: 1))

        let vest = try EventListing.read(
            EventQuery(region: "NO-VEST", targetGroup: "PND", from: window.from, to: window.to),
            from: store,
            taxonomy: taxonomy
        )
        #expect(vest.withheld && vest.matched == nil && vest.events.isEmpty, "3 events: none listed, not counted")

        let sorost = try EventListing.read(
            EventQuery(region: "NO-SOROST", targetGroup: "PND", from: window.from, to: window.to, limit: 4),
            from: store,
            taxonomy: taxonomy
        )
        #expect(!sorost.withheld && sorost.matched == 6 && sorost.truncated)
        #expect(sorost.events.map(\.date) == (5..<9).reversed().map { day.adding(days: $0).iso }, "newest first")
        let all = try EventListing.read(
            EventQuery(region: "NO-SOROST", targetGroup: nil, from: window.from, to: window.to),
            from: store,
            taxonomy: taxonomy
        )
        #expect(all.events.count == 6)
        #expect(all.events.last?.families == nil, "2 families: withheld")
        #expect(all.events.first?.families == 6)
        #expect(all.csv.split(separator: "\n").last?.hasSuffix(",<5,12") == true)
        // Another target group, or a window that ends before them, matches nothing.
        let none = try EventListing.read(
            EventQuery(region: "NO-SOROST", targetGroup: "HICONF", from: window.from, to: window.to),
            from: store,
            taxonomy: taxonomy
        )
        #expect(none.matched == 0 && !none.withheld)
        let before = try EventListing.read(
            EventQuery(region: "NO-SOROST", targetGroup: nil, from: window.from, to: day),
            from: store,
            taxonomy: taxonomy
        )
        #expect(before.matched == 0)
    }
}
