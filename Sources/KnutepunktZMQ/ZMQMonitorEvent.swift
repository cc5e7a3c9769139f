import CLibZMQ

/// One connection event from a socket monitor (``ZMQSocket/startMonitor(_:events:)``): a connect, an accept, a
/// disconnect, a failed handshake and so on.
package struct ZMQMonitorEvent: Sendable, Hashable {
    /// Which kinds of event to monitor, and which one happened.
    package struct Kind: OptionSet, Sendable, Hashable {
        package var rawValue: UInt16
        package init(rawValue: UInt16) { self.rawValue = rawValue }

        package static let connected = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECTED))
        package static let connectDelayed = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECT_DELAYED))
        package static let connectRetried = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECT_RETRIED))
        package static let listening = Kind(rawValue: UInt16(ZMQ_EVENT_LISTENING))
        package static let bindFailed = Kind(rawValue: UInt16(ZMQ_EVENT_BIND_FAILED))
        package static let accepted = Kind(rawValue: UInt16(ZMQ_EVENT_ACCEPTED))
        package static let acceptFailed = Kind(rawValue: UInt16(ZMQ_EVENT_ACCEPT_FAILED))
        package static let closed = Kind(rawValue: UInt16(ZMQ_EVENT_CLOSED))
        package static let closeFailed = Kind(rawValue: UInt16(ZMQ_EVENT_CLOSE_FAILED))
        /// The connection dropped: the peer went away, a heartbeat timed out, or the peer broke a limit such as
        /// ZMQ_MAXMSGSIZE.
        package static let disconnected = Kind(rawValue: UInt16(ZMQ_EVENT_DISCONNECTED))
        package static let monitorStopped = Kind(rawValue: UInt16(ZMQ_EVENT_MONITOR_STOPPED))
        package static let handshakeFailedNoDetail = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
        package static let handshakeSucceeded = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
        package static let handshakeFailedProtocol = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        /// The ZAP handler refused the peer.
        package static let handshakeFailedAuth = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        /// Every kind.
        package static let all = Kind(rawValue: UInt16(ZMQ_EVENT_ALL))
    }

    /// What happened (exactly one bit).
    package var kind: Kind
    /// The event's number: a file descriptor, an errno, or a reconnect interval in milliseconds, by kind.
    package var value: UInt32
    /// The endpoint concerned, e.g. `tcp://127.0.0.1:41234`.
    package var endpoint: String

    /// Makes an event.
    package init(kind: Kind, value: UInt32, endpoint: String) {
        self.kind = kind
        self.value = value
        self.endpoint = endpoint
    }

    /// Decodes a message received on the monitor's PAIR socket; nil if it is not a monitor event.
    ///
    /// libzmq 4.x sends two frames: 6 bytes (a 16-bit event id and a 32-bit value, in host byte order), then the
    /// endpoint.
    package init?(_ message: ZMQMessage) {
        guard message.frames.count == 2, message.frames[0].count == 6 else { return nil }
        let header = message.frames[0]
        let (id, value) = header.withUnsafeBytes { bytes in
            (bytes.loadUnaligned(as: UInt16.self), bytes.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        }
        self.init(kind: Kind(rawValue: id), value: value, endpoint: String(decoding: message.frames[1], as: UTF8.self))
    }
}
