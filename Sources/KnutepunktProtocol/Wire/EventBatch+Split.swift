extension WireMessage.EventBatch {
    /// The bytes an EVENT carrying `payloads` takes on the wire: the 4-byte header, the 8-byte first sequence and
    /// every payload (the frames; ZMTP's own framing is not counted, as no limit counts it).
    package static func messageBytes(payloads: some Sequence<[UInt8]>) -> Int {
        payloads.reduce(12) { $0 + $1.count }
    }

    /// `payloads` (consecutive sequences from `firstSequence`) as one or more EVENT batches, in order, each within
    /// `maxMessageBytes` (the sum of its frames) and ``WireLimits/maxPayloadsPerEvent``. A payload too large to fit
    /// even alone goes alone: the hub refuses that message, which no valid event can cause (an event's canonical form
    /// is far smaller than the smallest limit a configuration allows).
    package static func split(
        firstSequence: UInt64,
        payloads: [[UInt8]],
        maxMessageBytes: Int
    ) -> [WireMessage.EventBatch] {
        var batches: [WireMessage.EventBatch] = []
        var current: [[UInt8]] = []
        var bytes = 12
        var first = firstSequence
        for payload in payloads {
            if !current.isEmpty,
                bytes + payload.count > maxMessageBytes || current.count == WireLimits.maxPayloadsPerEvent
            {
                batches.append(.init(firstSequence: first, payloads: current))
                first += UInt64(current.count)
                current = []
                bytes = 12
            }
            current.append(payload)
            bytes += payload.count
        }
        if !current.isEmpty { batches.append(.init(firstSequence: first, payloads: current)) }
        return batches
    }
}
