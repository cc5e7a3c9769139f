import CLibZMQ

/// The kinds of ZeroMQ socket, each with its own messaging pattern.
package enum ZMQSocketType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pair
    case pub
    case sub
    case req
    case rep
    case dealer
    case router
    case pull
    case push
    case xpub
    case xsub
    case stream

    /// The libzmq constant (`ZMQ_PAIR` …).
    var rawValue: Int32 {
        switch self {
        case .pair: ZMQ_PAIR
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pull: ZMQ_PULL
        case .push: ZMQ_PUSH
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .stream: ZMQ_STREAM
        }
    }

    /// The type for a libzmq constant, or nil for one this module does not know (e.g. a draft type).
    init?(rawValue: Int32) {
        guard let match = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = match
    }

    /// The name libzmq's documentation uses, e.g. `ROUTER`.
    package var description: String {
        switch self {
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .req: "REQ"
        case .rep: "REP"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .pull: "PULL"
        case .push: "PUSH"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .stream: "STREAM"
        }
    }
}
