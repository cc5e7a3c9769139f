import Foundation
import KnutepunktDomain
import KnutepunktProtocol
import KnutepunktZMQ

/// Reference data on the hub's sockets: REFERENCE_QUERY answered, each new version announced to every session
/// agreed at KPN/1.2 or later, and the TAXONOMY control request (`knutepunkt taxonomy publish|diff`).
extension HubReactor {
    /// A REFERENCE_QUERY from a node with a session of 1.2 or later (others are not answered: the message is not
    /// theirs to send).
    func received(_ message: ReferenceMessage, from peer: HubSessionStateMachine.Peer) {
        guard case .query(let held) = message,
            let session = sessions.sessions.first(where: { $0.peer == peer }),
            ReferenceAnnouncer.speaks(session.version)
        else { return }
        heard(session.nodeID)
        if let answer = reference.announcer.answer(held: held) { send(answer.frames, to: peer) }
        // The locked months ride along (KPN/1.3): a node learns them when its session opens, and again at each query.
        if PeriodsMessage.speaks(session.version) { send(PeriodsMessage(periodLocks).frames, to: peer) }
    }

    /// Publishes `document` (from the taxonomy file on SIGHUP, or from a TAXONOMY request) and, when a version was
    /// published, takes it at once: validation, the gap facts (births), and the announcement to every node.
    @discardableResult
    func publishTaxonomy(_ document: String, name: String, dryRun: Bool) -> TaxonomyResult {
        let outcome = reference.publish(document, name: name, dryRun: dryRun, store: store)
        guard let fresh = outcome.published else {
            if !outcome.result.problems.isEmpty, !dryRun {
                logger.error(
                    "taxonomy not published; the version in force stays",
                    metadata: ["problems": "\(outcome.result.problems.joined(separator: "; "))"]
                )
            }
            return outcome.result
        }
        validator = EventValidator(taxonomy: fresh)
        gaps.reload(taxonomy: fresh, store: store)
        if let announcement = reference.announcer.current {
            let message = ReferenceMessage.reference(version: announcement.version, document: announcement.document)
            for session in sessions.sessions where ReferenceAnnouncer.speaks(session.version) {
                send(message.frames, to: session.peer)
            }
        }
        logger.info(
            "taxonomy published",
            metadata: [
                "version": "\(outcome.result.version ?? 0)",
                "changes": "\(outcome.result.changes.joined(separator: "; "))",
            ]
        )
        return outcome.result
    }

    /// TAXONOMY: publish the request's document, or only compare it.
    func taxonomyReply(_ body: [UInt8]) -> ControlMessage {
        do {
            let request = try JSONBody.decode(TaxonomyRequest.self, from: body)
            let result = publishTaxonomy(request.document, name: "the published taxonomy", dryRun: request.dryRun)
            return ControlMessage(command: .taxonomyResult, body: JSONBody.encode(result))
        } catch {
            return ControlMessage(
                command: .error,
                body: JSONBody.encode(
                    ControlFailure(code: ControlFailure.malformedRequestCode, message: "TAXONOMY: \(error)")
                )
            )
        }
    }
}
