import Foundation
import KnutepunktDomain
import KnutepunktSampleNetwork
import KnutepunktStore

/// The sample network's year as the hub stores it, written straight into a store: each region's activities and
/// the monthly returns its coordinators made by `asOf`, each region's daemon the source of its region's (named
/// `sourcePrefix` + the region, so that a test's real node daemon named after a region can start its own sequence).
package enum SampleHubStore {
    package static let regions = ["NO-SOROST", "NO-VEST", "NO-MIDT", "NO-NORD"]

    package static func store(
        _ sample: SampleActivities,
        asOf: LocalDate,
        in store: some HubStore,
        sourcePrefix: String = ""
    ) throws {
        for region in regions {
            let source = sourcePrefix + region
            var batch = HubBatch()
            for (index, event) in sample.activities(region: region).enumerated() {
                batch.events.append(
                    HubEventRecord(
                        source: source,
                        sequence: UInt64(index + 1),
                        event: event,
                        payload: event.canonicalJSON()
                    )
                )
            }
            for (index, made) in sample.returns(region: region, asOf: asOf).enumerated() {
                let record = MonthlyReturn(
                    region: region,
                    node: made.node,
                    month: made.month,
                    status: made.status,
                    submittedBy: "sample",
                    submittedAt: LocalDate.utcTimestamp(made.madeOn.startInNorway.addingTimeInterval(9 * 3600))
                )
                batch.returns.append(
                    HubReturnRecord(source: source, sequence: UInt64(batch.events.count + index + 1), record: record)
                )
            }
            _ = try store.commit(batch, receivedAt: Date())
        }
    }
}
