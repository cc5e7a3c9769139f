import Foundation
import KnutepunktDomain
import Yams

/// A daemon's configuration file: either a node's or the hub's.
package enum DaemonConfiguration: Sendable {
    case node(NodeConfiguration)
    case hub(HubConfiguration)

    /// What reading one daemon file found: the configuration and its taxonomy when both could be read, the addresses
    /// it binds (known even when other keys are wrong, so clashes between files are found in the same run), and
    /// every problem, those of the taxonomy it names included.
    package struct Inspection: Sendable {
        package var configuration: DaemonConfiguration?
        package var taxonomy: Taxonomy?
        package var bindings: [PortBinding]
        package var errors: [ConfigError]
    }

    /// Loads a configuration file and checks it against the taxonomy it names. Throws every problem found at once.
    ///
    /// `overrides` (the environment's and the flags' values) are laid over the file's first; a problem with one of
    /// them says where it came from.
    package static func load(
        path: String,
        overrides: ConfigOverrides = .none
    ) throws(ConfigErrors) -> (DaemonConfiguration, Taxonomy) {
        let inspection = inspect(path: path, overrides: overrides)
        guard let configuration = inspection.configuration, let taxonomy = inspection.taxonomy,
            inspection.errors.isEmpty
        else { throw ConfigErrors(inspection.errors) }
        return (configuration, taxonomy)
    }

    /// Reads a configuration file and the taxonomy it names, collecting every problem in one pass: a wrong key does
    /// not hide an unknown region, nor a broken taxonomy a missing key file. Only a file that is not YAML at all
    /// stops it early.
    package static func inspect(path: String, overrides: ConfigOverrides = .none) -> Inspection {
        var document: Node
        do {
            document = try ConfigReader.document(at: path)
        } catch {
            return Inspection(configuration: nil, taxonomy: nil, bindings: [], errors: overrides.errors + [error])
        }
        let section = document.mapping?["hub"] != nil ? "hub" : "node"
        document = overrides.apply(to: document, section: section)
        var reader = ConfigReader(file: path)
        let configuration = read(&reader, document)
        let bindings = DaemonBindings.read(document)
        reader.checkPortClashes(bindings)
        let references = TaxonomyReferences.read(document, file: path)
        var taxonomy: Taxonomy?
        if let taxonomyPath = references.taxonomyPath {
            // The taxonomy's own problems name the taxonomy file, so the reader sees which file to fix.
            let inspection = TaxonomyFile.inspect(path: taxonomyPath)
            reader.errors += inspection.errors
            taxonomy = inspection.taxonomy
            references.check(
                against: inspection.read,
                trusting: inspection.errors,
                taxonomyPath: taxonomyPath,
                reader: &reader
            )
        }
        let errors = reader.errors.map { error in
            var error = error
            if let key = error.key, let origin = overrides.origin(section: section, key: key) {
                error.message += " (set by \(origin))"
            }
            return error
        }
        return Inspection(
            configuration: configuration,
            taxonomy: taxonomy,
            bindings: bindings,
            errors: overrides.errors + errors
        )
    }

    /// The `node:` or `hub:` section, as far as it can be read; its mistakes go to `reader`.
    private static func read(_ reader: inout ConfigReader, _ document: Node) -> DaemonConfiguration? {
        let top = reader.mapping(document, at: "", allowed: ["node", "hub"])
        switch (top?["node"], top?["hub"]) {
        case (let node?, nil):
            if node.mapping == nil {
                reader.fail(.wrongType, "node", "expected a mapping", fix: "Indent the node's keys")
            }
            return NodeConfiguration.read(&reader, node.mapping).map(DaemonConfiguration.node)
        case (nil, let hub?):
            if hub.mapping == nil { reader.fail(.wrongType, "hub", "expected a mapping", fix: "Indent the hub's keys") }
            return HubConfiguration.read(&reader, hub.mapping).map(DaemonConfiguration.hub)
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
        return nil
    }

    var taxonomyPath: String {
        switch self {
        case .node(let node): node.taxonomyPath
        case .hub(let hub): hub.taxonomyPath
        }
    }
}

/// The codes a daemon file takes from its taxonomy (a node's region and default node, the hub's grants' regions),
/// read straight from the document so that they are checked even when other keys of the file are wrong.
struct TaxonomyReferences {
    var taxonomyPath: String?
    var file: String
    var node: (region: String?, defaultNode: String?)?
    var grantRegions: [(index: Int, region: String)] = []

    static func read(_ document: Node, file: String) -> TaxonomyReferences {
        let hub = document.mapping?["hub"]?.mapping
        let node = document.mapping?["node"]?.mapping
        let section = hub ?? node
        var references = TaxonomyReferences(
            taxonomyPath: (section?["taxonomy"]?.scalar?.string).map { ConfigReader.resolve($0, relativeTo: file) },
            file: file
        )
        if let node, hub == nil {
            references.node = (node["region"]?.scalar?.string, node["defaultNode"]?.scalar?.string)
        }
        for (index, grant) in (hub?["nodes"]?.sequence.map(Array.init) ?? []).enumerated() {
            if let region = grant.mapping?["region"]?.scalar?.string { references.grantRegions.append((index, region)) }
        }
        return references
    }

    /// Checks the codes against `taxonomy` as read. Where the taxonomy has errors of its own, only the sections
    /// without any are trusted: a region reported missing because its entry is broken would repeat that mistake.
    func check(
        against taxonomy: Taxonomy?,
        trusting taxonomyErrors: [ConfigError],
        taxonomyPath: String,
        reader: inout ConfigReader
    ) {
        guard let taxonomy else { return }
        let broken = Set(taxonomyErrors.map { String(($0.key ?? "").prefix { $0 != "[" && $0 != "." }) })
        let regionsTrusted = !broken.contains("regions") && !broken.contains("")
        let nodesTrusted = regionsTrusted && !broken.contains("nodes")
        if let (region, defaultNode) = node, let region, regionsTrusted {
            if taxonomy.region(region) == nil {
                reader.fail(
                    .invalidValue,
                    "node.region",
                    "unknown region \"\(region)\"",
                    fix: "Use a region code from \(taxonomyPath)"
                )
            } else if let local = defaultNode, nodesTrusted, taxonomy.region(ofNode: local)?.code != region {
                reader.fail(
                    .invalidValue,
                    "node.defaultNode",
                    "\"\(local)\" is not a node of region \(region)",
                    fix: "Use one of: \(taxonomy.nodes(inRegion: region).map(\.code).joined(separator: ", "))"
                )
            }
        }
        guard regionsTrusted else { return }
        for (index, region) in grantRegions where taxonomy.region(region) == nil {
            reader.fail(
                .invalidValue,
                "hub.nodes[\(index)].region",
                "unknown region \"\(region)\"",
                fix: "Use a region code from \(taxonomyPath)"
            )
        }
    }
}
