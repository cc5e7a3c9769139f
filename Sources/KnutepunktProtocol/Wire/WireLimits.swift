/// The size limits of KPN/1, shared by the codec and by whoever validates configuration (node and hub ids).
package enum WireLimits {
    /// Node ids are 1...64 bytes of `A`–`Z`, `0`–`9` and `-`.
    package static let nodeIDBytes = 1...64
    /// Hub ids are 1...64 bytes of UTF-8.
    package static let hubIDBytes = 1...64
    /// The software name/version in HELLO; longer strings are truncated when encoded.
    package static let maxSoftwareBytes = 64
    /// The detail text of NACK and ERROR; longer strings are truncated when encoded.
    package static let maxDetailBytes = 4096
    /// The most payloads one EVENT may carry.
    package static let maxPayloadsPerEvent = 1024
    /// The highest usable sequence number. 2^64−1 is never used, so "the next sequence" is always representable.
    package static let maxSequence = UInt64.max - 1

    /// Whether `id` is a valid node id: 1...64 bytes, each `A`–`Z`, `0`–`9` or `-`.
    package static func isValidNodeID(_ id: String) -> Bool {
        isValidNodeID(bytes: Array(id.utf8))
    }

    /// Whether `id` is a valid hub id: 1...64 bytes of UTF-8.
    package static func isValidHubID(_ id: String) -> Bool {
        hubIDBytes.contains(id.utf8.count)
    }

    static func isValidNodeID(bytes: [UInt8]) -> Bool {
        nodeIDBytes.contains(bytes.count)
            && bytes.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-")
            }
    }
}
