import KnutepunktZMQ
import Testing

@Suite("Context and socket lifecycle")
struct ZMQContextTests {
    @Test("the linked libzmq is 4.x and reports its capabilities")
    func versionAndCapabilities() {
        #expect(ZMQ.version.major == 4)
        #expect(ZMQ.has("curve"))
        #expect(!ZMQ.has("no-such-capability"))
    }

    @Test("closing twice is fine, and terminate after close returns")
    func closeTwiceThenTerminate() throws {
        let context = try ZMQContext()
        let socket = try context.makeSocket(.dealer)
        #expect(socket.type == .dealer)
        #expect(!socket.isClosed)
        socket.close()
        socket.close()
        #expect(socket.isClosed)
        context.terminate()
        context.terminate()
    }

    @Test("a closed socket refuses work with ENOTSOCK instead of touching freed memory")
    func closedSocketThrows() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try context.makeSocket(.pull)
        socket.close()
        let bindError = #expect(throws: ZMQError.self) { try socket.bind(Loopback.anyPort) }
        #expect(bindError?.code == .notSocket)
        let receiveError = #expect(throws: ZMQError.self) { try socket.receive(dontWait: true) }
        #expect(receiveError?.code == .notSocket)
        var poller = ZMQPoller()
        poller.add(socket)
        let pollError = #expect(throws: ZMQError.self) { try poller.poll(timeout: .zero) }
        #expect(pollError?.code == .notSocket)
    }

    @Test("a terminated context makes no more sockets")
    func noSocketsAfterTerminate() throws {
        let context = try ZMQContext()
        context.terminate()
        let error = #expect(throws: ZMQError.self) { try context.makeSocket(.pair) }
        #expect(error?.code == .terminated)
    }

    @Test("terminate wakes a socket blocked on another thread, which then closes and lets terminate finish")
    func terminateUnblocksReceive() async throws {
        let context = try ZMQContext()
        let outcome = OneShot<ZMQError.Code?>()
        let owner = ZMQThread.start(name: "test-blocked") {
            do throws(ZMQError) {
                let socket = try context.makeSocket(.pull)
                defer { socket.close() }
                try socket.bind(Loopback.inproc("blocked"))
                _ = try socket.receive()
                outcome.fulfil(nil)
            } catch {
                // Either terminate came first (makeSocket refuses) or it interrupted the receive: both are ETERM.
                outcome.fulfil(error.code)
            }
        }
        let terminator = ZMQThread.start(name: "test-terminate") { context.terminate() }
        await owner.join()
        await terminator.join()
        #expect(await outcome.value == .terminated)
    }
}
