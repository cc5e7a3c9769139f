import Foundation
import KnutepunktClient
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktStore
import KnutepunktTesting
import Testing

/// Reference data end to end (docs/protocol.md, "Reference data"): the hub versions the taxonomy, a new version
/// reaches a running node over its link and is used at once, events carry the version they were checked against,
/// codes may be added or retired but never removed, and a node keeps the hub's version across a restart.
@Suite(.serialized)
struct ReferenceDataTests {
    static let shipped = (try? String(contentsOfFile: Repository.taxonomyPath, encoding: .utf8)) ?? ""

    /// The shipped taxonomy with a new activity kind and NO-VEST's births from official statistics.
    static var versionTwo: String {
        shipped
            .replacingOccurrences(
                of: "  - {code: PILOT, name: Pilot, nb: Pilot}\n",
                with:
                    "  - {code: PILOT, name: Pilot, nb: Pilot}\n  - {code: ASSESSMENT, name: Assessment of a family}\n"
            )
            .replacingOccurrences(
                of:
                    "births: {value: 11500, year: 2023, source: \"Estimate from SSB live births 2023 by county (DOMAIN.md §1)\", estimate: true}",
                with: "births: {value: 11620, year: 2024, source: \"SSB Statbank table 04231, 2024\", estimate: false}"
            )
    }

