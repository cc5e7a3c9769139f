import CLibZMQ

/// One ZAP request (ZeroMQ RFC 27): libzmq asks the handler of its context whether a new connection may proceed.
package struct ZAPRequest: Sendable, Hashable {
    package var requestID: [UInt8]
    /// The `ZMQ_ZAP_DOMAIN` of the socket the connection reached.
    package var domain: String
    /// The peer's IP address.
    package var address: String
    /// `NULL`, `PLAIN` or `CURVE`.
    package var mechanism: String
    /// For CURVE: the client's long-term public key, in Z85.
    package var curvePublicKey: String?

    /// Reads the frames of a request; nil when they are not a ZAP 1.0 request.
    package init?(frames: [[UInt8]]) {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        requestID = frames[1]
        domain = String(decoding: frames[2], as: UTF8.self)
        address = String(decoding: frames[3], as: UTF8.self)
        mechanism = String(decoding: frames[5], as: UTF8.self)
        curvePublicKey = nil
        if mechanism == "CURVE" {
            guard frames.count == 7, frames[6].count == 32 else { return nil }
            curvePublicKey = ZMQCurveKeyPair.z85Encode(frames[6])
        }
    }
}

/// A ZAP handler's answer.
package enum ZAPDecision: Sendable, Hashable {
    /// Let the connection proceed; every message on it carries `userID` as its `User-Id`.
    case allow(userID: String)
    /// Refuse it (status 400); the reason goes into the status text (and the handler's log).
    case deny(reason: String)
}

/// The ZAP handler of one context: a REP socket bound to `inproc://zeromq.zap.01`. It must be bound before any socket
/// that authenticates binds, in the same context — until it is, libzmq lets every CURVE client in.
///
/// Owned by one thread, which polls ``socket`` with its other sockets and calls ``serve(_:)`` when it is readable.
package final class ZAPHandler {
    package static let endpoint = "inproc://zeromq.zap.01"
    package let socket: ZMQSocket

    package init(context: ZMQContext) throws(ZMQError) {
        socket = try context.makeSocket(.rep)
        do {
            try socket.bind(Self.endpoint)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Answers every request waiting (at most `limit`), each with `decide`'s verdict; returns what was decided.
    /// A request that is not ZAP 1.0 is answered with status 500 and not passed to `decide`.
    @discardableResult
    package func serve(
        limit: Int = 256,
        _ decide: (ZAPRequest) -> ZAPDecision
    ) throws(ZMQError) -> [(request: ZAPRequest, decision: ZAPDecision)] {
        var decided: [(request: ZAPRequest, decision: ZAPDecision)] = []
        for _ in 0..<limit {
            guard let message = try socket.receive(dontWait: true) else { break }
            guard let request = ZAPRequest(frames: message.frames) else {
                let id = message.frames.count > 1 ? message.frames[1] : []
                try socket.send([Array("1.0".utf8), id, Array("500".utf8), Array("malformed ZAP request".utf8), [], []])
                continue
            }
            let decision = decide(request)
            switch decision {
            case .allow(let userID):
                try socket.send([
                    Array("1.0".utf8), request.requestID, Array("200".utf8), Array("OK".utf8), Array(userID.utf8), [],
                ])
            case .deny(let reason):
                try socket.send([
                    Array("1.0".utf8), request.requestID, Array("400".utf8), Array(reason.utf8), [], [],
                ])
            }
            decided.append((request, decision))
        }
        return decided
    }

    package func close() { socket.close() }
}

extension ZMQCurveKeyPair {
    /// Z85 text of binary key material (32 bytes → 40 characters); `bytes.count` must be a multiple of 4.
    package static func z85Encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count % 4 == 0, "Z85 encodes whole 4-byte groups")
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        _ = bytes.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, bytes.count) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
