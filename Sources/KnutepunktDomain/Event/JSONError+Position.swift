extension JSONError {
    /// Where ``offset`` lies in `input`, as an editor counts: line and column from 1, columns in characters (a
    /// multi-byte UTF-8 character is one column), lines ended by LF, CRLF or CR.
    package func position(in input: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var index = 0
        let end = min(offset, input.count)
        while index < end {
            let byte = input[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte == 0x0D {
                if index + 1 < end, input[index + 1] == 0x0A { index += 1 }
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character.
                column += 1
            }
            index += 1
        }
        return (line, column)
    }

    /// The message with the line and column instead of the byte offset: `line 3, column 14: … [CODE]`.
    package func located(in input: [UInt8]) -> String {
        let (line, column) = position(in: input)
        return "line \(line), column \(column): \(message) [\(code)]"
    }
}
