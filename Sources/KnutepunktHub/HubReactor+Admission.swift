import Foundation
import KnutepunktConfig
import KnutepunktProtocol
import KnutepunktService

/// Security: the ZAP handler's questions, refusals of the admission policy, and reloads that replace the policy.
extension HubReactor {
    /// Answers the ZAP handler's questions: is this key allowed on this socket?
    func authenticate() {
        do {
            let decided = try zap?.serve { request in
                switch sessions.admission.connection(
                    domain: request.domain,
                    mechanism: request.mechanism,
                    publicKey: request.curvePublicKey
                ) {
                case .allowed(let userID): .allow(userID: userID)
                case .refused(let reason): .deny(reason: reason)
                }
            }
            for (request, decision) in decided ?? [] {
                guard case .deny(let reason) = decision else { continue }
                refusals["connection refused", default: 0] += 1
                logger.warning(
                    "connection refused",
                    metadata: [
                        "peer.address": "\(request.address)", "zap.domain": "\(request.domain)",
                        "mechanism": "\(request.mechanism)", "reason": "\(reason)",
                    ]
                )
            }
        } catch {
            logger.error("the ZAP handler failed", metadata: ["error": "\(error)"])
        }
    }

    /// Counts a message the admission policy refused, and logs it (at most one line per kind per interval).
    func refused(_ refusal: HubAdmission.Refusal, address: String?) {
        refusals[refusal.counter, default: 0] += 1
        guard let suppressed = logThrottle.admit(refusal.counter, now: clock.now) else { return }
        logger.warning(
            "message refused",
            metadata: [
                "peer.address": "\(address ?? "?")", "refusal": "\(refusal.counter)", "reason": "\(refusal.detail)",
                "suppressed.since.last": "\(suppressed)",
            ]
        )
    }

    /// Takes what may change while running from a configuration read again: the whole admission policy (node keys,
    /// grants and regions, the rate limit) at once, and the viewer keys. Other changes need a restart, and the log
    /// says which.
    func reload(_ configuration: HubConfiguration) {
        let (change, actions) = sessions.replaceAdmission(
            with: HubAdmission.Policy(configuration, insecure: setup.insecure)
        )
        for action in actions { perform(action) }
        let restart = HubReload.needsRestart(from: setup.configuration, to: configuration)
        logger.info(
            "configuration reloaded",
            metadata: [
                "keys.added": "\(change.keysAdded)", "keys.removed": "\(change.keysRemoved)",
                "nodes.added": "\(change.nodesAdded.joined(separator: ","))",
                "nodes.removed": "\(change.nodesRemoved.joined(separator: ","))",
                "regions.changed": "\(change.regionsChanged.joined(separator: ","))",
                "needs.restart": "\(restart.isEmpty ? "nothing" : restart.joined(separator: ", "))",
            ]
        )
    }
}
