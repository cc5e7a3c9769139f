import CLibZMQ

/// A typed libzmq socket option: which `ZMQ_…` constant, how its value travels through `zmq_setsockopt` /
/// `zmq_getsockopt`, and whether it can be read back.
///
/// Use the static members with ``ZMQSocket/setOption(_:_:)`` and ``ZMQSocket/option(_:)``:
/// `try socket.setOption(.sendHighWaterMark, 100_000)`. Durations travel as whole milliseconds (fractions round
/// up); a negative duration means libzmq's -1, "no limit" (reading such a value back gives -1 ms).
package struct ZMQSocketOption<Value>: Sendable {
    /// Whether an option can be set, read, or both.
    package enum Access: Sendable, Hashable {
        case readWrite
        /// libzmq accepts it in `zmq_setsockopt` only; reading it fails with EINVAL.
        case writeOnly
        /// libzmq reports it in `zmq_getsockopt` only.
        case readOnly
    }

    /// The libzmq name, e.g. `ZMQ_SNDHWM`, for error messages.
    package let name: String
    /// The libzmq constant.
    let code: Int32
    package let access: Access
    let format: ZMQOptionFormat
    /// Nil when the value cannot be represented (e.g. an `Int` beyond `Int32`).
    let encode: @Sendable (Value) -> ZMQOptionRaw?
    /// Nil when libzmq reported something the Swift type cannot hold.
    let decode: @Sendable (ZMQOptionRaw) -> Value?

    init(
        name: String,
        code: Int32,
        access: Access = .readWrite,
        format: ZMQOptionFormat,
        encode: @escaping @Sendable (Value) -> ZMQOptionRaw?,
        decode: @escaping @Sendable (ZMQOptionRaw) -> Value?
    ) {
        self.name = name
        self.code = code
        self.access = access
        self.format = format
        self.encode = encode
        self.decode = decode
    }
}

/// How an option's value is laid out in libzmq's `void *` buffer.
enum ZMQOptionFormat: Sendable {
    /// A C `int`.
    case int32
    /// An `int64_t`.
    case int64
    /// A byte string of varying length (strings come back with a terminating NUL).
    case bytes
    /// A CURVE key: asking with a 41-byte buffer makes libzmq answer in Z85 text rather than 32 binary bytes.
    case z85Key
}

/// An option value as libzmq sees it.
enum ZMQOptionRaw: Sendable {
    case int32(Int32)
    case int64(Int64)
    case bytes([UInt8])

    var int32: Int32? { if case .int32(let value) = self { value } else { nil } }
    var int64: Int64? { if case .int64(let value) = self { value } else { nil } }
    var bytes: [UInt8]? { if case .bytes(let value) = self { value } else { nil } }

