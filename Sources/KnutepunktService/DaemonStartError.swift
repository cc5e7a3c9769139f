/// Why a daemon refused to start, said so that an operator knows what to change.
package struct DaemonStartError: Error, Sendable, Hashable, CustomStringConvertible {
    package struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }
        /// No CURVE keys are configured and plaintext was not asked for (`--insecure`).
        package static let noKeys = Code(rawValue: "NO_KEYS")
        /// The HTTP server's TLS certificate or key does not read.
        package static let tlsFiles = Code(rawValue: "TLS_FILES")
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
