import CLibZMQ

/// One ZeroMQ socket.
///
/// Not `Sendable`, on purpose: libzmq sockets are not thread-safe, so each belongs to the one thread that made it
/// (usually a ``ZMQThread`` running a ``ZMQPoller`` loop). Other threads talk to that thread through a
/// ``ZMQMailbox``. Close it explicitly with ``close()``; deinit does no I/O, so a socket dropped without `close()`
/// leaks and keeps ``ZMQContext/terminate()`` waiting.
package final class ZMQSocket {
    /// The socket's type, fixed at creation.
    package let type: ZMQSocketType

    /// The C socket; nil once closed. Never handed out beyond this module.
    private(set) var handle: UnsafeMutableRawPointer?

    init(handle: UnsafeMutableRawPointer, type: ZMQSocketType) {
        self.handle = handle
        self.type = type
    }

    /// Whether ``close()`` was called.
    package var isClosed: Bool { handle == nil }

    /// The C socket for `operation`, or an ENOTSOCK error if the socket is closed.
    func requireHandle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError.closed(operation()) }
        return handle
    }

    // MARK: - Endpoints

    /// Binds to an endpoint such as `tcp://127.0.0.1:*` (any free port; read it back with ``lastEndpoint``).
    package func bind(_ endpoint: String) throws(ZMQError) {
        try endpointCall("bind", endpoint, zmq_bind)
    }

    /// Connects to an endpoint; libzmq connects (and reconnects) in the background.
    package func connect(_ endpoint: String) throws(ZMQError) {
        try endpointCall("connect", endpoint, zmq_connect)
    }

    /// Stops listening on an endpoint given to ``bind(_:)``; for wildcard binds pass the resolved endpoint.
    package func unbind(_ endpoint: String) throws(ZMQError) {
        try endpointCall("unbind", endpoint, zmq_unbind)
    }

    /// Drops a connection made by ``connect(_:)``.
    package func disconnect(_ endpoint: String) throws(ZMQError) {
        try endpointCall("disconnect", endpoint, zmq_disconnect)
    }

    private func endpointCall(
        _ verb: String,
        _ endpoint: String,
        _ call: (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Int32
    ) throws(ZMQError) {
        let operation = "\(verb) \(endpoint)"
        let handle = try requireHandle(operation)
        guard call(handle, endpoint) == 0 else { throw ZMQError.last("\(operation) (\(type) socket)") }
    }

    /// The endpoint of the last bind or connect, with a wildcard port resolved (e.g. `tcp://127.0.0.1:41234`).
    package var lastEndpoint: String {
        get throws(ZMQError) { try option(.lastEndpoint) }
    }

    // MARK: - Lifecycle

    /// Closes the socket. Idempotent; with LINGER 0 (the default here) unsent messages are discarded at once.
    package func close() {
        guard let handle else { return }
        // zmq_close fails only for an invalid pointer, which `handle` never is.
        zmq_close(handle)
        self.handle = nil
    }

    // MARK: - Messages

    /// Sends one multipart message, all frames or none (libzmq delivers multipart messages atomically).
    ///
    /// - Parameter dontWait: do not block when the message cannot be queued (high-water mark reached, or no peer
    ///   for socket types that need one).
    /// - Returns: false only if `dontWait` is set and the message could not be queued; nothing was sent then.
    /// - Throws: ``ZMQError``; on a ROUTER with ROUTER_MANDATORY an unknown routing id gives
    ///   ``ZMQError/Code/hostUnreachable``.
    @discardableResult
    package func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let handle = try requireHandle("send on a \(type) socket")
        for (index, frame) in frames.enumerated() {
            let isLast = index == frames.count - 1
            let flags = (dontWait ? ZMQ_DONTWAIT : 0) | (isLast ? 0 : ZMQ_SNDMORE)
            while true {
                // zmq_send copies the bytes; a NULL pointer with length 0 (empty frame) is allowed.
                let result = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if result >= 0 { break }
                let error = ZMQError.last(
                    "send frame \(index + 1) of \(frames.count) on a \(type) socket"
                )
                if error.code == .interrupted { continue }
                // Only the first frame can meet a full queue: libzmq checks the high-water mark per message.
                if error.code == .wouldBlock, dontWait, index == 0 { return false }
                throw error
            }
        }
        return true
    }

    /// Receives one whole multipart message, every frame at its full size.
    ///
    /// - Parameters:
    ///   - dontWait: return nil at once instead of waiting when no message is there.
    ///   - keepingAtMost: the most bytes of frames to copy. Once the frames so far and the next one would pass it,
    ///     that frame and every later one are still taken off the socket (a message is always taken whole) but kept
    ///     as empty frames, and the message says so (``ZMQMessage/isTruncated``); ``ZMQMessage/byteCount`` counts
    ///     every frame. So a peer cannot make the receiver copy more than this, whatever the sum of its frames
    ///     (libzmq's `ZMQ_MAXMSGSIZE` bounds each frame, not their sum).
    package func receive(dontWait: Bool = false, keepingAtMost limit: Int = .max) throws(ZMQError) -> ZMQMessage? {
        let handle = try requireHandle("receive on a \(type) socket")
        // zmq_msg_t must not move while in use (small messages keep their bytes inside it), so it lives in memory
        // of its own rather than in a Swift variable the compiler may copy.
        let part = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { part.deallocate() }
        var message = ZMQMessage(frames: [])
        while true {
            zmq_msg_init(part)
            // Once the first frame is there, libzmq guarantees the rest are too, so the same flags serve every frame.
            if zmq_msg_recv(part, handle, dontWait ? ZMQ_DONTWAIT : 0) < 0 {
                let error = ZMQError.last("receive on a \(type) socket")
                zmq_msg_close(part)
                if error.code == .interrupted { continue }
                if error.code == .wouldBlock, dontWait, message.frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(part)
            message.byteCount += size
            if size == 0 {
                message.frames.append([])
            } else if message.isTruncated || message.byteCount > limit {
                message.isTruncated = true
                message.frames.append([])
            } else {
                message.frames.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(part), count: size)))
            }
            // Metadata belongs to the connection and is freed with the part: read it before zmq_msg_close. Every
            // frame carries the same metadata, except that libzmq 4.3 leaves it off a ROUTER's routing-id frame
            // when a poll prefetched the message, so the first frame that has it counts.
            if message.peerAddress == nil, message.userID == nil {
                message.peerAddress = Self.metadata("Peer-Address", of: part)
                message.userID = Self.metadata("User-Id", of: part)
            }
            let more = zmq_msg_more(part) != 0
            zmq_msg_close(part)
            if !more { return message }
        }
    }

    private static func metadata(_ property: String, of part: UnsafeMutablePointer<zmq_msg_t>) -> String? {
        guard let value = zmq_msg_gets(part, property) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