    /// A string option's bytes without the C terminator libzmq appends.
    var text: String? {
        guard var bytes else { return nil }
        while bytes.last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

// MARK: - Shapes

extension ZMQSocketOption where Value == Int {
    /// An `int` option holding a count.
    init(count name: String, _ code: Int32, access: Access = .readWrite) {
        self.init(
            name: name,
            code: code,
            access: access,
            format: .int32,
            encode: { Int32(exactly: $0).map(ZMQOptionRaw.int32) },
            decode: { $0.int32.map(Int.init) }
        )
    }
}

extension ZMQSocketOption where Value == Bool {
    /// An `int` option used as a flag (1 on, 0 off; anything but 1 reads as off, e.g. TCP_KEEPALIVE's -1 default).
    init(flag name: String, _ code: Int32, access: Access = .readWrite) {
        self.init(
            name: name,
            code: code,
            access: access,
            format: .int32,
            encode: { .int32($0 ? 1 : 0) },
            decode: { $0.int32.map { $0 == 1 } }
        )
    }
}

extension ZMQSocketOption where Value == Duration {
    /// An `int` option holding milliseconds.
    init(milliseconds name: String, _ code: Int32, access: Access = .readWrite) {
        self.init(
            name: name,
            code: code,
            access: access,
            format: .int32,
            encode: { .int32($0.zmqMilliseconds) },
            decode: { $0.int32.map(Duration.init(zmqMilliseconds:)) }
        )
    }
}

extension ZMQSocketOption where Value == [UInt8] {
    /// A binary option (subscriptions, routing ids).
    init(binary name: String, _ code: Int32, access: Access = .readWrite) {
        self.init(name: name, code: code, access: access, format: .bytes, encode: { .bytes($0) }, decode: { $0.bytes })
    }
}

extension ZMQSocketOption where Value == String {
    /// A text option, passed without a terminator and read back without one.
    init(text name: String, _ code: Int32, access: Access = .readWrite) {
        self.init(
            name: name,
            code: code,
            access: access,
            format: .bytes,
            encode: { .bytes(Array($0.utf8)) },
            decode: { $0.text }
        )
    }

    /// A CURVE key as 40 characters of Z85 text; libzmq itself rejects any other length or alphabet.
    init(curveKey name: String, _ code: Int32) {
        self.init(
            name: name,
            code: code,
            format: .z85Key,
            encode: { .bytes(Array($0.utf8)) },
            decode: { $0.text }
        )
    }
}

// MARK: - The options

extension ZMQSocketOption where Value == Int {
    /// ZMQ_SNDHWM: how many messages may queue per peer for sending before sends block or drop (0 = no limit).
    package static var sendHighWaterMark: Self { .init(count: "ZMQ_SNDHWM", ZMQ_SNDHWM) }
    /// ZMQ_RCVHWM: how many messages may queue per peer for receiving (0 = no limit).
    package static var receiveHighWaterMark: Self { .init(count: "ZMQ_RCVHWM", ZMQ_RCVHWM) }
    /// ZMQ_BACKLOG: the listen backlog for connection-oriented transports.
    package static var backlog: Self { .init(count: "ZMQ_BACKLOG", ZMQ_BACKLOG) }
}

extension ZMQSocketOption where Value == Int64 {
    /// ZMQ_MAXMSGSIZE: the largest message (in bytes) a peer may send; a larger one drops that connection. -1 = no
    /// limit.
    package static var maxMessageSize: Self {
        .init(
            name: "ZMQ_MAXMSGSIZE",
            code: ZMQ_MAXMSGSIZE,
            format: .int64,
            encode: { .int64($0) },
            decode: { $0.int64 }
        )
    }
}

extension ZMQSocketOption where Value == Bool {
    /// ZMQ_IMMEDIATE: queue messages only on completed connections, so sends fail fast while no peer is there.
    package static var immediate: Self { .init(flag: "ZMQ_IMMEDIATE", ZMQ_IMMEDIATE) }
    /// ZMQ_ROUTER_MANDATORY: a ROUTER send to an unknown routing id fails with EHOSTUNREACH instead of vanishing.
    package static var routerMandatory: Self {
        .init(flag: "ZMQ_ROUTER_MANDATORY", ZMQ_ROUTER_MANDATORY, access: .writeOnly)
    }
    /// ZMQ_ROUTER_HANDOVER: a new connection with a routing id already in use takes it over.
    package static var routerHandover: Self {
        .init(flag: "ZMQ_ROUTER_HANDOVER", ZMQ_ROUTER_HANDOVER, access: .writeOnly)
    }
    /// ZMQ_PROBE_ROUTER: send an empty message on connect so a ROUTER peer learns the routing id at once.
    package static var probeRouter: Self { .init(flag: "ZMQ_PROBE_ROUTER", ZMQ_PROBE_ROUTER, access: .writeOnly) }
    /// ZMQ_TCP_KEEPALIVE: turn on OS-level TCP keepalive (off reads back for libzmq's "OS default" too).
    package static var tcpKeepalive: Self { .init(flag: "ZMQ_TCP_KEEPALIVE", ZMQ_TCP_KEEPALIVE) }
    /// ZMQ_IPV6: allow IPv6 addresses (and resolve names to them) on this socket.
    package static var ipv6: Self { .init(flag: "ZMQ_IPV6", ZMQ_IPV6) }
    /// ZMQ_XPUB_VERBOSE: an XPUB passes every subscription upstream, not only new ones.
    package static var xpubVerbose: Self { .init(flag: "ZMQ_XPUB_VERBOSE", ZMQ_XPUB_VERBOSE, access: .writeOnly) }
    /// ZMQ_XPUB_NODROP: an XPUB at its high-water mark fails sends with EAGAIN instead of dropping.
    package static var xpubNoDrop: Self { .init(flag: "ZMQ_XPUB_NODROP", ZMQ_XPUB_NODROP, access: .writeOnly) }
    /// ZMQ_CONFLATE: keep only the newest message in the queues.
    package static var conflate: Self { .init(flag: "ZMQ_CONFLATE", ZMQ_CONFLATE) }
    /// ZMQ_CURVE_SERVER: this socket is the CURVE server side (set its secret key too).
    package static var curveServer: Self { .init(flag: "ZMQ_CURVE_SERVER", ZMQ_CURVE_SERVER) }
    /// ZMQ_PLAIN_SERVER: this socket is the PLAIN server side.
    package static var plainServer: Self { .init(flag: "ZMQ_PLAIN_SERVER", ZMQ_PLAIN_SERVER) }
    /// ZMQ_RCVMORE: the last received frame has more frames after it. Read-only.
    package static var receiveMore: Self { .init(flag: "ZMQ_RCVMORE", ZMQ_RCVMORE, access: .readOnly) }
}

extension ZMQSocketOption where Value == Duration {
    /// ZMQ_LINGER: how long close waits to deliver unsent messages. Sockets from ``ZMQContext`` start at zero.
    package static var linger: Self { .init(milliseconds: "ZMQ_LINGER", ZMQ_LINGER) }
    /// ZMQ_RECONNECT_IVL: the first wait before reconnecting a dropped connection.
    package static var reconnectInterval: Self { .init(milliseconds: "ZMQ_RECONNECT_IVL", ZMQ_RECONNECT_IVL) }
    /// ZMQ_RECONNECT_IVL_MAX: the longest wait the reconnect back-off doubles up to (zero: no back-off).
    package static var reconnectIntervalMax: Self {
        .init(milliseconds: "ZMQ_RECONNECT_IVL_MAX", ZMQ_RECONNECT_IVL_MAX)
    }
    /// ZMQ_HEARTBEAT_IVL: how often to send a ZMTP PING (zero: never).
    package static var heartbeatInterval: Self { .init(milliseconds: "ZMQ_HEARTBEAT_IVL", ZMQ_HEARTBEAT_IVL) }
    /// ZMQ_HEARTBEAT_TIMEOUT: how long to wait for any traffic after a PING before dropping the connection.
    package static var heartbeatTimeout: Self {
        .init(milliseconds: "ZMQ_HEARTBEAT_TIMEOUT", ZMQ_HEARTBEAT_TIMEOUT)
    }
    /// ZMQ_HEARTBEAT_TTL: how long the peer should keep the connection without traffic (decisecond precision).
    package static var heartbeatTTL: Self { .init(milliseconds: "ZMQ_HEARTBEAT_TTL", ZMQ_HEARTBEAT_TTL) }
    /// ZMQ_HANDSHAKE_IVL: how long a new connection may take to finish the ZMTP handshake (zero: forever).
    package static var handshakeInterval: Self { .init(milliseconds: "ZMQ_HANDSHAKE_IVL", ZMQ_HANDSHAKE_IVL) }
    /// ZMQ_CONNECT_TIMEOUT: how long a TCP connect may take (zero: the OS default).
    package static var connectTimeout: Self { .init(milliseconds: "ZMQ_CONNECT_TIMEOUT", ZMQ_CONNECT_TIMEOUT) }
    /// ZMQ_RCVTIMEO: how long a blocking receive waits before EAGAIN (negative: forever, the default).
    package static var receiveTimeout: Self { .init(milliseconds: "ZMQ_RCVTIMEO", ZMQ_RCVTIMEO) }
    /// ZMQ_SNDTIMEO: how long a blocking send waits before EAGAIN (negative: forever, the default).
    package static var sendTimeout: Self { .init(milliseconds: "ZMQ_SNDTIMEO", ZMQ_SNDTIMEO) }
}

extension ZMQSocketOption where Value == [UInt8] {
    /// ZMQ_SUBSCRIBE: a SUB receives messages whose first frame starts with this prefix (empty: everything).
    package static var subscribe: Self { .init(binary: "ZMQ_SUBSCRIBE", ZMQ_SUBSCRIBE, access: .writeOnly) }
    /// ZMQ_UNSUBSCRIBE: removes one earlier subscription with the same prefix.
    package static var unsubscribe: Self { .init(binary: "ZMQ_UNSUBSCRIBE", ZMQ_UNSUBSCRIBE, access: .writeOnly) }
    /// ZMQ_ROUTING_ID: the identity a ROUTER peer sees for this socket (1–255 bytes, not starting with 0).
    package static var routingID: Self { .init(binary: "ZMQ_ROUTING_ID", ZMQ_ROUTING_ID) }
    /// ZMQ_CONNECT_ROUTING_ID: the routing id a ROUTER gives the peer of its next connect.
    package static var connectRoutingID: Self {
        .init(binary: "ZMQ_CONNECT_ROUTING_ID", ZMQ_CONNECT_ROUTING_ID, access: .writeOnly)
    }
}

extension ZMQSocketOption where Value == String {
    /// ZMQ_ZAP_DOMAIN: the domain a ZAP handler is told about for connections to this socket.
    package static var zapDomain: Self { .init(text: "ZMQ_ZAP_DOMAIN", ZMQ_ZAP_DOMAIN) }
    /// ZMQ_PLAIN_USERNAME: the PLAIN client's user name.
    package static var plainUsername: Self { .init(text: "ZMQ_PLAIN_USERNAME", ZMQ_PLAIN_USERNAME) }
    /// ZMQ_PLAIN_PASSWORD: the PLAIN client's password.
    package static var plainPassword: Self { .init(text: "ZMQ_PLAIN_PASSWORD", ZMQ_PLAIN_PASSWORD) }
    /// ZMQ_CURVE_PUBLICKEY: this socket's long-term CURVE public key (Z85, 40 characters).
    package static var curvePublicKey: Self { .init(curveKey: "ZMQ_CURVE_PUBLICKEY", ZMQ_CURVE_PUBLICKEY) }
    /// ZMQ_CURVE_SECRETKEY: this socket's long-term CURVE secret key (Z85, 40 characters).
    package static var curveSecretKey: Self { .init(curveKey: "ZMQ_CURVE_SECRETKEY", ZMQ_CURVE_SECRETKEY) }
    /// ZMQ_CURVE_SERVERKEY: the server's public key, set on a CURVE client (Z85, 40 characters).
    package static var curveServerKey: Self { .init(curveKey: "ZMQ_CURVE_SERVERKEY", ZMQ_CURVE_SERVERKEY) }
    /// ZMQ_LAST_ENDPOINT: the endpoint of the last bind or connect, with wildcard ports resolved. Read-only.
    package static var lastEndpoint: Self { .init(text: "ZMQ_LAST_ENDPOINT", ZMQ_LAST_ENDPOINT, access: .readOnly) }
}

extension ZMQSocketOption where Value == ZMQSocketType {
    /// ZMQ_TYPE: the socket's type. Read-only.
    package static var type: Self {
        .init(
            name: "ZMQ_TYPE",
            code: ZMQ_TYPE,
            access: .readOnly,
            format: .int32,
            encode: { .int32($0.rawValue) },
            decode: { $0.int32.flatMap(ZMQSocketType.init(rawValue:)) }
        )
    }
}

extension ZMQSocketOption where Value == ZMQPollEvents {
    /// ZMQ_EVENTS: whether a message can be received or sent right now, without polling. Read-only.
    package static var events: Self {
        .init(
            name: "ZMQ_EVENTS",
            code: ZMQ_EVENTS,
            access: .readOnly,
            format: .int32,
            encode: { .int32(Int32($0.rawValue)) },
            decode: { $0.int32.flatMap(Int16.init(exactly:)).map(ZMQPollEvents.init(rawValue:)) }
        )
    }
}
