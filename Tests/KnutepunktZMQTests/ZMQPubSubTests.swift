import KnutepunktZMQ
import Testing

@Suite("PUB/SUB")
struct ZMQPubSubTests {
    @Test("a subscriber gets only its topic; XPUB sees the subscription first, which is the readiness signal")
    func topicFiltering() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let publisher = try context.makeSocket(.xpub)
        defer { publisher.close() }
        try publisher.setOption(.xpubVerbose, true)
        let endpoint = try publisher.bindLoopback()
        let subscriber = try context.makeSocket(.sub)
        defer { subscriber.close() }
        try subscriber.setOption(.subscribe, Array("event.north".utf8))
        try subscriber.setOption(.subscribe, Array("marker".utf8))
        try subscriber.connect(endpoint)

        // A SUB joins late; once its subscription reached the publisher, nothing published after it is lost.
        let subscription = try #require(try publisher.receive(within: .seconds(10)))
        #expect(subscription.frames == [[1] + Array("event.north".utf8)])
        let marker = try #require(try publisher.receive(within: .seconds(10)))
        #expect(marker.frames == [[1] + Array("marker".utf8)])

        try publisher.send([Array("event.south".utf8), Array("not for you".utf8)])
        try publisher.send([Array("event.north".utf8), Array("first".utf8)])
        try publisher.send([Array("event.northwest".utf8), Array("prefix match".utf8)])
        let first = try #require(try subscriber.receive(within: .seconds(10)))
        #expect(first.frames == [Array("event.north".utf8), Array("first".utf8)])
        let second = try #require(try subscriber.receive(within: .seconds(10)))
        #expect(second.frames == [Array("event.northwest".utf8), Array("prefix match".utf8)])

        try subscriber.setOption(.unsubscribe, Array("event.north".utf8))
        let unsubscription = try #require(try publisher.receive(within: .seconds(10)))
        #expect(unsubscription.frames == [[0] + Array("event.north".utf8)])
        try publisher.send([Array("event.north".utf8), Array("after".utf8)])
        try publisher.send([Array("marker".utf8)])
        // Messages keep their order, so if "after" had got through it would come before the marker.
        let next = try #require(try subscriber.receive(within: .seconds(10)))
        #expect(next.frames == [Array("marker".utf8)])
    }
}
