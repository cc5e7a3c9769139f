import KnutepunktZMQ

extension ZMQSocket {
    /// Waits up to `timeout` for one message, using poll as the wait (never a sleep); nil if none came in time.
    func receive(within timeout: Duration) throws -> ZMQMessage? {
        var poller = ZMQPoller()
        poller.add(self)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        // Bounded: each turn either returns or waits for the rest of the deadline.
        for _ in 0..<1_000 {
            let remaining = deadline - clock.now
            guard remaining > .zero else { return nil }
            if try poller.poll(timeout: remaining)[0].contains(.readable), let message = try receive(dontWait: true) {
                return message
            }
        }
        return nil
    }

    /// Binds to a loopback port the OS picks and returns the resolved endpoint.
    func bindLoopback() throws -> String {
        try bind(Loopback.anyPort)
        return try lastEndpoint
    }
}
