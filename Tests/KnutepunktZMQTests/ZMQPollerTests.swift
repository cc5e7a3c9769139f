import KnutepunktZMQ
import Testing

@Suite("Polling")
struct ZMQPollerTests {
    @Test("a short poll on idle sockets reports nothing and keeps to its timeout")
    func timeoutBound() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let pull = try context.makeSocket(.pull)
        defer { pull.close() }
        _ = try pull.bindLoopback()
        let router = try context.makeSocket(.router)
        defer { router.close() }
        _ = try router.bindLoopback()
        var poller = ZMQPoller()
        #expect(poller.add(pull) == 0)
        #expect(poller.add(router) == 1)
        #expect(poller.count == 2)
        let clock = ContinuousClock()
        let start = clock.now
        let ready = try poller.poll(timeout: .milliseconds(100))
        let elapsed = clock.now - start
        #expect(ready == [[], []])
        #expect(elapsed >= .milliseconds(90))
        #expect(elapsed < .seconds(5))
    }

    @Test("results come in the order entries were added, for readable and writable")
    func readinessByIndex() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let endpoint = Loopback.inproc("order")
        let idle = try context.makeSocket(.pull)
        defer { idle.close() }
        try idle.bind(Loopback.inproc("idle"))
        let pull = try context.makeSocket(.pull)
        defer { pull.close() }
        try pull.bind(endpoint)
        let push = try context.makeSocket(.push)
        defer { push.close() }
        try push.connect(endpoint)
        try push.send([Array("ready".utf8)])

        var poller = ZMQPoller()
        let idleIndex = poller.add(idle)
        let pullIndex = poller.add(pull)
        let pushIndex = poller.add(push, events: .writable)
        let ready = try poller.poll(timeout: .seconds(10))
        #expect(ready.count == 3)
        #expect(ready[idleIndex] == [])
        #expect(ready[pullIndex] == .readable)
        #expect(ready[pushIndex] == .writable)
        #expect(try pull.option(.events).contains(.readable))
    }

    @Test("a plain file descriptor can be polled beside sockets")
    func fileDescriptor() throws {
        var poller = ZMQPoller()
        // Standard error is normally writable at once; this only checks that the descriptor takes part.
        let index = poller.add(fileDescriptor: 2, events: .writable)
        let ready = try poller.poll(timeout: .seconds(1))
        #expect(ready.count == 1)
        #expect(ready[index].isSubset(of: [.writable, .error]))
    }
}
