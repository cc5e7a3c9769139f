/// One KPC/1 message: a command and its UTF-8 JSON body. The JSON itself is built and parsed elsewhere.
package struct ControlMessage: Hashable, Sendable {
    package var command: ControlCommand
    /// UTF-8 JSON text.
    package var body: [UInt8]

    package init(command: ControlCommand, body: [UInt8]) {
        self.command = command
        self.body = body
    }

    package init(command: ControlCommand, text: String) {
        self.init(command: command, body: Array(text.utf8))
    }

    /// The body as text. Decoded messages are valid UTF-8; anything else is repaired with U+FFFD.
    package var text: String {
        String(decoding: body, as: UTF8.self)
    }
}
