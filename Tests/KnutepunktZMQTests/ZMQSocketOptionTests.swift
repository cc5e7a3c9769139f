import KnutepunktZMQ
import Testing

@Suite("Typed socket options")
struct ZMQSocketOptionTests {
    @Test("new sockets linger for zero, not libzmq's forever")
    func lingerDefaultsToZero() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        for type in ZMQSocketType.allCases {
            let socket = try context.makeSocket(type)
            defer { socket.close() }
            #expect(try socket.option(.linger) == .zero)
            #expect(try socket.option(.type) == type)
        }
    }

    @Test("options read back what was set")
    func roundTrip() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.makeSocket(.router)
        defer { socket.close() }

        try socket.setOption(.sendHighWaterMark, 100_000)
        #expect(try socket.option(.sendHighWaterMark) == 100_000)
        try socket.setOption(.receiveHighWaterMark, 123)
        #expect(try socket.option(.receiveHighWaterMark) == 123)
        try socket.setOption(.maxMessageSize, Int64(5) << 32)
        #expect(try socket.option(.maxMessageSize) == Int64(5) << 32)

        let durations: [(ZMQSocketOption<Duration>, Duration)] = [
            (.linger, .milliseconds(250)), (.reconnectInterval, .milliseconds(100)),
            (.reconnectIntervalMax, .seconds(5)), (.heartbeatInterval, .seconds(1)),
            (.heartbeatTimeout, .seconds(3)), (.heartbeatTTL, .seconds(6)), (.handshakeInterval, .seconds(7)),
            (.receiveTimeout, .milliseconds(1500)), (.sendTimeout, .milliseconds(20)),
            (.connectTimeout, .seconds(2)),
        ]
        for (option, value) in durations {
            try socket.setOption(option, value)
            #expect(try socket.option(option) == value, "\(option.name)")
        }
        // Fractions of a millisecond round up rather than to zero, which often means "off" or "forever" in libzmq.
        try socket.setOption(.reconnectInterval, .microseconds(1500))
        #expect(try socket.option(.reconnectInterval) == .milliseconds(2))
        // Negative means libzmq's -1, "no limit".
        try socket.setOption(.receiveTimeout, .seconds(-1))
        #expect(try socket.option(.receiveTimeout) == .milliseconds(-1))

        let flags: [ZMQSocketOption<Bool>] = [.immediate, .tcpKeepalive, .ipv6, .curveServer, .plainServer, .conflate]
        for option in flags {
            try socket.setOption(option, true)
            #expect(try socket.option(option), "\(option.name)")
            try socket.setOption(option, false)
            #expect(try !socket.option(option), "\(option.name)")
        }

        try socket.setOption(.routingID, [0x4B, 0x00, 0xFF])
        #expect(try socket.option(.routingID) == [0x4B, 0x00, 0xFF])
        try socket.setOption(.zapDomain, "knutepunkt")
        #expect(try socket.option(.zapDomain) == "knutepunkt")
        try socket.setOption(.plainUsername, "coordinator")
        #expect(try socket.option(.plainUsername) == "coordinator")

        let keys = try ZMQCurveKeyPair.generate()
        try socket.setOption(.curvePublicKey, keys.publicKey)
        #expect(try socket.option(.curvePublicKey) == keys.publicKey)
        try socket.setOption(.curveSecretKey, keys.secretKey)
        #expect(try socket.option(.curveSecretKey) == keys.secretKey)
        try socket.setOption(.curveServerKey, keys.publicKey)
        #expect(try socket.option(.curveServerKey) == keys.publicKey)
    }

    @Test("read-only options report state")
    func readOnlyOptions() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let pull = try context.makeSocket(.pull)
        defer { pull.close() }
        #expect(try pull.option(.events) == [])
        #expect(try !pull.option(.receiveMore))
        let endpoint = try pull.bindLoopback()
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))
        let error = #expect(throws: ZMQError.self) { try pull.setOption(.type, .push) }
        #expect(error?.message.contains("read-only") == true)
    }

    @Test("write-only options are settable but reading them throws a clear error")
    func writeOnlyOptions() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        try router.setOption(.routerMandatory, true)
        try router.setOption(.routerHandover, true)
        try router.setOption(.probeRouter, true)
        try router.setOption(.connectRoutingID, Array("peer".utf8))
        let error = #expect(throws: ZMQError.self) { try router.option(.routerMandatory) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("write-only") == true)
        #expect(error?.operation == "read ZMQ_ROUTER_MANDATORY of a ROUTER socket")

        let xpub = try context.makeSocket(.xpub)
        defer { xpub.close() }
        try xpub.setOption(.xpubVerbose, true)
        try xpub.setOption(.xpubNoDrop, true)
        let sub = try context.makeSocket(.sub)
        defer { sub.close() }
        try sub.setOption(.subscribe, [])
        try sub.setOption(.subscribe, Array("event.".utf8))
        try sub.setOption(.unsubscribe, Array("event.".utf8))
    }

    @Test("values libzmq rejects, or that do not fit, throw EINVAL naming the option")
    func invalidValues() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.makeSocket(.dealer)
        defer { socket.close() }
        let tooBig = #expect(throws: ZMQError.self) { try socket.setOption(.sendHighWaterMark, Int(Int32.max) + 1) }
        #expect(tooBig?.code == .invalidArgument)
        #expect(tooBig?.operation == "set ZMQ_SNDHWM on a DEALER socket")
        let badKey = #expect(throws: ZMQError.self) { try socket.setOption(.curveServerKey, "too short") }
        #expect(badKey?.code == .invalidArgument)
    }

    @Test("configureLink applies every link setting; ROUTER_MANDATORY only on ROUTER")
    func configureLink() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        var link = ZMQLinkSettings.default
        link.maxMessageSize = Int64(1 << 20)
        link.sendHighWaterMark = 500
        #expect(ZMQLinkSettings.default.maxMessageSize == 4 << 20)
        #expect(ZMQLinkSettings.default.routerMandatory)
        for type in [ZMQSocketType.router, .dealer] {
            let socket = try context.makeSocket(type)
            defer { socket.close() }
            try socket.configureLink(link)
            #expect(try socket.option(.maxMessageSize) == 1 << 20)
            #expect(try socket.option(.sendHighWaterMark) == 500)
            #expect(try socket.option(.receiveHighWaterMark) == 10_000)
            #expect(try socket.option(.linger) == .zero)
            #expect(try socket.option(.reconnectInterval) == .milliseconds(100))
            #expect(try socket.option(.reconnectIntervalMax) == .seconds(5))
            #expect(try socket.option(.heartbeatInterval) == .seconds(1))
            #expect(try socket.option(.heartbeatTimeout) == .seconds(3))
            #expect(try socket.option(.heartbeatTTL) == .seconds(6))
        }
    }
}
