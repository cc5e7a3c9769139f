/// An access file that cannot be read or has a bad line, with a message that names the place and the fix.
package struct AccessFileError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String

    package init(message: String) { self.message = message }

    package var description: String { "BAD_ACCESS_FILE: \(message)" }
}
