import CLibZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for any of several sockets (and plain file descriptors) to become ready, with `zmq_poll`.
///
/// Holds the sockets, not their C handles, so a socket closed after being added is reported as an error rather than
/// polled through a dangling pointer. Like the sockets it holds, use it on their owning thread only.
package struct ZMQPoller {
    private enum Source {
        case socket(ZMQSocket)
        case fileDescriptor(Int32)
    }

    private var entries: [(source: Source, events: ZMQPollEvents)] = []

    /// Makes an empty poller.
    package init() {}

    /// How many sockets and descriptors were added.
    package var count: Int { entries.count }

    /// Adds a socket to wait on; returns its index in the result of ``poll(timeout:)``.
    @discardableResult
    package mutating func add(_ socket: ZMQSocket, events: ZMQPollEvents = .readable) -> Int {
        entries.append((.socket(socket), events))
        return entries.count - 1
    }

    /// Adds a plain file descriptor (e.g. a pipe) to wait on; returns its index in the result.
    @discardableResult
    package mutating func add(fileDescriptor: Int32, events: ZMQPollEvents = .readable) -> Int {
        entries.append((.fileDescriptor(fileDescriptor), events))
        return entries.count - 1
    }

    /// Waits up to `timeout` for readiness; returns what each added entry is ready for, in the order added (empty
    /// sets when the time ran out or a signal interrupted the wait).
    ///
    /// The timeout has millisecond precision; a positive fraction rounds up and a negative timeout counts as zero.
    package func poll(timeout: Duration) throws(ZMQError) -> [ZMQPollEvents] {
        try poll(milliseconds: max(0, timeout.zmqMilliseconds))
    }

    /// Waits without a time limit until some entry is ready (or a signal interrupts the wait).
    package func poll() throws(ZMQError) -> [ZMQPollEvents] {
        try poll(milliseconds: -1)
    }

    private func poll(milliseconds: Int32) throws(ZMQError) -> [ZMQPollEvents] {
        var items: [zmq_pollitem_t] = []
        items.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            var item = zmq_pollitem_t()
            item.events = entry.events.rawValue
            switch entry.source {
            case .socket(let socket):
                item.socket = try socket.requireHandle("poll (entry \(index), a \(socket.type) socket)")
            case .fileDescriptor(let descriptor):
                item.fd = descriptor
            }
            items.append(item)
        }
        let result = zmq_poll(&items, Int32(items.count), Int(milliseconds))
        if result < 0 {
            let error = ZMQError.last("poll \(items.count) sockets")
            // A signal is not a failure: report "nothing ready" and let the caller's loop poll again.
            if error.code == .interrupted { return Array(repeating: [], count: items.count) }
            throw error
        }
        return zip(items, entries).map { item, entry in
            ZMQPollEvents(rawValue: item.revents).intersection(entry.events.union(.error))
        }
    }
}
