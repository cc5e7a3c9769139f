extension Duration {
    /// The duration as libzmq's `int` milliseconds: sub-millisecond remainders round up (so a short positive wait
    /// never turns into a busy "0"), values past `Int32.max` clamp, and negative durations become -1, which libzmq
    /// reads as "no limit".
    var zmqMilliseconds: Int32 {
        if self < .zero { return -1 }
        let parts = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeSecondsInMillis, overflow) = parts.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int32.max }
        let millis = wholeSecondsInMillis + (parts.attoseconds + perMillisecond - 1) / perMillisecond
        return Int32(clamping: millis)
    }

    /// A libzmq millisecond value as a duration; -1 ("no limit") stays a negative duration.
    init(zmqMilliseconds: Int32) {
        self = .milliseconds(Int64(zmqMilliseconds))
    }
}
