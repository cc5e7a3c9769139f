import KnutepunktZMQ
import Testing

@Suite("Sending and receiving")
struct ZMQSocketTests {
    @Test("DEALER and ROUTER round trip with the routing id frame, and TCP peers carry Peer-Address")
    func dealerRouterRoundTrip() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        let dealer = try context.makeSocket(.dealer)
        defer { dealer.close() }
        try dealer.setOption(.routingID, Array("node-1".utf8))
        try dealer.connect(try router.bindLoopback())

        #expect(try dealer.send([Array("hello".utf8)]))
        let request = try #require(try router.receive(within: .seconds(10)))
        #expect(request.frames == [Array("node-1".utf8), Array("hello".utf8)])
        #expect(request.peerAddress == "127.0.0.1")
        #expect(request.userID == nil)

        try router.send([request.frames[0], Array("world".utf8)])
        let reply = try #require(try dealer.receive(within: .seconds(10)))
        #expect(reply.frames == [Array("world".utf8)])
    }

    @Test("inproc messages carry no Peer-Address")
    func inprocHasNoPeerAddress() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let endpoint = Loopback.inproc("peer")
        let pull = try context.makeSocket(.pull)
        defer { pull.close() }
        try pull.bind(endpoint)
        let push = try context.makeSocket(.push)
        defer { push.close() }
        try push.connect(endpoint)
        try push.send([[1]])
        let message = try #require(try pull.receive(within: .seconds(10)))
        #expect(message.frames == [[1]])
        #expect(message.peerAddress == nil)
    }

    @Test("100 frames, empty ones and an 8 MiB one arrive whole and byte-identical")
    func manyFramesAndALargeOne() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let pull = try context.makeSocket(.pull)
        defer { pull.close() }
        try pull.setOption(.maxMessageSize, Int64(16 << 20))
        let push = try context.makeSocket(.push)
        defer { push.close() }
        try push.connect(try pull.bindLoopback())

        var frames = (0..<100).map { index in (0..<index * 7).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) } }
        frames[50] = []
        frames[99] = []
        try push.send(frames)
        let received = try #require(try pull.receive(within: .seconds(10)))
        #expect(received.frames.count == 100)
        #expect(received.frames == frames)

        let large = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try push.send([Array("big".utf8), large, [7]])
        let big = try #require(try pull.receive(within: .seconds(30)))
        #expect(big.frames.count == 3)
        #expect(big.frames[1].count == large.count)
        #expect(big.frames[1] == large)
        #expect(big.frames[2] == [7])
    }

    @Test("an oversized message never arrives and drops its connection; a fresh connection still works")
    func maxMessageSizeIsEnforced() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        try router.setOption(.maxMessageSize, 1024)
        let endpoint = try router.bindLoopback()
        let monitorEndpoint = Loopback.inproc("monitor")
        try router.startMonitor(monitorEndpoint, events: .disconnected)
        let monitor = try context.makeSocket(.pair)
        defer { monitor.close() }
        try monitor.connect(monitorEndpoint)

        let offender = try context.makeSocket(.dealer)
        defer { offender.close() }
        try offender.connect(endpoint)
        try offender.send([[UInt8](repeating: 0xAB, count: 2048)])

        // The readiness signal: the ROUTER reports the dropped connection, so the message was judged and refused.
        let event = try #require(try monitor.receive(within: .seconds(10)).flatMap(ZMQMonitorEvent.init))
        #expect(event.kind == .disconnected)
        #expect(try router.receive(dontWait: true) == nil)

        let fresh = try context.makeSocket(.dealer)
        defer { fresh.close() }
        try fresh.setOption(.routingID, Array("fresh".utf8))
        try fresh.connect(endpoint)
        try fresh.send([[UInt8](repeating: 1, count: 1024)])
        let message = try #require(try router.receive(within: .seconds(10)))
        #expect(message.frames == [Array("fresh".utf8), [UInt8](repeating: 1, count: 1024)])
        #expect(try router.receive(dontWait: true) == nil)
    }

    @Test("ROUTER_MANDATORY: sending to an unknown routing id throws EHOSTUNREACH", arguments: [false, true])
    func routerMandatory(dontWait: Bool) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        try router.configureLink(.default)
        let error = #expect(throws: ZMQError.self) {
            try router.send([Array("nobody".utf8), Array("hello".utf8)], dontWait: dontWait)
        }
        #expect(error?.code == .hostUnreachable)
        #expect(error?.operation.contains("ROUTER") == true)
    }

    @Test("receive(dontWait:) returns nil on an empty socket")
    func dontWaitOnEmptySocket() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let pull = try context.makeSocket(.pull)
        defer { pull.close() }
        _ = try pull.bindLoopback()
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test("send(dontWait:) returns false when there is no peer to queue for")
    func dontWaitWithoutPeer() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let dealer = try context.makeSocket(.dealer)
        defer { dealer.close() }
        #expect(try dealer.send([[1]], dontWait: true) == false)
    }

    @Test("a wildcard bind can be unbound by its resolved endpoint, and a connect disconnected")
    func unbindAndDisconnect() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        let endpoint = try router.bindLoopback()
        let dealer = try context.makeSocket(.dealer)
        defer { dealer.close() }
        try dealer.connect(endpoint)
        try dealer.disconnect(endpoint)
        try router.unbind(endpoint)
        let error = #expect(throws: ZMQError.self) { try router.unbind(endpoint) }
        #expect(error?.code == .noSuchEndpoint)
    }
}
