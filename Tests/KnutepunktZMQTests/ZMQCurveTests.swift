import KnutepunktZMQ
import Testing

@Suite("CURVE")
struct ZMQCurveTests {
    static let z85 = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")

    @Test("generated keys are 40 characters of Z85, and the public key follows from the secret")
    func keyGeneration() throws {
        let keys = try ZMQCurveKeyPair.generate()
        #expect(keys.publicKey.count == 40)
        #expect(keys.secretKey.count == 40)
        #expect(keys.publicKey.allSatisfy(Self.z85.contains))
        #expect(keys.secretKey.allSatisfy(Self.z85.contains))
        #expect(try ZMQCurveKeyPair.publicKey(fromSecret: keys.secretKey) == keys.publicKey)
        #expect(try ZMQCurveKeyPair.generate() != keys)
    }

    @Test(
        "a secret that is not 40 characters of Z85 is refused before libzmq sees it",
        arguments: [
            "", "short", String(repeating: "a", count: 39), String(repeating: "a", count: 41),
            String(repeating: "~", count: 40),
        ]
    )
    func badSecret(secret: String) {
        let error = #expect(throws: ZMQError.self) { try ZMQCurveKeyPair.publicKey(fromSecret: secret) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("a CURVE handshake with a ZAP handler (RFC 27) delivers the handler's User-Id with each message")
    func curveWithZAP() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let serverKeys = try ZMQCurveKeyPair.generate()
        let clientKeys = try ZMQCurveKeyPair.generate()

        // The ZAP handler lives in the same context; libzmq asks it about every new CURVE connection.
        let zap = try context.makeSocket(.rep)
        defer { zap.close() }
        try zap.bind("inproc://zeromq.zap.01")

        let server = try context.makeSocket(.router)
        defer { server.close() }
        try server.setOption(.curveServer, true)
        try server.setOption(.curveSecretKey, serverKeys.secretKey)
        try server.setOption(.zapDomain, "knutepunkt")
        let endpoint = try server.bindLoopback()

        let client = try context.makeSocket(.dealer)
        defer { client.close() }
        try client.setOption(.curveServerKey, serverKeys.publicKey)
        try client.setOption(.curvePublicKey, clientKeys.publicKey)
        try client.setOption(.curveSecretKey, clientKeys.secretKey)
        try client.connect(endpoint)
        try client.send([Array("hello".utf8)])

        let request = try #require(try zap.receive(within: .seconds(10)))
        try #require(request.frames.count == 7)
        #expect(request.frames[0] == Array("1.0".utf8))
        #expect(request.frames[2] == Array("knutepunkt".utf8))
        #expect(request.frames[3] == Array("127.0.0.1".utf8))
        #expect(request.frames[5] == Array("CURVE".utf8))
        #expect(request.frames[6].count == 32)
        try zap.send([
            Array("1.0".utf8), request.frames[1], Array("200".utf8), Array("OK".utf8), Array("node-7".utf8), [],
        ])

        let message = try #require(try server.receive(within: .seconds(10)))
        #expect(message.frames.last == Array("hello".utf8))
        #expect(message.userID == "node-7")
        #expect(message.peerAddress == "127.0.0.1")
    }
}
