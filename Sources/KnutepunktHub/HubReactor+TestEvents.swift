import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktZMQ

/// Test events (docs/events.md, "Test events"): validated and attributed like any event, committed and acknowledged
/// with their batch, but kept apart: never in the activity counters, the gap facts, the event stream, the dashboard
/// or any export. They are published on `test.<REGION>` and counted in `knutepunkt_hub_test_events_total` only.
extension HubReactor {
    static func testRecord(_ ingest: HubSessionStateMachine.Ingest, _ event: ActivityEvent) -> HubTestEventRecord {
        HubTestEventRecord(
            source: ingest.nodeID,
            sequence: ingest.sequence,
            eventID: event.id,
            region: event.region,
            node: event.node,
            payload: event.canonicalJSON()
        )
    }

    /// After the commit that stored them: one log line each (an operator is watching for it), the topic
    /// `test.<REGION>`, the counter.
    func settleTests(_ tests: [HubTestEventRecord]) {
        guard !tests.isEmpty else { return }
        for test in tests {
            logger.info(
                "test event committed; not counted",
                metadata: [
                    "node.id": "\(test.source)", "sequence": "\(test.sequence)",
                    "event.id": "\(test.eventID.lowercasedText)", "region": "\(test.region)",
                ]
            )
            do {
                try publisher.send([Array("test.\(test.region)".utf8), test.payload], dontWait: true)
                setup.metrics.published("test")
            } catch {
                setup.metrics.published("test", failed: true)
                logger.warning("publishing a test event failed", metadata: ["error": "\(error)"])
            }
        }
        setup.metrics.committedTests(tests.count)
    }

    /// What STATUS says about test events.
    func testEventsStatus() throws -> HubStatusReport.TestEvents {
        let (total, latest) = try store.testEvents(limit: 5)
        return HubStatusReport.TestEvents(
            total: total,
            latest: latest.map {
                HubStatusReport.TestEvents.Entry(
                    node: $0.source,
                    sequence: $0.sequence,
                    id: $0.eventID.lowercasedText,
                    region: $0.region,
                    receivedAt: Self.timestamp($0.receivedAt)
                )
            }
        )
    }
}
