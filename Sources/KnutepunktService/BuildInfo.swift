import KnutepunktDomain
import KnutepunktProtocol

/// The release and protocol a daemon runs, as its metrics report them (`knutepunkt_build_info`), and the commit it
/// was built from.
package enum BuildInfo {
    /// What `knutepunkt --version` prints: the release, then the commit (`0.1.0 (commit 1a2b3c4d5e6f)`), or
    /// `(commit unknown)` for a build that was not given one. Scripts take the first word (Deploy/package.sh).
    package static var versionText: String {
        "\(KnutepunktVersion.current) (commit \(commit ?? "unknown"))"
    }

    /// The labels of `knutepunkt_build_info{…} 1`.
    package static func labels(daemon: String) -> [(String, String)] {
        [
            ("daemon", daemon), ("version", KnutepunktVersion.current),
            ("protocol", "KPN/\(ProtocolVersion.current)"), ("commit", commit ?? "unknown"),
        ]
    }
}
