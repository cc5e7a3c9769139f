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

    /// The events behind a cell are their latest versions, withdrawn ones left out, each with the address of its
    /// history; the history withholds counts under 5 like everything that leaves the hub.
    @Test func listedEventsAreLatestVersionsWithTheirHistory() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        let day = LocalDate(year: 2026, month: 6, day: 1)!
        func record(
            _ index: Int,
            _ sequence: UInt64,
            families: Int = 6,
            version: Int = 1,
            withdrawn: Bool = false
        )
            -> HubEventRecord
        {
            var event = EventFixtures.activity(source: "LIST", index: index, region: "NO-VEST", node: "NO-VEST-BERGEN")
            event.date = day.adding(days: index)
            event.families = families
            event.version = version
            event.basedOn = version > 1 ? version - 1 : nil
            event.withdrawalReason = withdrawn ? "entered twice" : nil
            return HubEventRecord(source: "LIST", sequence: sequence, event: event, payload: event.canonicalJSON())
        }
        var batch = HubBatch()
        batch.events = (0..<7).map { record($0, UInt64($0 + 1)) }
        batch.events.append(record(0, 8, families: 3, version: 2))
        batch.events.append(record(1, 9, version: 2, withdrawn: true))
        _ = try store.commit(batch, receivedAt: Date())

        let listing = try EventListing.read(
            EventQuery(region: "NO-VEST", targetGroup: nil, from: day.adding(months: -12), to: day.adding(months: 1)),
            from: store,
            taxonomy: InProcessDaemons.taxonomy
        )
        #expect(listing.matched == 6, "the withdrawn event is not listed")
        let corrected = try #require(listing.events.first { $0.id == EventFixtures.id("LIST", 0) })
        #expect(corrected.version == 2 && corrected.families == nil)
        #expect(corrected.history == "/dashboard/api/events/\(EventFixtures.id("LIST", 0))/history")
        #expect(listing.csv.contains("\(EventFixtures.id("LIST", 0)),2,"))

        let history = try #require(
            try EventHistory.read(
                UUID(uuidString: EventFixtures.id("LIST", 0))!,
                from: store,
                withholdSmallCounts: true
            )
        )
        #expect(history.versions.map(\.version) == [1, 2])
        #expect(history.versions[1].changes.map(\.description) == ["families 6 → <5"])
        #expect(history.versions.allSatisfy { $0.event == nil }, "the stored text would quote the small count")
    }
}
