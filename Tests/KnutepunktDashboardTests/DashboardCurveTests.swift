import Foundation
import KnutepunktClient
import KnutepunktConfig
import KnutepunktDashboard
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktTesting
import KnutepunktZMQ
import Testing

/// The dashboard configured from a hub's configuration file, as `knutepunkt dashboard` is, against a hub running
/// CURVE: it follows the hub as the hub's own key; a key the hub does not know gets nothing.
@Suite(.serialized)
struct DashboardCurveTests {
    @Test(.timeLimit(.minutes(6)))
    func theDashboardFollowsACurveHubWithTheHubsOwnKey() async throws {
        let network = try LoopbackNetwork(nodes: DashboardFixtures.regions.map { ($0, $0, "\($0)-X") })
        defer { network.folder.remove() }
        try network.writeHubConfig()
        guard case (.hub(let hub), let taxonomy) = try DaemonConfiguration.load(path: network.hubConfigPath) else {
            Issue.record("not a hub configuration")
            return
        }
        try DashboardFixtures.storeSample(at: network.hubStorePath, today: LocalDate.today())
        let token = DashboardAccess.makeToken()
        let access = DashboardAccess(entries: [
            .init(user: DashboardUser(name: "screen", role: .viewer), digest: DashboardAccess.digest(of: token))
        ])
        try await InProcessDaemons.withHub(hub) { endpoints in
            // The file asked for any free port; the dashboard is pointed at the ports the hub bound.
            var bound = hub
            bound.publishEndpoint = endpoints.publish
            bound.controlEndpoint = endpoints.control
            var configuration = DashboardConfiguration(
                hub: bound,
                taxonomy: taxonomy,
                thresholds: .standard,
                access: access
            )
            configuration.controlTimeout = .milliseconds(500)
            #expect(configuration.curve?.keys.publicKey == hub.curve?.publicKey)
            #expect(configuration.nodeKeys["NO-VEST"]?.count == 1)
            let hubGaps = try await ControlClient.withConnection(
                to: endpoints.control,
                timeout: .seconds(60),
                curve: hub.viewerCurve
            ) {
                try $0.gapSnapshot()
            }
            try await DashboardFixtures.withDashboard(configuration) { feed, _ in
                try await DashboardFixtures.waitUntil("the gaps and status over CURVE", on: feed.state) {
                    let state = feed.state.snapshot
                    return state.gapEpoch != nil && state.status != nil && state.views != nil
                }
                let state = feed.state.snapshot
                #expect(state.status?.security?.mode == "curve")
                #expect(state.gapEpoch == hubGaps.epoch)
                #expect(Set(state.gaps.keys).isSuperset(of: hubGaps.gaps.filter { $0.rule == "G1" }.map(\.key)))
                #expect(state.hubProblem == nil)
            }

            // A key the hub was never told about: no gaps, no status, and the dashboard says why.
            var stranger = configuration
            stranger.curve = ZMQCurveClient(serverKey: hub.curve!.publicKey, keys: try ZMQCurveKeyPair.generate())
            try await DashboardFixtures.withDashboard(stranger) { feed, _ in
                try await DashboardFixtures.waitUntil("the refusal to show", on: feed.state) {
                    feed.state.snapshot.hubProblem != nil
                }
                #expect(feed.state.snapshot.gapEpoch == nil && feed.state.snapshot.status == nil)
            }
        }
    }
}
