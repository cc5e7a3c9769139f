import Foundation

extension UUID {
    /// The UUID as Knutepunkt writes it everywhere (payloads, stores, messages): 36 lowercase characters grouped
    /// 8-4-4-4-12. Formatted directly: Foundation's `uuidString` goes through `snprintf` and then needs
    /// lowercasing, and the hub and the node write one for every event they store.
    package var lowercasedText: String {
        let hex: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { buffer in
                hex.withUTF8Buffer { digits in
                    var out = 0
                    for (index, byte) in raw.enumerated() {
                        if index == 4 || index == 6 || index == 8 || index == 10 {
                            buffer[out] = UInt8(ascii: "-")
                            out += 1
                        }
                        buffer[out] = digits[Int(byte >> 4)]
                        buffer[out + 1] = digits[Int(byte & 0x0F)]
                        out += 2
                    }
                    return out
                }
            }
        }
    }
}
