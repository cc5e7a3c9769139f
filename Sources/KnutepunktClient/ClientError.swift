/// Why a request to a daemon failed, said so that a coordinator knows what to do.
package struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        /// No answer within the timeout: the daemon is not running or not reachable.
        package static let notRunning = Code(rawValue: "NOT_RUNNING")
        /// The daemon answered with an error.
        package static let refused = Code(rawValue: "REFUSED")
        /// The daemon's answer could not be understood.
        package static let badReply = Code(rawValue: "BAD_REPLY")
        /// The socket could not be opened.
        package static let transport = Code(rawValue: "TRANSPORT")
        package var description: String { rawValue }
    }

    package var code: Code
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
