import Foundation
import KnutepunktDomain
import KnutepunktSampleNetwork
import KnutepunktTesting
import Testing

/// The monthly returns the sample network makes where the taxonomy expects them: one per node and month of the
/// sample (nil where the node had no activity), none from the node that fell silent once it did, and every one valid
/// at the hub.
@Suite struct SampleReturnsTests {
    @Test func theSilentNodeMakesNoReturnsAfterItFellSilent() throws {
        let today = SampleActivitiesTests.today
        var taxonomy = InProcessDaemons.taxonomy
        for node in taxonomy.nodes { taxonomy.reportingPeriods[node.code] = .init(active: today.adding(days: -364)) }
        let sample = SampleActivities(taxonomy: taxonomy, start: today.adding(days: -364), seed: 2026)
        let north = sample.returns(region: "NO-NORD", asOf: today)
        let silent = try #require(taxonomy.nodes(inRegion: "NO-NORD").last?.code)
        let lastActivity = try #require(
            sample.activities(region: "NO-NORD").filter { $0.node == silent }.map(\.date).max()
        )
        #expect(north.filter { $0.node == silent }.allSatisfy { $0.month <= ReportingMonth(lastActivity) })
        #expect(
            north.filter { $0.node == silent }.count < north.filter { $0.node != silent }.count / 3,
            "the silent node stopped making returns"
        )
        // Every other node makes one for each month the sample covers that has ended (December to November), each
        // after its month and by `today`: at the latest 15 + 40 days after the month, so every month up to September
        // (ended 30 September, 55 days before 24 November) has its return as of 1 December; October's and November's
        // only if made by then.
        for node in taxonomy.nodes(inRegion: "NO-VEST") {
            let made = sample.returns(region: "NO-VEST", asOf: today).filter { $0.node == node.code }
            #expect((10...12).contains(made.count), "\(node.code)")
            #expect(
                made.prefix(10).map(\.month.text)
                    == (0..<10).map { ReportingMonth(text: "2025-12")!.adding(months: $0).text }
            )
            #expect(made.allSatisfy { $0.madeOn > $0.month.last && $0.madeOn <= today })
        }
        // Most on time (made at most 15 days after the month), some late.
        let all = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"].flatMap { sample.returns(region: $0, asOf: today) }
        let onTime = all.filter { $0.madeOn <= $0.month.last.adding(days: 15) }.count
        #expect(onTime * 4 >= all.count * 3, "\(onTime) of \(all.count) on time")
        #expect(onTime < all.count, "some are late")
        let validator = taxonomy
        for item in north {
            let record = MonthlyReturn(region: "NO-NORD", node: item.node, month: item.month, status: item.status)
            if case .failure(let failure) = MonthlyReturn.validate(record.jsonValue, taxonomy: validator, today: today)
            {
                Issue.record("\(item): \(failure)")
            }
        }
        // The shipped taxonomy expects returns from January 2026: the sample makes them from then.
        let shipped = SampleActivitiesTests.sample.returns(region: "NO-VEST", asOf: today)
        #expect(shipped.map(\.month).min() == ReportingMonth(text: "2026-01"))
    }
}