    static func event(index: Int, kind: String, date: String? = nil) -> String {
        var text = EventFixtures.event(
            source: "REF",
            index: index,
            region: "NO-VEST",
            node: "NO-VEST-FONNA",
            kind: kind
        )
        if let date, let range = text.range(of: #""date":"2025-[0-9-]{5}""#, options: .regularExpression) {
            text.replaceSubrange(range, with: #""date":"\#(date)""#)
        }
        return text
    }

    /// The node's taxonomy once it is at `version`: asks again until it is (the announcement takes a moment).
    static func nodeTaxonomy(_ control: String, at version: UInt64) async throws -> TaxonomyState? {
        for _ in 0..<2_000 {
            let report = try await ControlClient.withConnection(to: control) { try $0.status() }
            if case .node(let node, _) = report, node.taxonomy?.version == version { return node.taxonomy }
        }
        return nil
    }

    static func publish(_ document: String, to control: String, dryRun: Bool = false) async throws -> TaxonomyResult {
        try await ControlClient.withConnection(to: control) {
            try $0.taxonomy(TaxonomyRequest(document: document, dryRun: dryRun))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aNewVersionReachesARunningNodeAndIsUsedAtOnce() async throws {
        #expect(Self.versionTwo != Self.shipped, "the test's edits apply to the shipped taxonomy")
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hubConfiguration = InProcessDaemons.hubConfiguration(folder: folder)
        let nodeConfiguration = NodeToHubTests.nodeConfiguration(folder: folder, hub: "tcp://127.0.0.1:1")
        let outcome = try await InProcessDaemons.withHub(hubConfiguration) { hub in
            var configuration = nodeConfiguration
            configuration.hubEndpoints = [hub.listen]
            return try await InProcessDaemons.withNode(configuration) { node in
                // Version 1 is the hub's file, published at its first start and announced to the node.
                let first = try await Self.nodeTaxonomy(node.control, at: 1)
                let before = try await NodeToHubTests.submit(
                    [Self.event(index: 1, kind: "ASSESSMENT")],
                    to: node.control
                )
                let old = try await NodeToHubTests.submit([Self.event(index: 2, kind: "TRAINING")], to: node.control)
                let diff = try await Self.publish(Self.versionTwo, to: hub.control, dryRun: true)
                let published = try await Self.publish(Self.versionTwo, to: hub.control)
                let second = try await Self.nodeTaxonomy(node.control, at: 2)
                let after = try await NodeToHubTests.submit(
                    [Self.event(index: 3, kind: "ASSESSMENT")],
                    to: node.control
                )
                // A code removed: refused, version 2 stays in force everywhere.
                let removing = try await Self.publish(
                    Self.versionTwo.replacingOccurrences(of: "  - {code: PILOT, name: Pilot, nb: Pilot}\n", with: ""),
                    to: hub.control
                )
                let drained = try await NodeToHubTests.drained(node.control)
                let report = try await ControlClient.withConnection(to: hub.control) { try $0.status() }
                guard case .hub(let hubStatus, _) = report else { throw PeerFailure("not the hub's status") }
                return (first, before, old, diff, published, second, after, removing, drained, hubStatus)
            }
        }
        let (first, before, old, diff, published, second, after, removing, drained, hubStatus) = outcome
        #expect(first?.source == "hub")
        #expect(before.first?.status == .invalid, "ASSESSMENT is not a kind of version 1")
        #expect(before.first?.issues?.first?.code == .unknownCode)
        #expect(old.first?.status == .queued)
        #expect(diff.published == false && diff.version == 1)
        #expect(diff.changes.contains("+ kind ASSESSMENT"), "\(diff.changes)")
        #expect(
            diff.changes.contains { $0.hasPrefix("~ births NO-VEST: 11500 (2023, estimate) → 11620 (2024, published)") }
        )
        #expect(published.published && published.version == 2 && published.problems.isEmpty)
        #expect(second?.version == 2 && second?.fingerprint == DocumentFingerprint.of(Self.versionTwo.utf8))
        #expect(after.first?.status == .queued, "the node validates against version 2 without a restart")
        #expect(!removing.published && removing.version == 2)
        #expect(removing.problems.first?.contains("kind PILOT is missing") == true, "\(removing.problems)")
        #expect(drained.outbox.backlog == 0 && drained.outbox.rejected == 0, "the hub took ASSESSMENT too")
        #expect(hubStatus.taxonomy?.version == 2 && hubStatus.taxonomy?.source == "hub")

        // Every event carries the version it was checked against; the store keeps both versions.
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        var payloads: [String] = []
        try store.forEachPayload { payloads.append(String(decoding: $0, as: UTF8.self)) }
        #expect(payloads.count == 2)
        #expect(payloads.contains { $0.contains(#""kind":"TRAINING""#) && $0.hasSuffix(#""taxonomy_version":1}"#) })
        #expect(payloads.contains { $0.contains(#""kind":"ASSESSMENT""#) && $0.hasSuffix(#""taxonomy_version":2}"#) })
        #expect(try store.taxonomyVersions().map(\.version) == [1, 2])
        try store.close()

        // The node restarts while the hub is away: it keeps version 2 (kept beside its outbox), not its file.
        let restarted = try await InProcessDaemons.withNode(nodeConfiguration) { node in
            let report = try await ControlClient.withConnection(to: node.control) { try $0.status() }
            let accepted = try await NodeToHubTests.submit([Self.event(index: 4, kind: "ASSESSMENT")], to: node.control)
            guard case .node(let status, _) = report else { throw PeerFailure("not a node's status") }
            return (status.taxonomy, accepted)
        }
        #expect(restarted.0?.version == 2 && restarted.0?.source == "hub")
        #expect(restarted.1.first?.status == .queued)

        // The hub restarts on the same store with its file unchanged: version 2 stays in force (the file is
        // version 1's document, which the hub does not publish backwards: it is not the latest, and going back would
        // remove ASSESSMENT).
        let afterRestart = try await InProcessDaemons.withHub(hubConfiguration) { hub in
            let report = try await ControlClient.withConnection(to: hub.control) { try $0.status() }
            guard case .hub(let status, _) = report else { throw PeerFailure("not the hub's status") }
            return status.taxonomy
        }
        #expect(afterRestart?.version == 2)
    }

    @Test(.timeLimit(.minutes(2)))
    func aRetiredCodeIsRefusedAfterItsGracePeriodAndHistoryKeepsIt() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let today = LocalDate.today()
        let retiring =
            "retirementGraceDays: 0\n"
            + Self.shipped.replacingOccurrences(
                of: "  - {code: PILOT, name: Pilot, nb: Pilot}\n",
                with: "  - {code: PILOT, name: Pilot, nb: Pilot, retired: \(today.iso)}\n"
            )
        let (published, results) = try await InProcessDaemons.withHub(InProcessDaemons.hubConfiguration(folder: folder))
        {
            hub in
            try await InProcessDaemons.withNode(NodeToHubTests.nodeConfiguration(folder: folder, hub: hub.listen)) {
                node in
                _ = try await Self.nodeTaxonomy(node.control, at: 1)
                let published = try await Self.publish(retiring, to: hub.control)
                _ = try await Self.nodeTaxonomy(node.control, at: 2)
                let results = try await NodeToHubTests.submit(
                    [
                        Self.event(index: 1, kind: "PILOT", date: today.iso),
                        Self.event(index: 2, kind: "PILOT", date: today.adding(days: -1).iso),
                    ],
                    to: node.control
                )
                _ = try await NodeToHubTests.drained(node.control)
                return (published, results)
            }
        }
        #expect(
            published.published
                && published.changes == ["~ kind PILOT retired on \(today.iso)", "~ grace period 90 → 0 days"]
        )
        #expect(results[0].status == .invalid && results[0].issues?.map(\.code) == [.retiredCode])
        #expect(results[1].status == .queued, "an activity before the cutoff may still use it")
        let store = try SQLiteHubStore.open(path: folder.file("hub.sqlite"))
        defer { try? store.close() }
        #expect(try store.counts().total == 1)
    }
}
