import KnutepunktDomain
import KnutepunktProtocol

/// The release and protocol a daemon runs, as its metrics report them (`knutepunkt_build_info`).
package enum BuildInfo {
    /// The labels of `knutepunkt_build_info{…} 1`.
    package static func labels(daemon: String) -> [(String, String)] {
        [
            ("daemon", daemon), ("version", KnutepunktVersion.current),
            ("protocol", "KPN/\(ProtocolVersion.current)"),
        ]
    }
}
