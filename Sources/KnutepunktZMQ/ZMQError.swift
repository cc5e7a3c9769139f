import CLibZMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libzmq call that failed: what was attempted, the errno it reported and what to do about it.
///
/// libzmq reports failures through `zmq_errno()`. That value is read exactly once, right after the failing call,
/// by ``ZMQError/last(_:)``; nothing else in the module looks at errno.
package struct ZMQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The errno value libzmq reported. Extensible: libzmq may report codes without a name here, so never switch
    /// over it exhaustively.
    package struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        package var rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }

        /// EAGAIN: a non-blocking call would have had to wait (no message, or the peer's queue is full).
        package static let wouldBlock = Code(rawValue: EAGAIN)
        /// EHOSTUNREACH: a ROUTER with ROUTER_MANDATORY has no peer with that routing id (any more).
        package static let hostUnreachable = Code(rawValue: EHOSTUNREACH)
        /// EINTR: a signal interrupted a blocking call.
        package static let interrupted = Code(rawValue: EINTR)
        /// ETERM: the context is being terminated; the socket must be closed.
        package static let terminated = Code(rawValue: ZMQError.zmqHausnumero + 53)
        /// EINVAL: an argument was not acceptable (malformed endpoint, bad option value, unreadable option).
        package static let invalidArgument = Code(rawValue: EINVAL)
        /// EADDRINUSE: the address is already bound, by this or another process.
        package static let addressInUse = Code(rawValue: EADDRINUSE)
        /// EADDRNOTAVAIL: the address is not one of this machine's.
        package static let addressNotAvailable = Code(rawValue: EADDRNOTAVAIL)
        /// EPROTONOSUPPORT: the endpoint's transport is unknown or not compiled in.
        package static let protocolNotSupported = Code(rawValue: EPROTONOSUPPORT)
        /// ENODEV: the endpoint names a network interface that does not exist.
        package static let noDevice = Code(rawValue: ENODEV)
        /// ENOTSOCK: the socket is closed (or was never valid).
        package static let notSocket = Code(rawValue: ENOTSOCK)
        /// EFSM: the operation is not allowed in the socket's current state (e.g. REQ sending twice).
        package static let invalidState = Code(rawValue: ZMQError.zmqHausnumero + 51)
        /// EMFILE: the process ran out of file descriptors or the context out of sockets.
        package static let tooManyOpenFiles = Code(rawValue: EMFILE)
        /// ENOCOMPATPROTO: the transport does not work with this socket type.
        package static let noCompatibleProtocol = Code(rawValue: ZMQError.zmqHausnumero + 52)
        /// ENOENT: unbind or disconnect named an endpoint the socket is not bound or connected to.
        package static let noSuchEndpoint = Code(rawValue: ENOENT)
        /// ENOTSUP: the operation or option is not supported by this socket type or this libzmq build.
        package static let notSupported = Code(rawValue: ENOTSUP)
        /// EMSGSIZE: a message was larger than allowed.
        package static let messageTooLarge = Code(rawValue: EMSGSIZE)

        /// A short name for logs, e.g. `EADDRINUSE`.
        package var description: String {
            switch self {
            case .wouldBlock: "EAGAIN"
            case .hostUnreachable: "EHOSTUNREACH"
            case .interrupted: "EINTR"
            case .terminated: "ETERM"
            case .invalidArgument: "EINVAL"
            case .addressInUse: "EADDRINUSE"
            case .addressNotAvailable: "EADDRNOTAVAIL"
            case .protocolNotSupported: "EPROTONOSUPPORT"
            case .noDevice: "ENODEV"
            case .notSocket: "ENOTSOCK"
            case .invalidState: "EFSM"
            case .tooManyOpenFiles: "EMFILE"
            case .noCompatibleProtocol: "ENOCOMPATPROTO"
            case .noSuchEndpoint: "ENOENT"
            case .notSupported: "ENOTSUP"
            case .messageTooLarge: "EMSGSIZE"
            default: "errno \(rawValue)"
            }
        }
    }

    /// libzmq's base for its own error numbers (zmq.h's ZMQ_HAUSNUMERO); EFSM, ETERM and friends are offsets
    /// from it on every platform, so they are spelled out here rather than relying on macro import.
    static let zmqHausnumero: Int32 = 156_384_712

    /// Which errno libzmq reported.
    package var code: Code
    /// What was attempted, e.g. `bind tcp://127.0.0.1:7300`.
    package var operation: String
    /// libzmq's own wording for the code (`zmq_strerror`), or a more precise one from this module.
    package var message: String

    /// Makes an error; `message` defaults to libzmq's wording for the code.
    package init(code: Code, operation: String, message: String? = nil) {
        self.code = code
        self.operation = operation
        self.message = message ?? String(cString: zmq_strerror(code.rawValue))
    }

    /// The error libzmq just reported for `operation`. Call immediately after the failing C call.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        let errno = zmq_errno()
        return ZMQError(code: Code(rawValue: errno), operation: operation())
    }

    /// The error for using a socket after ``ZMQSocket/close()``.
    static func closed(_ operation: String) -> ZMQError {
        ZMQError(code: .notSocket, operation: operation, message: "the socket is already closed")
    }

    package var description: String {
        "\(operation) failed: \(message) (\(code)). \(advice)"
    }

    /// What to do about it, for whoever reads the log.
    package var advice: String {
        switch code {
        case .addressInUse:
            "Another process (or another socket) holds this port; stop it or change the endpoint in the configuration"
        case .addressNotAvailable:
            "The address is not one of this machine's; bind to 127.0.0.1, 0.0.0.0 or an interface address instead"
        case .invalidArgument:
            "Check the value; endpoints look like tcp://HOST:PORT, tcp://127.0.0.1:* or inproc://NAME"
        case .protocolNotSupported:
            "The transport is unknown; use tcp://, ipc:// or inproc://"
        case .noDevice:
            "The network interface in the endpoint does not exist; check the interface name"
        case .hostUnreachable:
            "The peer is not connected (any more); it will be reachable again once it reconnects"
        case .wouldBlock:
            "The peer's queue is full or nothing is waiting; try again later"
        case .terminated:
            "The context is shutting down; close the socket"
        case .notSocket:
            "The socket was closed; this is a bug in the caller"
        case .invalidState:
            "The socket type does not allow this operation now (e.g. REQ sending twice); this is a bug in the caller"
        case .tooManyOpenFiles:
            "Raise the open-file limit (ulimit -n) or use fewer connections"
        case .noCompatibleProtocol:
            "This transport cannot be used with this socket type; choose another transport"
        case .noSuchEndpoint:
            "Unbind and disconnect need the exact endpoint; for wildcard binds use the socket's last endpoint"
        case .notSupported:
            "This libzmq build or socket type does not support it"
        case .messageTooLarge:
            "The message exceeds the configured maximum size"
        case .interrupted:
            "A signal interrupted the call; retry"
        default:
            "See the libzmq documentation for this error"
        }
    }
}
