import KnutepunktZMQ
import Testing

@Suite("Error mapping")
struct ZMQErrorTests {
    @Test(
        "a malformed endpoint names the operation and the endpoint",
        arguments: [
            ("tcp://no-port-here", ZMQError.Code.invalidArgument),
            ("bogus://somewhere", ZMQError.Code.protocolNotSupported),
            ("just text", ZMQError.Code.invalidArgument),
        ]
    )
    func malformedEndpoint(endpoint: String, code: ZMQError.Code) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.makeSocket(.router)
        defer { socket.close() }
        let error = try #require(throws: ZMQError.self) { try socket.bind(endpoint) }
        #expect(error.code == code)
        #expect(error.operation.hasPrefix("bind \(endpoint)"))
        #expect(error.description.contains("bind \(endpoint)"))
        #expect(!error.message.isEmpty)
    }

    @Test("binding a port twice is EADDRINUSE, and the description says what to do")
    func addressInUse() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let first = try context.makeSocket(.router)
        defer { first.close() }
        let endpoint = try first.bindLoopback()
        let second = try context.makeSocket(.router)
        defer { second.close() }
        let error = try #require(throws: ZMQError.self) { try second.bind(endpoint) }
        #expect(error.code == .addressInUse)
        #expect(error.operation.hasPrefix("bind \(endpoint)"))
        #expect(error.description.contains("stop it or change the endpoint in the configuration"))
        #expect(error.description.contains("EADDRINUSE"))
    }

    @Test("a transport the socket type cannot use is ENOCOMPATPROTO")
    func incompatibleTransport() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.makeSocket(.router)
        defer { socket.close() }
        let error = try #require(throws: ZMQError.self) { try socket.connect("udp://127.0.0.1:5555") }
        #expect(error.code == .noCompatibleProtocol)
    }

    @Test("REQ sending twice is EFSM")
    func invalidState() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let req = try context.makeSocket(.req)
        defer { req.close() }
        try req.connect(Loopback.inproc("nobody"))
        try req.send([[1]])
        let error = try #require(throws: ZMQError.self) { try req.send([[2]]) }
        #expect(error.code == .invalidState)
    }

    @Test("codes compare by errno and unknown ones still print")
    func codes() {
        #expect(ZMQError.Code(rawValue: ZMQError.Code.hostUnreachable.rawValue) == .hostUnreachable)
        #expect(ZMQError.Code.terminated.description == "ETERM")
        #expect(ZMQError.Code(rawValue: 99_999).description == "errno 99999")
        let error = ZMQError(code: .terminated, operation: "poll 3 sockets")
        #expect(error.description.hasPrefix("poll 3 sockets failed: Context was terminated (ETERM)."))
    }
}
