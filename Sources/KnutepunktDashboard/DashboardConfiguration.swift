import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktZMQ

/// Everything the dashboard needs: where the hub is (its store, publish and control endpoints, CURVE keys), the
/// taxonomy and thresholds, who may sign in, and where acknowledgements are kept.
package struct DashboardConfiguration: Sendable {
    /// Opens the hub's store for reading (through ``HubStore``, whatever its engine). Called on the feed's thread.
    package var openStore: @Sendable () throws -> any HubStore
    /// The hub's PUB endpoint (topics `gap.` and `event.`).
    package var publishEndpoint: String
    /// The hub's control endpoint (GAPS, STATUS).
    package var controlEndpoint: String
    /// CURVE towards the hub: a viewer key the hub admits (nil: plaintext).
    package var curve: ZMQCurveClient?
    package var taxonomy: Taxonomy
    package var thresholds: GapThresholds
    package var access: DashboardAccess
    /// The dashboard's own SQLite file for acknowledgements.
    package var acknowledgementsPath: String
    /// The public keys (Z85) each node daemon may connect with, shown in the node status.
    package var nodeKeys: [String: [String]]
    /// The region each node daemon reports for (the hub's grants), to read the hub's record of contact.
    package var daemonRegions: [String: String]
    /// How long after an event arrives the views are read again (events come in bursts).
    package var refreshDelay: Duration = .milliseconds(300)
    /// How often the hub's node status is asked for.
    package var statusInterval: Duration = .seconds(5)
    /// How long a request to the hub's control socket may take.
    package var controlTimeout: Duration = .seconds(2)
    /// Mark the sign-in cookie `Secure` (set when the dashboard is served over HTTPS).
    package var secureCookie = false

    package init(
        openStore: @escaping @Sendable () throws -> any HubStore,
        publishEndpoint: String,
        controlEndpoint: String,
        curve: ZMQCurveClient?,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        access: DashboardAccess,
        acknowledgementsPath: String,
        nodeKeys: [String: [String]] = [:],
        daemonRegions: [String: String] = [:]
    ) {
        self.openStore = openStore
        self.publishEndpoint = publishEndpoint
        self.controlEndpoint = controlEndpoint
        self.curve = curve
        self.taxonomy = taxonomy
        self.thresholds = thresholds
        self.access = access
        self.acknowledgementsPath = acknowledgementsPath
        self.nodeKeys = nodeKeys
        self.daemonRegions = daemonRegions
    }

    /// The dashboard of the hub `hub` configures, connecting as the hub's own key (a viewer the hub admits).
    ///
    /// `acknowledgementsPath` defaults to `dashboard.sqlite` beside the hub's store.
    package init(
        hub: HubConfiguration,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        access: DashboardAccess,
        acknowledgementsPath: String? = nil
    ) {
        let storage = hub.storage
        let folder: String
        switch storage {
        case .sqlite(let path): folder = (path as NSString).deletingLastPathComponent
        // The store is a database elsewhere: acknowledgements default to the working folder (`--acknowledgements`).
        case .postgres: folder = FileManager.default.currentDirectoryPath
        }
        let openStore: @Sendable () throws -> any HubStore = {
            // Never create the hub's store: a wrong path, or a hub not yet started, is reported and retried.
            if case .sqlite(let path) = storage, !FileManager.default.fileExists(atPath: path) {
                throw DashboardError(
                    code: .hubStore,
                    message: "the hub's store \(path) does not exist yet; start the hub, or check hub.storage"
                )
            }
            return try storage.open()
        }
        self.init(
            openStore: openStore,
            publishEndpoint: hub.publishEndpoint,
            controlEndpoint: hub.controlEndpoint,
            curve: hub.viewerCurve,
            taxonomy: taxonomy,
            thresholds: thresholds,
            access: access,
            acknowledgementsPath: acknowledgementsPath
                ?? (folder as NSString).appendingPathComponent("dashboard.sqlite"),
            nodeKeys: Dictionary(hub.nodes.map { ($0.id, $0.publicKeys) }, uniquingKeysWith: { first, _ in first }),
            daemonRegions: Dictionary(hub.nodes.map { ($0.id, $0.region) }, uniquingKeysWith: { first, _ in first })
        )
    }

    /// How a client on the same machine reaches a socket bound to `endpoint`: a wildcard address (`*`, `0.0.0.0`,
    /// `[::]`) becomes loopback; anything else is connected to as it is.
    package static func localConnection(toBound endpoint: String) -> String {
        for (wildcard, loopback) in [
            ("tcp://*:", "tcp://127.0.0.1:"), ("tcp://0.0.0.0:", "tcp://127.0.0.1:"),
            ("tcp://[::]:", "tcp://[::1]:"),
        ]
        where endpoint.hasPrefix(wildcard) {
            return loopback + endpoint.dropFirst(wildcard.count)
        }
        return endpoint
    }
}
