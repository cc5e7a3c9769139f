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
        // Every other node makes one for each month the sample covers that has ended (December to November: 12, as of 1 December).
        for node in taxonomy.nodes(inRegion: "NO-VEST") {
            let made = sample.returns(region: "NO-VEST", asOf: today).filter { $0.node == node.code }
            #expect(made.count == 12, "\(node.code)")
        }
        let validator = taxonomy
        for item in north {
            let record = MonthlyReturn(region: "NO-NORD", node: item.node, month: item.month, status: item.status)
            if case .failure(let failure) = MonthlyReturn.validate(record.jsonValue, taxonomy: validator, today: today)
            {
                Issue.record("\(item): \(failure)")
            }
        }
        // Without reporting periods in the taxonomy (the shipped one) the sample makes none.
        #expect(SampleActivitiesTests.sample.returns(region: "NO-VEST", asOf: today).isEmpty)
    }
}
