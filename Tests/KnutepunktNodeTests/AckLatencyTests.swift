import KnutepunktNode
import Testing

/// The node's ack latency: from the first send of an EVENT message to the ACK that settles it.
@Suite struct AckLatencyTests {
    @Test func eachMessageIsTimedFromItsFirstSendToTheAckThatCoversIt() {
        let start = ContinuousClock().now
        var latency = AckLatency()
        latency.sent(through: 10, now: start)
        latency.sent(through: 20, now: start + .milliseconds(5))
        // A retransmission keeps the first time.
        latency.sent(through: 20, now: start + .milliseconds(50))
        #expect(latency.acknowledged(through: 9, now: start + .milliseconds(60)).isEmpty)
        #expect(latency.acknowledged(through: 15, now: start + .milliseconds(60)) == [.milliseconds(60)])
        #expect(latency.acknowledged(through: 20, now: start + .milliseconds(100)) == [.milliseconds(95)])
        #expect(latency.acknowledged(through: 30, now: start + .milliseconds(200)).isEmpty)
    }

    @Test func whatIsRememberedIsBounded() {
        let start = ContinuousClock().now
        var latency = AckLatency()
        for sequence in 1...UInt64(AckLatency.limit + 10) { latency.sent(through: sequence, now: start) }
        #expect(latency.acknowledged(through: .max, now: start).count == AckLatency.limit)
    }
}
