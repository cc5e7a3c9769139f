import Foundation
import KnutepunktDomain
import KnutepunktGaps
import KnutepunktProtocol
import KnutepunktService
import KnutepunktStore
import KnutepunktZMQ

/// The control socket (KPC): STATUS (answered at once, or once the store holds a number of events) and GAPS.
extension HubReactor {
    // MARK: - Control

    func serveControl() {
        for _ in 0..<64 {
            let received: ZMQMessage?
            do {
                received = try control.receive(
                    dontWait: true,
                    keepingAtMost: WireLimits.hubControlRequestBytes + WireLimits.envelopeAllowance
                )
            } catch {
                break
            }
            guard let received else { break }
            let envelope: [[UInt8]]
            let reply: ControlMessage
            switch ControlIntake.read(
                received.frames,
                byteCount: received.byteCount,
                truncated: received.isTruncated,
                requestLimit: WireLimits.hubControlRequestBytes
            ) {
            case .unanswerable:
                continue
            case .refuse(let to, let failure, let kind):
                controlRefused(kind, failure, address: received.peerAddress)
                envelope = to
                reply = ControlMessage(command: .error, body: JSONBody.encode(failure))
            case .request(let to, let request):
                envelope = to
                switch request.command {
                case .status:
                    let wanted = (try? JSONBody.decode(StatusRequest.self, from: request.body)) ?? StatusRequest()
                    if let total = wanted.waitForTotal, storedTotal < total {
                        statusWaiters.append((envelope, total, clock.now + wanted.timeout))
                        continue
                    }
                    reply = statusReply()
                case .gaps:
                    reply = ControlMessage(command: .gapSnapshot, body: JSONBody.encode(gaps.snapshot))
                case .taxonomy:
                    reply = taxonomyReply(request.body)
                case .period:
                    reply = periodReply(request.body, key: received.userID)
                case .coverage:
                    reply = coverageReply(request.body)
                default:
                    reply = ControlMessage(
                        command: .error,
                        body: JSONBody.encode(
                            ControlFailure(
                                code: ControlFailure.malformedRequestCode,
                                message: "the hub answers STATUS, GAPS, COVERAGE, TAXONOMY and PERIOD only"
                            )
                        )
                    )
                }
            }
            do {
                try control.send(envelope + ControlCodec.encode(reply), dontWait: true)
            } catch {
                logger.debug("could not answer a control request", metadata: ["error": "\(error)"])
            }
        }
    }

    /// COVERAGE: one region's coverage per target group from the live gap facts, small counts withheld.
    func coverageReply(_ body: [UInt8]) -> ControlMessage {
        guard let wanted = try? JSONBody.decode(CoverageRequest.self, from: body) else {
            return ControlMessage(
                command: .error,
                body: JSONBody.encode(
                    ControlFailure(code: ControlFailure.malformedRequestCode, message: "COVERAGE expects {\"region\"}")
                )
            )
        }
        guard let coverage = gaps.coverage(region: wanted.region, store: store) else {
            return ControlMessage(
                command: .error,
                body: JSONBody.encode(
                    ControlFailure(
                        code: ControlFailure.malformedRequestCode,
                        message: "\(wanted.region) is not a region of the network (a region with local nodes)"
                    )
                )
            )
        }
        return ControlMessage(command: .coverageResult, body: JSONBody.encode(coverage))
    }

    /// Logs a control request answered with ERROR, at most one line per kind per interval (a client must not be
    /// able to flood the log).
    func controlRefused(_ kind: String, _ failure: ControlFailure, address: String?) {
        guard let suppressed = logThrottle.admit(kind, now: clock.now) else { return }
        logger.warning(
            "control request refused",
            metadata: [
                "peer.address": "\(address ?? "local")", "problem": "\(kind)", "reason": "\(failure.message)",
                "suppressed.since.last": "\(suppressed)",
            ]
        )
    }

    /// Answers STATUS requests whose event count was reached or whose wait is over.
    func answerStatusWaiters() {
        guard !statusWaiters.isEmpty else { return }
        let now = clock.now
        var waiting: [(envelope: [[UInt8]], total: Int, deadline: ContinuousClock.Instant)] = []
        for waiter in statusWaiters {
            if storedTotal >= waiter.total || now >= waiter.deadline {
                do {
                    try control.send(waiter.envelope + ControlCodec.encode(statusReply()), dontWait: true)
                } catch {
                    logger.debug("could not answer a control request", metadata: ["error": "\(error)"])
                }
            } else {
                waiting.append(waiter)
            }
        }
        statusWaiters = waiting
    }

    func statusReply() -> ControlMessage {
        do {
            return ControlMessage(command: .statusReply, body: JSONBody.encode(try statusReport()))
        } catch {
            return ControlMessage(
                command: .error,
                body: JSONBody.encode(ControlFailure(code: ControlFailure.storeFailureCode, message: "\(error)"))
            )
        }
    }

    func statusReport() throws -> HubStatusReport {
        let counts = try store.counts()
        let now = clock.now
        let live = Dictionary(sessions.sessions.map { ($0.nodeID, $0) }, uniquingKeysWith: { a, _ in a })
        let nodes = setup.configuration.nodes.map { grant in
            let session = live[grant.id]
            return HubStatusReport.NodeState(
                id: grant.id,
                region: grant.region,
                connected: session != nil,
                lastHeardMillisAgo: session.map { (now - $0.lastHeard).milliseconds }
                    ?? contacts.lastHeard[grant.id].map { Int64(Date().timeIntervalSince($0) * 1000) },
                settledThrough: sessions.settledThrough(node: grant.id),
                events: counts.bySource[grant.id] ?? 0,
                lastHeardAt: contacts.lastHeard[grant.id].map(Self.timestamp)
            )
        }
        var report = HubStatusReport(
            hub: setup.configuration.id,
            version: KnutepunktVersion.current,
            storage: "\(setup.configuration.storage)",
            events: .init(
                total: counts.total,
                rejected: counts.rejected,
                byRegion: counts.byRegion,
                byNode: counts.byNode,
                withdrawn: counts.withdrawn,
                versions: counts.versions
            ),
            nodes: nodes,
            security: .init(mode: zap == nil ? "insecure" : "curve", refused: refusals)
        )
        report.tests = try testEventsStatus()
        report.taxonomy = reference.state
        return report
    }

    /// An ISO 8601 UTC timestamp with milliseconds, as status reports show times.
    static func timestamp(_ date: Date) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        )
    }
}
