import KnutepunktZMQ
import Synchronization
import Testing

@Suite("Mailbox")
struct ZMQMailboxTests {
    /// A command that says who sent it and in which order.
    struct Tagged: Sendable, Hashable {
        var sender: Int
        var index: Int
    }

    @Test("a post from another thread wakes a poll waiting with a long timeout; takeAll keeps the order")
    func postWakesPoll() async throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<String>(context: context)
        defer { mailbox.close() }
        let result = OneShot<Result<[String], ZMQError>>()
        let owner = ZMQThread.start(name: "test-mailbox") {
            do throws(ZMQError) {
                let receiver = try mailbox.makeReceiver()
                defer { receiver.close() }
                var poller = ZMQPoller()
                poller.add(receiver)
                // The poster is started here, by the thread that waits, not by the test's task: a task can wait for
                // a thread of the cooperative pool (as many as the machine has cores) for longer than any bound
                // while other tests keep them busy. A poll that ends without a post is a failure (fewer commands).
                let poster = ZMQThread.start(name: "test-mailbox-poster") {
                    mailbox.post("first")
                    mailbox.post("second")
                    mailbox.post("third")
                }
                var commands: [String] = []
                for _ in 0..<100 where commands.count < 3 {
                    guard try poller.poll(timeout: .seconds(120))[0].contains(.readable) else { break }
                    commands += mailbox.takeAll(from: receiver)
                }
                result.fulfil(.success(commands))
                _ = poster
            } catch {
                result.fulfil(.failure(error))
            }
        }
        await owner.join()
        #expect(try await result.value.get() == ["first", "second", "third"])
    }

    @Test("10,000 posts from 4 concurrent tasks all arrive exactly once, each sender's in order")
    func manyConcurrentPosts() async throws {
        let senders = 4
        let perSender = 2_500
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<Tagged>(context: context)
        defer { mailbox.close() }
        let result = OneShot<Result<[Tagged], ZMQError>>()
        let owner = ZMQThread.start(name: "test-mailbox-many") {
            do throws(ZMQError) {
                let receiver = try mailbox.makeReceiver()
                defer { receiver.close() }
                var poller = ZMQPoller()
                poller.add(receiver)
                var commands: [Tagged] = []
                // Bounded: every turn takes at least one wake-up; a silent minute means a lost wake-up.
                for _ in 0..<(senders * perSender * 2) where commands.count < senders * perSender {
                    guard try poller.poll(timeout: .seconds(60))[0].contains(.readable) else { break }
                    commands += mailbox.takeAll(from: receiver)
                }
                result.fulfil(.success(commands))
            } catch {
                result.fulfil(.failure(error))
            }
        }
        // Each sender a thread of its own (not a task: see postWakesPoll), so the posts really run concurrently.
        let posters = (0..<senders).map { sender in
            ZMQThread.start(name: "test-mailbox-sender-\(sender)") {
                for index in 0..<perSender { mailbox.post(Tagged(sender: sender, index: index)) }
            }
        }
        for poster in posters { await poster.join() }
        await owner.join()
        let commands = try await result.value.get()
        #expect(commands.count == senders * perSender)
        #expect(Set(commands).count == senders * perSender)
        for sender in 0..<senders {
            #expect(commands.filter { $0.sender == sender }.map(\.index) == Array(0..<perSender))
        }
    }

    @Test("posts made before the receiver exists still wake it (inproc connect before bind)")
    func postBeforeReceiver() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let mailbox = try ZMQMailbox<Int>(context: context)
        defer { mailbox.close() }
        #expect(mailbox.endpoint.hasPrefix("inproc://"))
        mailbox.post(1)
        mailbox.post(2)
        let receiver = try mailbox.makeReceiver()
        defer { receiver.close() }
        var poller = ZMQPoller()
        poller.add(receiver)
        #expect(try poller.poll(timeout: .seconds(10))[0] == .readable)
        #expect(mailbox.takeAll(from: receiver) == [1, 2])
        #expect(mailbox.takeAll(from: receiver) == [])
        // Drained: nothing is left to wake the poller until the next post.
        #expect(try poller.poll(timeout: .zero)[0] == [])
        mailbox.post(3)
        #expect(try poller.poll(timeout: .seconds(10))[0] == .readable)
        #expect(mailbox.takeAll(from: receiver) == [3])
    }

    @Test("two mailboxes on one context get distinct endpoints; close is idempotent and posting after it is safe")
    func closeAndEndpoints() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let first = try ZMQMailbox<Int>(context: context)
        let second = try ZMQMailbox<Int>(context: context)
        #expect(first.endpoint != second.endpoint)
        first.close()
        first.close()
        first.post(1)
        second.close()
    }
}
