import Foundation
import KnutepunktDomain
import Yams

/// A daemon's configuration file: either a node's or the hub's.
package enum DaemonConfiguration: Sendable {
    case node(NodeConfiguration)
    case hub(HubConfiguration)

    /// Loads a configuration file and checks it against the taxonomy it names. Throws every problem found at once.
    ///
    /// `overrides` (the environment's and the flags' values) are laid over the file's first; a problem with one of
    /// them says where it came from.
    package static func load(
        path: String,
        overrides: ConfigOverrides = .none
    ) throws(ConfigErrors) -> (DaemonConfiguration, Taxonomy) {
        var document: Node
        do {
            document = try ConfigReader.document(at: path)
        } catch {
            throw ConfigErrors([error])
        }
        let section = document.mapping?["hub"] != nil ? "hub" : "node"
        document = overrides.apply(to: document, section: section)
        do {
            return try load(document: document, path: path, overrides: overrides)
        } catch {
            let annotated = error.errors.map { error in
                var error = error
                if let key = error.key, let origin = overrides.origin(section: section, key: key) {
                    error.message += " (set by \(origin))"
                }
                return error
            }
            throw ConfigErrors(overrides.errors + annotated)
        }
    }

    private static func load(
        document: Node,
        path: String,
        overrides: ConfigOverrides
    ) throws(ConfigErrors) -> (DaemonConfiguration, Taxonomy) {
        var reader = ConfigReader(file: path)
        let top = reader.mapping(document, at: "", allowed: ["node", "hub"])
        var result: DaemonConfiguration?
        switch (top?["node"], top?["hub"]) {
        case (let node?, nil):
            result = NodeConfiguration.read(&reader, node.mapping).map(DaemonConfiguration.node)
            if node.mapping == nil {
                reader.fail(.wrongType, "node", "expected a mapping", fix: "Indent the node's keys")
            }
        case (nil, let hub?):
            result = HubConfiguration.read(&reader, hub.mapping).map(DaemonConfiguration.hub)
            if hub.mapping == nil { reader.fail(.wrongType, "hub", "expected a mapping", fix: "Indent the hub's keys") }
        case (.some, .some):
            reader.fail(.invalidValue, "", "a file configures one daemon", fix: "Keep either node: or hub:, not both")
        case (nil, nil):
            if top != nil {
                reader.fail(
                    .missingKey,
                    "node",
                    "neither node: nor hub: found",
                    fix: "Start the file with node: or hub:"
                )
            }
        }
        if let result { reader.checkPortClashes(result) }
        guard let result, reader.errors.isEmpty, overrides.errors.isEmpty else { throw ConfigErrors(reader.errors) }
        // The taxonomy's own problems name the taxonomy file, so the reader sees which file to fix.
        let taxonomy = try TaxonomyFile.load(path: result.taxonomyPath)
        var problems: [ConfigError] = []
        switch result {
        case .node(let node):
            if taxonomy.region(node.region) == nil {
                problems.append(
                    ConfigError(
                        code: .invalidValue,
                        file: path,
                        key: "node.region",
                        message: "unknown region \"\(node.region)\"",
                        fix: "Use a region code from \(node.taxonomyPath)"
                    )
                )
            } else if let local = node.defaultNode, taxonomy.region(ofNode: local)?.code != node.region {
                problems.append(
                    ConfigError(
                        code: .invalidValue,
                        file: path,
                        key: "node.defaultNode",
                        message: "\"\(local)\" is not a node of region \(node.region)",
                        fix: "Use one of: \(taxonomy.nodes(inRegion: node.region).map(\.code).joined(separator: ", "))"
                    )
                )
            }
        case .hub(let hub):
            for (index, grant) in hub.nodes.enumerated() where taxonomy.region(grant.region) == nil {
                problems.append(
                    ConfigError(
                        code: .invalidValue,
                        file: path,
                        key: "hub.nodes[\(index)].region",
                        message: "unknown region \"\(grant.region)\"",
                        fix: "Use a region code from \(hub.taxonomyPath)"
                    )
                )
            }
        }
        guard problems.isEmpty else { throw ConfigErrors(problems) }
        return (result, taxonomy)
    }

    var taxonomyPath: String {
        switch self {
        case .node(let node): node.taxonomyPath
        case .hub(let hub): hub.taxonomyPath
        }
    }
}
