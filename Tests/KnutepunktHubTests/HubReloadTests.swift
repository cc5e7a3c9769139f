import KnutepunktConfig
import KnutepunktProtocol
import Testing

@testable import KnutepunktHub

/// What a SIGHUP takes at once and what waits for a restart.
@Suite struct HubReloadTests {
    let base = HubConfiguration(
        id: "HUB",
        listenEndpoint: "tcp://127.0.0.1:7700",
        publishEndpoint: "tcp://127.0.0.1:7701",
        controlEndpoint: "tcp://127.0.0.1:7702",
        storage: .sqlite(path: "/var/lib/knutepunkt/hub.sqlite"),
        taxonomyPath: "/etc/knutepunkt/taxonomy.yaml",
        nodes: [.init(id: "NORD-01", region: "NO-NORD", publicKeys: ["K1"])],
        curve: .init(secretKey: "S", publicKey: "P")
    )

    @Test func grantsKeysAndTheRateNeedNoRestart() {
        var new = base
        new.nodes = [
            .init(id: "NORD-01", region: "NO-MIDT", publicKeys: ["K2"]),
            .init(id: "VEST-02", region: "NO-VEST", publicKeys: ["K3"]),
        ]
        new.nodeEventsPerSecond = 10
        #expect(HubReload.needsRestart(from: base, to: new).isEmpty)
        let policy = HubAdmission.Policy(new, insecure: false)
        #expect(policy.grants == ["NORD-01": "NO-MIDT", "VEST-02": "NO-VEST"])
        #expect(policy.eventsPerSecond == 10)
        #expect(policy.keyring?.owner(of: "K3")?.node == "VEST-02")
        #expect(HubAdmission.Policy(new, insecure: true).keyring == nil, "--insecure checks no keys")
    }

    @Test func socketsStorageAndTheHubsOwnKeyWaitForARestart() {
        var new = base
        new.listenEndpoint = "tcp://127.0.0.1:7800"
        new.storage = .sqlite(path: "/srv/hub.sqlite")
        new.curve = .init(secretKey: "S2", publicKey: "P2")
        new.maxBatch = 16
        #expect(HubReload.needsRestart(from: base, to: new) == ["listen", "storage", "curve.secretKey", "maxBatch"])
    }

    @Test func theSessionTimeoutThePublishQueueAndTheDashboardAreListedToo() {
        var new = base
        new.sessionTimeout = .seconds(30)
        new.publishHighWaterMark = 1000
        new.dashboardAccess = "/etc/knutepunkt/dashboard-access"
        #expect(
            HubReload.needsRestart(from: base, to: new) == [
                "sessionTimeout", "publishHighWaterMark", "dashboardAccess",
            ]
        )
    }
}
