import KnutepunktZMQ
import Testing

@Suite("Receiving with a byte limit")
struct ZMQReceiveLimitTests {
    @Test("frames past the limit are taken off the socket but not kept, and the message says so")
    func framesPastTheLimitAreDropped() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try context.makeSocket(.router)
        defer { router.close() }
        let dealer = try context.makeSocket(.dealer)
        defer { dealer.close() }
        try dealer.setOption(.routingID, Array("peer".utf8))
        try dealer.connect(try router.bindLoopback())
        // Three frames of 1 KiB each (ZMQ_MAXMSGSIZE would pass every one of them), then a small message.
        let big = (0..<3).map { [UInt8](repeating: UInt8($0), count: 1_024) }
        #expect(try dealer.send(big))
        #expect(try dealer.send([[9]]))
        var poller = ZMQPoller()
        poller.add(router)
        #expect(try poller.poll(timeout: .seconds(10))[0].contains(.readable))
        let limited = try #require(try router.receive(dontWait: true, keepingAtMost: 4 + 1_500))
        #expect(limited.isTruncated)
        #expect(limited.byteCount == 4 + 3 * 1_024)
        #expect(limited.frames == [Array("peer".utf8), big[0], [], []], "the frame count is kept")
        // The next message is whole: nothing of the first was left behind.
        #expect(try poller.poll(timeout: .seconds(10))[0].contains(.readable))
        let next = try #require(try router.receive(dontWait: true, keepingAtMost: 4 + 1_500))
        #expect(!next.isTruncated)
        #expect(next.frames == [Array("peer".utf8), [9]])
        #expect(next.byteCount == 5)
    }
}
