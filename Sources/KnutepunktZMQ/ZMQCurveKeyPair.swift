import CLibZMQ

/// A CURVE key pair in Z85 text (40 characters each), as `ZMQ_CURVE_*KEY` options and config files use them.
package struct ZMQCurveKeyPair: Sendable, Hashable {
    /// The public key: give it to peers.
    package var publicKey: String
    /// The secret key: keep it on this machine only.
    package var secretKey: String

    /// Pairs two Z85 keys.
    package init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Makes a new random key pair (`zmq_curve_keypair`).
    ///
    /// - Throws: ``ZMQError/Code/notSupported`` when libzmq was built without CURVE.
    package static func generate() throws(ZMQError) -> ZMQCurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else {
            throw ZMQError.last("generate a CURVE key pair")
        }
        return ZMQCurveKeyPair(publicKey: text(publicKey), secretKey: text(secretKey))
    }

    /// Derives the public key belonging to a secret key (`zmq_curve_public`).
    ///
    /// - Throws: ``ZMQError/Code/invalidArgument`` unless `secret` is 40 characters of Z85.
    package static func publicKey(fromSecret secret: String) throws(ZMQError) -> String {
        let operation = "derive a CURVE public key"
        // libzmq reads the secret with strlen and decodes into a 32-byte buffer, so check the shape first.
        guard secret.utf8.count == 40, secret.utf8.allSatisfy(isZ85) else {
            throw ZMQError(
                code: .invalidArgument,
                operation: operation,
                message: "a CURVE secret key is 40 characters of Z85 text (as `knutepunkt keys` writes it)"
            )
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secret) == 0 else { throw ZMQError.last(operation) }
        return text(publicKey)
    }

    /// Whether a byte belongs to the Z85 alphabet (ZeroMQ RFC 32).
    package static func isZ85(_ byte: UInt8) -> Bool {
        z85Alphabet.contains(byte)
    }

    private static let z85Alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8
    )

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What a CURVE client needs: the server's public key, and its own key pair.
package struct ZMQCurveClient: Sendable, Hashable {
    package var serverKey: String
    package var keys: ZMQCurveKeyPair

    package init(serverKey: String, keys: ZMQCurveKeyPair) {
        self.serverKey = serverKey
        self.keys = keys
    }
}

extension ZMQSocket {
    /// Makes this socket a CURVE client of the server whose public key is `curve.serverKey` (before `connect`).
    package func configureCurveClient(_ curve: ZMQCurveClient) throws(ZMQError) {
        try setOption(.curveServerKey, curve.serverKey)
        try setOption(.curvePublicKey, curve.keys.publicKey)
        try setOption(.curveSecretKey, curve.keys.secretKey)
    }
}
