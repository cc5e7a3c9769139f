extension JSONValue {
    /// Parses one JSON text (RFC 8259) strictly. Total: any input either parses or throws, nothing traps.
    ///
    /// See ``JSONParser`` for what "strict" refuses. Errors carry the byte offset and never quote the input.
    package static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes)
        return try parser.parseDocument()
    }

    /// Parses the UTF-8 bytes of `text`.
    package static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
