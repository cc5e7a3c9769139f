/// The command byte of a KPN message (the last byte of frame 0).
package enum WireCommand: UInt8, CaseIterable, Sendable {
    case hello = 0x01
    case welcome = 0x02
    case event = 0x03
    case ack = 0x04
    case nack = 0x05
    case resend = 0x06
    case heartbeat = 0x07
    case error = 0x08

    /// The upper-case name used in logs and the protocol document.
    package var name: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .event: "EVENT"
        case .ack: "ACK"
        case .nack: "NACK"
        case .resend: "RESEND"
        case .heartbeat: "HEARTBEAT"
        case .error: "ERROR"
        }
    }
}
