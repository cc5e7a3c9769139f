import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol

/// The taxonomy a node validates against: the version its hub announced (kept beside the outbox, so a restart
/// without the hub keeps it), or, until the hub announces one, the node's own taxonomy file.
struct NodeReference {
    /// The version the node validates against, as the hub announced it; nil: the node's own file.
    private(set) var version: UInt64?
    private(set) var taxonomy: Taxonomy
    /// The document in force (the hub's, or the file's), for its fingerprint.
    private(set) var document: String
    /// Where the announced version is kept: beside the outbox, `<outbox>.taxonomy.json`.
    let keptAt: String

    /// What is kept on disk.
    struct Kept: Codable {
        var version: UInt64
        var document: String
    }

    /// The kept version if there is one and it reads, else the node's own file.
    init(outboxPath: String, file: Taxonomy, fileDocument: String) {
        keptAt = outboxPath + ".taxonomy.json"
        taxonomy = file
        document = fileDocument
        if let data = FileManager.default.contents(atPath: keptAt),
            let kept = try? JSONDecoder().decode(Kept.self, from: data),
            let taxonomy = TaxonomyFile.inspect(text: kept.document, name: "taxonomy version \(kept.version)").taxonomy
        {
            version = kept.version
            self.taxonomy = taxonomy
            document = kept.document
        }
    }

    /// Reads `document` as taxonomy version `version`; on success keeps it (written atomically before it is used, so
    /// a crash leaves the old one or the new one) and validates against it from now on.
    mutating func adopt(version: UInt64, document: [UInt8]) throws -> Taxonomy {
        let text = String(decoding: document, as: UTF8.self)
        let inspection = TaxonomyFile.inspect(text: text, name: "taxonomy version \(version) from the hub")
        guard let fresh = inspection.taxonomy else {
            throw TaxonomyDocumentError(version: version, problems: inspection.errors.map(\.description))
        }
        let data = try JSONEncoder().encode(Kept(version: version, document: text))
        try data.write(to: URL(fileURLWithPath: keptAt), options: .atomic)
        self.version = version
        taxonomy = fresh
        self.document = text
        return fresh
    }

    /// The node's own file read again (SIGHUP): taken only while the hub has announced no version.
    mutating func fileReloaded(_ file: Taxonomy, document: String) -> Bool {
        guard version == nil else { return false }
        taxonomy = file
        self.document = document
        return true
    }

    func state(confirmedMillisAgo: Int64?) -> TaxonomyState {
        TaxonomyState(
            version: version,
            source: version == nil ? "file" : "hub",
            fingerprint: DocumentFingerprint.of(document.utf8),
            confirmedMillisAgo: version == nil ? nil : confirmedMillisAgo
        )
    }
}

/// A taxonomy document from the hub that this node cannot use.
struct TaxonomyDocumentError: Error, CustomStringConvertible {
    var version: UInt64
    var problems: [String]
    var description: String {
        "taxonomy version \(version) from the hub cannot be read: \(problems.prefix(3).joined(separator: "; "))"
    }
}
