/// What can go wrong in the dashboard, with a message that says what to do.
package struct DashboardError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: RawRepresentable, Sendable, Hashable {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// The access file cannot be read or has a bad line.
        package static let badAccessFile = Code(rawValue: "BAD_ACCESS_FILE")
        /// The acknowledgement store cannot be opened or written.
        package static let acknowledgementStore = Code(rawValue: "ACKNOWLEDGEMENT_STORE")
        /// The hub's store cannot be read.
        package static let hubStore = Code(rawValue: "HUB_STORE")
        /// The feed stopped (the dashboard is shutting down).
        package static let stopped = Code(rawValue: "STOPPED")
    }

    package var code: Code
    package var message: String

    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "\(code.rawValue): \(message)" }
}
