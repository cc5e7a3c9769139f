import CLibZMQ

/// What a socket (or file descriptor) is ready for, as reported by ``ZMQPoller``.
package struct ZMQPollEvents: OptionSet, Sendable, Hashable {
    package var rawValue: Int16
    package init(rawValue: Int16) { self.rawValue = rawValue }

    /// At least one whole message can be received without blocking.
    package static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking.
    package static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition on a plain file descriptor (never reported for ZeroMQ sockets).
    package static let error = ZMQPollEvents(rawValue: Int16(ZMQ_POLLERR))
}
