import KnutepunktConfig
import KnutepunktProtocol

/// What a hub takes from its configuration file read again (SIGHUP), and what only a restart applies. Pure.
enum HubReload {
    /// The settings that differ between `current` and `new` but apply only after a restart, by their key names.
    /// Keys, grants, regions and the rate limit reload at once (``HubAdmission``), the gap thresholds from their own
    /// file, and the log level through its own control.
    static func needsRestart(from current: HubConfiguration, to new: HubConfiguration) -> [String] {
        var restart: [String] = []
        if new.id != current.id { restart.append("id") }
        if new.listenEndpoint != current.listenEndpoint { restart.append("listen") }
        if new.publishEndpoint != current.publishEndpoint { restart.append("publish") }
        if new.controlEndpoint != current.controlEndpoint { restart.append("control") }
        if new.storage != current.storage { restart.append("storage") }
        if new.http != current.http { restart.append("http") }
        if new.logFormat != current.logFormat { restart.append("logFormat") }
        if new.curve?.secretKey != current.curve?.secretKey { restart.append("curve.secretKey") }
        if new.taxonomyPath != current.taxonomyPath { restart.append("taxonomy") }
        if new.maxBatch != current.maxBatch { restart.append("maxBatch") }
        if new.maxMessageBytes != current.maxMessageBytes { restart.append("maxMessageBytes") }
        if new.sessionTimeout != current.sessionTimeout { restart.append("sessionTimeout") }
        if new.publishHighWaterMark != current.publishHighWaterMark { restart.append("publishHighWaterMark") }
        if new.dashboardAccess != current.dashboardAccess { restart.append("dashboardAccess") }
        if new.otlpEndpoint != current.otlpEndpoint { restart.append("otlpEndpoint") }
        return restart
    }
}

extension HubAdmission.Policy {
    /// The admission policy a hub configuration sets: its grants, its keys (none when running `insecure`) and its
    /// per-node rate.
    init(_ configuration: HubConfiguration, insecure: Bool) {
        self.init(
            grants: Dictionary(configuration.nodes.map { ($0.id, $0.region) }, uniquingKeysWith: { first, _ in first }),
            keyring: insecure ? nil : configuration.keyring,
            eventsPerSecond: configuration.nodeEventsPerSecond
        )
    }
}
