/// Which taxonomy a daemon uses, as STATUS_REPLY says it (`taxonomy`).
package struct TaxonomyState: Codable, Sendable, Hashable {
    /// The version the hub published (at a node: the one its hub announced); nil while none is.
    package var version: UInt64?
    /// `hub`: a version the hub published (announced to the node); `file`: the daemon's own taxonomy file, used while
    /// no version is announced (a node before its first session with a hub of KPN/1.2, or with an older hub).
    package var source: String
    /// When the version was published (ISO 8601, UTC), if known.
    package var publishedAt: String?
    /// A short fingerprint of the document (16 hexadecimal digits), to compare two daemons at a glance.
    package var fingerprint: String
    /// Node: how long ago the hub last confirmed the version (sent it, or said it is current).
    package var confirmedMillisAgo: Int64?

    package init(
        version: UInt64?,
        source: String,
        publishedAt: String? = nil,
        fingerprint: String,
        confirmedMillisAgo: Int64? = nil
    ) {
        self.version = version
        self.source = source
        self.publishedAt = publishedAt
        self.fingerprint = fingerprint
        self.confirmedMillisAgo = confirmedMillisAgo
    }
}

/// TAXONOMY (client → hub): a taxonomy document to publish as the next version, or with `dryRun` only to compare
/// with the current one (`knutepunkt taxonomy diff`).
package struct TaxonomyRequest: Codable, Sendable, Hashable {
    /// The taxonomy file's text.
    package var document: String
    package var dryRun: Bool

    package init(document: String, dryRun: Bool) {
        self.document = document
        self.dryRun = dryRun
    }
}

/// TAXONOMY_RESULT (hub → client).
package struct TaxonomyResult: Codable, Sendable, Hashable {
    /// The version current after the request: the new one when it was published.
    package var version: UInt64?
    /// True when the request published a new version.
    package var published: Bool
    /// One line per change from the current version (`+ kind PILOT`, `~ births NO-VEST: …`).
    package var changes: [String]
    /// Why the document cannot be published (a code removed, a file error); empty when it can.
    package var problems: [String]

    package init(version: UInt64?, published: Bool, changes: [String], problems: [String]) {
        self.version = version
        self.published = published
        self.changes = changes
        self.problems = problems
    }
}

/// A short fingerprint of a document: the first 16 hexadecimal digits of its 64-bit FNV-1a hash. For telling two
/// copies apart at a glance, not for security.
package enum DocumentFingerprint {
    package static func of(_ bytes: some Sequence<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
