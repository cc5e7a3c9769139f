/// The settings a long-lived connection (node ↔ hub) needs, applied together by ``ZMQSocket/configureLink(_:)``.
///
/// Heartbeats notice a dead peer within `heartbeatTimeout`; the reconnect back-off keeps a hub that is down from
/// being hammered; `maxMessageSize` stops a peer from making us allocate without bound.
package struct ZMQLinkSettings: Sendable, Hashable {
    /// How long close waits to deliver unsent messages (zero: discard; the protocol above retransmits).
    package var linger: Duration = .zero
    /// The first wait before reconnecting.
    package var reconnectInterval: Duration = .milliseconds(100)
    /// The longest reconnect wait the back-off grows to.
    package var reconnectIntervalMax: Duration = .seconds(5)
    /// The largest message a peer may send; a larger one drops its connection.
    package var maxMessageSize: Int64 = 4 << 20
    /// How often to send a ZMTP PING.
    package var heartbeatInterval: Duration = .seconds(1)
    /// How long to wait for traffic after a PING before dropping the connection.
    package var heartbeatTimeout: Duration = .seconds(3)
    /// How long the peer should keep the connection without hearing from us.
    package var heartbeatTTL: Duration = .seconds(6)
    /// Messages queued per peer for sending before sends block or fail.
    package var sendHighWaterMark: Int = 10_000
    /// Messages queued per peer for receiving.
    package var receiveHighWaterMark: Int = 10_000
    /// Whether a ROUTER fails sends to unknown peers (EHOSTUNREACH) instead of dropping them silently.
    package var routerMandatory: Bool = true

    /// The settings above, unchanged.
    package static let `default` = ZMQLinkSettings()

    /// Makes the default settings; change fields afterwards.
    package init() {}
}
