/// One received multipart message, with the metadata libzmq attached to the connection it came on.
package struct ZMQMessage: Sendable, Hashable {
    /// The frames in order; on a ROUTER the first one is the sender's routing id.
    package var frames: [[UInt8]]
    /// The sender's IP address (`Peer-Address` metadata), for TCP connections only.
    package var peerAddress: String?
    /// The identity a ZAP handler gave the sender (`User-Id` metadata), when authentication is on.
    package var userID: String?
    /// The bytes of every frame as received, those not kept included (see ``isTruncated``).
    package var byteCount = 0
    /// Some frames were not kept (emptied) because the message passed the receiver's limit
    /// (``ZMQSocket/receive(dontWait:keepingAtMost:)``).
    package var isTruncated = false

    /// Makes a message, e.g. for tests or for code that forwards frames.
    package init(frames: [[UInt8]], peerAddress: String? = nil, userID: String? = nil) {
        self.frames = frames
        byteCount = frames.reduce(0) { $0 + $1.count }
        self.peerAddress = peerAddress
        self.userID = userID
    }
}
