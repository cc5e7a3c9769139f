import Foundation
import KnutepunktZMQ
import Yams

/// The CURVE key files daemon configurations refer to, found without validating the rest of the files, so that
/// missing key pairs can be generated before the daemons start (`knutepunkt keys ensure`, and the local network on its
/// first run).
package enum KeyReferences {
    /// What `ensure` did to one key pair.
    package enum Outcome: Sendable, Hashable {
        case generated(secret: String, public: String)
        /// The secret key was there; its public key file was written from it.
        case derivedPublic(String)
    }

    /// Every key file path the daemon configuration at `path` names (absolute), or none when it names none.
    package static func paths(inConfiguration path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let document = try? Yams.compose(yaml: text)
        else { return [] }
        var found: [String] = []
        func add(_ node: Node?) {
            if let value = node?.scalar?.string, !value.isEmpty {
                found.append(ConfigReader.resolve(value, relativeTo: path))
            }
        }
        if let hub = document["hub"] {
            add(hub["curve"]?["secretKey"])
            for viewer in hub["curve"]?["viewers"]?.sequence ?? [] { add(viewer) }
            for node in hub["nodes"]?.sequence ?? [] {
                for key in node["publicKeys"]?.sequence ?? [] { add(key) }
            }
        }
        if let node = document["node"] {
            add(node["curve"]?["secretKey"])
            add(node["curve"]?["hubPublicKey"])
        }
        return found
    }

    /// Generates every key pair that the configurations at `paths` refer to and that does not exist yet. A pair is
    /// the files `STEM.key` and `STEM.pub`; a reference to either names the pair. Existing keys are never replaced.
    package static func ensure(configurations: [String]) throws -> [Outcome] {
        var stems: [String] = []
        for file in configurations {
            for path in paths(inConfiguration: file) {
                let stem = (path as NSString).deletingPathExtension
                if !stems.contains(stem) { stems.append(stem) }
            }
        }
        var outcomes: [Outcome] = []
        for stem in stems {
            let secret = stem + ".key"
            let publicFile = stem + ".pub"
            let manager = FileManager.default
            switch (manager.fileExists(atPath: secret), manager.fileExists(atPath: publicFile)) {
            case (false, false):
                let written = try CurveKeyFile.write(
                    try ZMQCurveKeyPair.generate(),
                    folder: (stem as NSString).deletingLastPathComponent,
                    name: (stem as NSString).lastPathComponent
                )
                outcomes.append(.generated(secret: written.secret, public: written.public))
            case (true, false):
                guard case .success(let key) = CurveKeyFile.read(secret) else { continue }
                let publicKey = try ZMQCurveKeyPair.publicKey(fromSecret: key)
                try "# Knutepunkt CURVE public key of \((stem as NSString).lastPathComponent).\n\(publicKey)\n".write(
                    toFile: publicFile,
                    atomically: true,
                    encoding: .utf8
                )
                outcomes.append(.derivedPublic(publicFile))
            default:
                // Both there, or only the public key (someone else's secret): nothing to do here.
                continue
            }
        }
        return outcomes
    }
}
