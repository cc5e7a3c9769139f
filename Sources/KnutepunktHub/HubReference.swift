import Foundation
import KnutepunktConfig
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import Logging

/// The hub's reference data: the taxonomy it publishes, versioned in its store (docs/protocol.md, "Reference data").
///
/// The hub's taxonomy file is the source; the store keeps every published version. At start, on SIGHUP and on
/// `knutepunkt taxonomy publish`, a document that differs from the latest version is published as the next one — if
/// it may be: codes are never renamed or removed, only added or retired (``TaxonomyChanges``). A document that may
/// not be published is refused and the latest version stays in force. Owned by the reactor's thread.
struct HubReference {
    /// The version in force and its taxonomy.
    private(set) var current: TaxonomyVersionRecord?
    private(set) var taxonomy: Taxonomy
    private(set) var announcer = ReferenceAnnouncer()

    /// What trying to publish a document came to.
    struct Outcome {
        var result: TaxonomyResult
        /// The new version's taxonomy, when one was published.
        var published: Taxonomy?
    }

    /// Starts from the store's latest version, then publishes `document` (the taxonomy file) if it differs and may
    /// be published. `fallback` (the file as the configuration loaded it) is used only when the store holds no
    /// version and the file cannot be published either.
    init(store: any HubStore, document: String?, fallback: Taxonomy, file: String, logger: Logger) throws {
        taxonomy = fallback
        if let latest = try store.latestTaxonomyVersion() {
            let inspection = TaxonomyFile.inspect(text: latest.document, name: "taxonomy version \(latest.version)")
            if let stored = inspection.taxonomy {
                current = latest
                taxonomy = stored
                announcer = ReferenceAnnouncer(version: UInt64(latest.version), document: Array(latest.document.utf8))
            } else {
                logger.error(
                    "the store's latest taxonomy version cannot be read; publishing the file instead",
                    metadata: ["version": "\(latest.version)", "problems": "\(inspection.errors.count)"]
                )
            }
        }
        guard let document else { return }
        let outcome = publish(document, name: file, dryRun: false, store: store)
        if !outcome.result.problems.isEmpty {
            logger.error(
                "the taxonomy file is not published; the latest version stays in force",
                metadata: [
                    "file": "\(file)", "version": "\(current.map { "\($0.version)" } ?? "none")",
                    "problems": "\(outcome.result.problems.joined(separator: "; "))",
                ]
            )
        } else if outcome.result.published {
            logger.info(
                "taxonomy published",
                metadata: [
                    "version": "\(outcome.result.version ?? 0)", "changes": "\(outcome.result.changes.count)",
                ]
            )
        }
    }

    /// Checks `document` against the version in force and, unless `dryRun`, publishes it as the next version.
    mutating func publish(_ document: String, name: String, dryRun: Bool, store: any HubStore) -> Outcome {
        func refused(_ problems: [String], changes: [String] = []) -> Outcome {
            Outcome(
                result: TaxonomyResult(
                    version: current.map { UInt64($0.version) },
                    published: false,
                    changes: changes,
                    problems: problems
                ),
                published: nil
            )
        }
        let inspection = TaxonomyFile.inspect(text: document, name: name)
        guard let fresh = inspection.taxonomy else { return refused(inspection.errors.map(\.description)) }
        if let current, current.document == document {
            return Outcome(
                result: TaxonomyResult(version: UInt64(current.version), published: false, changes: [], problems: []),
                published: nil
            )
        }
        let changes = TaxonomyChanges(from: current == nil ? fresh : taxonomy, to: fresh, today: .today())
        guard changes.problems.isEmpty else { return refused(changes.problems, changes: changes.lines) }
        if dryRun {
            return Outcome(
                result: TaxonomyResult(
                    version: current.map { UInt64($0.version) },
                    published: false,
                    changes: changes.lines,
                    problems: []
                ),
                published: nil
            )
        }
        let record: TaxonomyVersionRecord
        do {
            (record, _) = try store.publishTaxonomy(document, at: Date())
        } catch {
            return refused(["the store could not record the new version: \(error)"])
        }
        current = record
        taxonomy = fresh
        _ = announcer.published(version: UInt64(record.version), document: Array(document.utf8))
        return Outcome(
            result: TaxonomyResult(
                version: UInt64(record.version),
                published: true,
                changes: changes.lines,
                problems: []
            ),
            published: fresh
        )
    }

    /// What STATUS says.
    var state: TaxonomyState {
        TaxonomyState(
            version: current.map { UInt64($0.version) },
            source: current == nil ? "file" : "hub",
            publishedAt: current.map { HubReactor.timestamp($0.publishedAt) },
            fingerprint: DocumentFingerprint.of((current?.document ?? "").utf8)
        )
    }
}
