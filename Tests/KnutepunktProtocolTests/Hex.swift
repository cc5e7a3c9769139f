/// Hex literals for golden byte vectors: "4B50 0101" → [0x4B, 0x50, 0x01, 0x01]. Spaces are ignored.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        precondition(digits.count % 2 == 0, "odd number of hex digits in \(text)")
        return stride(from: 0, to: digits.count, by: 2).map { index in
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else {
                preconditionFailure("not hex: \(text)")
            }
            return byte
        }
    }

    static func frames(_ texts: [String]) -> [[UInt8]] {
        texts.map(bytes)
    }

    static func string(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let text = String(byte, radix: 16, uppercase: true)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }
}
