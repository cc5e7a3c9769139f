/// The body of a control-protocol ERROR: a stable code and a sentence saying what to do.
package struct ControlFailure: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    package var code: String
    package var message: String
    package init(code: String, message: String) {
        self.code = code
        self.message = message
    }
    package var description: String { "\(code): \(message)" }

    /// The request could not be decoded.
    package static let malformedRequestCode = "MALFORMED_REQUEST"
    /// The node could not write its outbox (disk full, I/O error); nothing of the request was accepted.
    package static let storeFailureCode = "STORE_FAILURE"
    /// The node's disk is full: nothing of the request was accepted; events accepted earlier are safe. Submit
    /// again once space is freed.
    package static let diskFullCode = "DISK_FULL"
    /// The request is larger than the daemon accepts.
    package static let tooLargeCode = "TOO_LARGE"
    /// The node holds no event with the id given (WITHDRAW).
    package static let unknownEventCode = "UNKNOWN_EVENT"
}
