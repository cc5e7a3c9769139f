import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import Testing

/// Monthly returns end to end on loopback (docs/events.md, "Monthly returns"): a coordinator makes them over KPC,
/// the node numbers them in its outbox, the hub stores each version exactly once apart from the events and
/// acknowledges it; the node's status lists what is still due, and completeness reads the hub's store.
@Suite(.serialized)
struct MonthlyReturnTests {
    /// The shipped taxonomy with only two local nodes expected to make returns (the others' `active:` taken out):
    /// BERGEN from three months ago and FONNA from then until it closed at the end of the month before last.
    static func taxonomyText(today: LocalDate) throws -> String {
        let current = ReportingMonth(today)
        let text = try String(contentsOfFile: Repository.taxonomyPath, encoding: .utf8)
        #expect(text.contains("town: Bergen, active: 2026-01-01}"))
        return
            text
            .replacingOccurrences(of: ", active: 2026-01-01}", with: "}")
            .replacingOccurrences(
                of: "town: Bergen}",
                with: "town: Bergen, active: \(current.adding(months: -3).first)}"
            )
            .replacingOccurrences(
                of: "town: Haugesund}",
                with: "town: Haugesund, active: \(current.adding(months: -3).first), "
                    + "closed: \(current.adding(months: -2).last)}"
            )
    }

    static func make(
        _ node: String?,
        _ month: ReportingMonth,
        _ status: MonthlyReturn.Status,
        reason: String? = nil,
        at endpoint: String
    ) async throws -> SubmitResult {
        let request = ReturnRequest(
            node: node,
            month: month.text,
            status: status.rawValue,
            reason: reason,
            submittedBy: "kari"
        )
        return try await ControlClient.withConnection(to: endpoint) { try $0.makeReturn(request) }
    }

