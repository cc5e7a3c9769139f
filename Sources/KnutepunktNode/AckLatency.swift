import DequeModule

/// Times from sending events to the hub until their ACK, for the node's ack latency histogram.
///
/// Each EVENT message is remembered by its last sequence and when it was first sent (a retransmission keeps the
/// first time: the latency is what the coordinator waits for delivery). An ACK through sequence `n` settles every
/// remembered message up to `n`. Pure: time is passed in. At most ``limit`` messages are remembered; beyond that the
/// oldest are forgotten unmeasured (the window bounds what is in flight far below that).
package struct AckLatency {
    package static let limit = 65_536

    package init() {}

    private var inFlight: Deque<(through: UInt64, sentAt: ContinuousClock.Instant)> = []
    private var highestSent: UInt64 = 0

    /// Events through `through` were sent now.
    package mutating func sent(through: UInt64, now: ContinuousClock.Instant) {
        guard through > highestSent else { return }
        highestSent = through
        inFlight.append((through, now))
        if inFlight.count > Self.limit { inFlight.removeFirst() }
    }

    /// The hub settled everything through `through` now: the latency of each message that settles.
    package mutating func acknowledged(through: UInt64, now: ContinuousClock.Instant) -> [Duration] {
        var latencies: [Duration] = []
        while let first = inFlight.first, first.through <= through {
            latencies.append(now - first.sentAt)
            inFlight.removeFirst()
        }
        return latencies
    }
}
