import Foundation
import KnutepunktDomain
import KnutepunktProtocol

/// Reference data at the node (docs/protocol.md, "Reference data"): asks its hub for the current taxonomy version on
/// every session of KPN/1.2 or later and every minute, takes each version announced, validates against it, and
/// writes it into every event it accepts (`taxonomy_version`).
extension NodeReactor {
    /// Follows the uplink's session (opened, closed) and the query timer; called on every turn of the loop.
    func followReference() {
        let ready = uplink.phase == .ready
        if ready != referenceSessionOpen {
            referenceSessionOpen = ready
            if ready {
                perform(referenceFollower.sessionOpened(version: uplink.version ?? .first, now: clock.now))
            } else {
                referenceFollower.sessionClosed()
            }
        }
        perform(referenceFollower.tick(now: clock.now))
    }

    /// A REFERENCE from the hub.
    func received(_ message: ReferenceMessage) {
        perform(referenceFollower.received(message, now: clock.now))
    }

    func perform(_ actions: [ReferenceFollowerStateMachine.Action]) {
        for action in actions {
            switch action {
            case .send(let message):
                sendFramesToHub(message.frames)
            case .adopt(let version, let document):
                do {
                    validator = EventValidator(taxonomy: try reference.adopt(version: version, document: document))
                    referenceFollower.adopted(version, now: clock.now)
                    logger.info(
                        "taxonomy version from the hub in force",
                        metadata: [
                            "taxonomy.version": "\(version)",
                            "fingerprint": "\(DocumentFingerprint.of(document))",
                        ]
                    )
                } catch {
                    referenceFollower.refused(version)
                    logger.error(
                        "a taxonomy version from the hub is not used; the one in force stays",
                        metadata: ["taxonomy.version": "\(version)", "error": "\(error)"]
                    )
                }
            }
        }
    }

    /// The node's taxonomy file read again (SIGHUP): used only while the hub has announced no version.
    func taxonomyFileReloaded(_ taxonomy: Taxonomy, document: String) {
        if reference.fileReloaded(taxonomy, document: document) {
            validator = EventValidator(taxonomy: taxonomy)
            logger.info("taxonomy file reloaded", metadata: ["fingerprint": "\(DocumentFingerprint.of(document.utf8))"])
        } else {
            logger.info(
                "taxonomy file read; the hub's version stays in force (the file is used only before the hub announces one)",
                metadata: ["taxonomy.version": "\(reference.version ?? 0)"]
            )
        }
    }

    /// The payload as it goes over a session: below KPN/1.2 without `taxonomy_version` and `trace`, which such a hub
    /// does not read (they only say which taxonomy checked the event and which trace follows it).
    static func payload(_ payload: [UInt8], below referenceData: Bool) -> [UInt8] {
        guard referenceData,
            payload.contains(subsequence: Self.taxonomyVersionMember) || payload.contains(subsequence: Self.traceMember)
        else { return payload }
        guard case .object(var object)? = try? JSONValue.parse(payload) else { return payload }
        object["taxonomy_version"] = nil
        object["trace"] = nil
        return JSONValue.object(object).serialized()
    }

    private static let taxonomyVersionMember = Array(#""taxonomy_version""#.utf8)
    private static let traceMember = Array(#""trace""#.utf8)
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    fileprivate func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { start in
            self[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