    @Test(.timeLimit(.minutes(2)))
    func returnsTravelLikeEventsAndAreNeverCounted() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let current = ReportingMonth(today)
        let taxonomyPath = folder.file("taxonomy.yaml")
        try Self.taxonomyText(today: today).write(toFile: taxonomyPath, atomically: true, encoding: .utf8)
        let taxonomy = try TaxonomyFile.load(path: taxonomyPath)
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        hubConfiguration.taxonomyPath = taxonomyPath
        let (results, status) = try await InProcessDaemons.withHub(hubConfiguration, taxonomy: taxonomy) { hub in
            var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            nodeConfiguration.taxonomyPath = taxonomyPath
            return try await InProcessDaemons.withNode(nodeConfiguration, taxonomy: taxonomy) { node in
                var results: [SubmitResult] = []
                for (local, month, status, reason) in [
                    (nil, current.adding(months: -1), MonthlyReturn.Status.complete, nil),  // BERGEN, the default
                    ("NO-VEST-BERGEN", current.adding(months: -1), .complete, nil),  // the same again
                    ("NO-VEST-BERGEN", current.adding(months: -2), .nil, nil),
                    ("NO-VEST-FONNA", current.adding(months: -3), .complete, nil),
                    ("NO-VEST-FONNA", current.adding(months: -3), .reopened, "two trainings were not entered"),
                    ("NO-VEST-BERGEN", current, .complete, nil),  // the month is not over
                    ("NO-VEST-FONNA", current.adding(months: -1), .complete, nil),  // FONNA had closed
                    ("NO-VEST-STAVANGER", current.adding(months: -1), .nil, nil),  // not expected to report
                    ("NO-VEST-BERGEN", current.adding(months: -3), .reopened, "nothing to reopen"),
                ] as [(String?, ReportingMonth, MonthlyReturn.Status, String?)] {
                    results.append(try await Self.make(local, month, status, reason: reason, at: node.control))
                }
                return (results, try await NodeToHubTests.drained(node.control))
            }
        }
        // The same return again is held already: queued, or delivered if the hub acknowledged it meanwhile.
        #expect(
            results.map { $0.status == .delivered ? .queued : $0.status }
                == [.queued, .queued, .queued, .queued, .queued] + Array(repeating: .invalid, count: 4)
        )
        #expect(results.map(\.sequence) == [1, 1, 2, 3, 4, nil, nil, nil, nil])
        #expect(results.map(\.existing) == [false, true, false, false, false, false, false, false, false])
        #expect(results.map(\.version) == [1, 1, 1, 1, 2, nil, nil, nil, nil])
        #expect(results[4].basedOn == 1)
        #expect(results[5].issues?.map(\.code.rawValue) == ["DATE_OUT_OF_RANGE"])
        #expect(results[6].issues?.first?.message.contains("was not open in") == true)
        #expect(results[7].issues?.first?.message.contains("no active: date") == true)
        #expect(results[8].issues?.first?.message.contains("no return of NO-VEST-BERGEN") == true)
        // Every return reached the hub and was acknowledged; none was refused.
        #expect(status.outbox.deliveredThrough == 4 && status.outbox.backlog == 0 && status.outbox.rejected == 0)
        // The node's status: what is still owed (FONNA's reopened return among it), oldest first.
        let owed = try #require(status.returns)
        #expect(owed.map(\.node) == ["NO-VEST-BERGEN", "NO-VEST-FONNA", "NO-VEST-FONNA"])
        #expect(
            owed.map(\.month) == [
                current.adding(months: -3).text, current.adding(months: -3).text, current.adding(months: -2).text,
            ]
        )
        let overdue = current.adding(months: -3).dueDate(timelyDays: 15).days(to: today)
        #expect(owed[0].daysOverdue == overdue)
        #expect(
            owed[0].text == "return due for \(current.adding(months: -3)) (NO-VEST-BERGEN), \(overdue) days overdue"
        )

        // At the hub: four versions in their own table, no event.
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        let stored = try store.monthlyReturns()
        #expect(stored.map(\.sequence) == [1, 2, 3, 4] && stored.allSatisfy { $0.source == "NO-VEST" })
        #expect(stored.map(\.record.version) == [1, 1, 1, 2])
        #expect(stored[3].record.reason == "two trainings were not entered" && stored[3].record.submittedBy == "kari")
        #expect(try store.counts().total == 0 && store.storedKeys().isEmpty)
        let table = try store.completeness(taxonomy: taxonomy, asOf: today, timelyDays: 15)
        #expect(table.nodes["NO-VEST-BERGEN"]?.expected == 3 && table.nodes["NO-VEST-BERGEN"]?.received == 2)
        #expect(table.nodes["NO-VEST-FONNA"]?.expected == 2 && table.nodes["NO-VEST-FONNA"]?.received == 0)
        #expect(table.national.expected == 5 && table.national.received == 2)
        let lastMonth = table.cells.first { $0.node == "NO-VEST-BERGEN" && $0.month == current.adding(months: -1) }
        // Made today: on time up to the 15th of this month.
        let due = current.adding(months: -1).dueDate(timelyDays: 15)
        #expect(lastMonth?.state == (today <= due ? .onTime : .late))
    }

    /// A return made earlier than it is entered says when (`madeAt`): it becomes `submitted_at`, and the hub judges
    /// timeliness by that day, not by the day it arrived. A moment in the future, before the month was over, or not
    /// a UTC time is refused at the node.
    @Test(.timeLimit(.minutes(2)))
    func aReturnMadeEarlierIsJudgedByTheDayItWasMade() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let current = ReportingMonth(today)
        let taxonomyPath = folder.file("taxonomy.yaml")
        try Self.taxonomyText(today: today).write(toFile: taxonomyPath, atomically: true, encoding: .utf8)
        let taxonomy = try TaxonomyFile.load(path: taxonomyPath)
        var hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        hubConfiguration.taxonomyPath = taxonomyPath
        // BERGEN's return for three months ago, made on the 3rd of the month after it (on time), entered today.
        let month = current.adding(months: -3)
        let madeOn = month.last.adding(days: 3)
        let madeAt = LocalDate.utcTimestamp(madeOn.startInNorway.addingTimeInterval(10 * 3600))
        let (results, status) = try await InProcessDaemons.withHub(hubConfiguration, taxonomy: taxonomy) { hub in
            var nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)
            nodeConfiguration.taxonomyPath = taxonomyPath
            return try await InProcessDaemons.withNode(nodeConfiguration, taxonomy: taxonomy) { node in
                var results: [SubmitResult] = []
                for made in [
                    LocalDate.utcTimestamp(Date().addingTimeInterval(3600)),  // in the future
                    LocalDate.utcTimestamp(month.last.startInNorway.addingTimeInterval(12 * 3600)),  // in the month
                    "\(madeOn.iso) 10:00",  // not a UTC time
                    madeAt,
                ] {
                    let request = ReturnRequest(
                        node: "NO-VEST-BERGEN",
                        month: month.text,
                        status: "complete",
                        submittedBy: "kari",
                        madeAt: made
                    )
                    results.append(
                        try await ControlClient.withConnection(to: node.control) { try $0.makeReturn(request) }
                    )
                }
                return (results, try await NodeToHubTests.drained(node.control))
            }
        }
        // The last one queued, or delivered if the hub acknowledged it meanwhile.
        #expect(
            results.map { $0.status == .delivered ? .queued : $0.status } == [.invalid, .invalid, .invalid, .queued]
        )
        #expect(
            results.prefix(3).map { $0.issues?.map(\.code.rawValue) } == [
                ["DATE_OUT_OF_RANGE"], ["DATE_OUT_OF_RANGE"], ["BAD_DATE"],
            ]
        )
        #expect(results.prefix(3).allSatisfy { $0.issues?.first?.field == "submitted_at" })
        #expect(status.outbox.deliveredThrough == 1 && status.outbox.rejected == 0)

        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        let stored = try #require(try store.monthlyReturns().first)
        #expect(stored.record.submittedAt == madeAt)
        #expect(stored.received.madeOn == madeOn && stored.received.receivedOn == today)
        let table = try store.completeness(taxonomy: taxonomy, asOf: today, timelyDays: 15)
        let cell = try #require(table.cells.first { $0.node == "NO-VEST-BERGEN" && $0.month == month })
        // Made 3 days after the month: on time, though it reached the hub today, more than 15 days after.
        #expect(cell.state == .onTime && cell.madeOn == madeOn && cell.receivedOn == today)
    }
}
