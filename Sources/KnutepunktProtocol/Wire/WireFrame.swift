/// Reading and writing the typed frames of KPN and KPC: big-endian integers, versions and UTF-8 text.
///
/// Every reader checks the frame's length before touching a byte, so no input can trap.
package enum WireFrame {
    package static func bytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    static func bytes(_ value: UInt16) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func bytes(_ version: ProtocolVersion) -> [UInt8] {
        [version.major, version.minor]
    }

    /// The UTF-8 bytes of `text`, cut at a character-scalar boundary so they fit in `maxBytes`.
    static func bytes(_ text: String, truncatedTo maxBytes: Int) -> [UInt8] {
        if text.utf8.count <= maxBytes { return Array(text.utf8) }
        var result: [UInt8] = []
        result.reserveCapacity(maxBytes)
        for scalar in text.unicodeScalars {
            guard result.count + scalar.utf8.count <= maxBytes else { break }
            result += scalar.utf8
        }
        return result
    }

    package static func uint64(_ frame: [UInt8], field: String) throws(WireError) -> UInt64 {
        guard frame.count == 8 else {
            throw WireError(code: .badFrameLength, detail: "\(field) must be 8 bytes, got \(frame.count)")
        }
        return frame.reduce(0) { ($0 << 8) | UInt64($1) }
    }

    static func uint16(_ frame: [UInt8], field: String) throws(WireError) -> UInt16 {
        guard frame.count == 2 else {
            throw WireError(code: .badFrameLength, detail: "\(field) must be 2 bytes, got \(frame.count)")
        }
        return UInt16(frame[0]) << 8 | UInt16(frame[1])
    }

    static func version(_ frame: [UInt8], field: String) throws(WireError) -> ProtocolVersion {
        guard frame.count == 2 else {
            throw WireError(code: .badFrameLength, detail: "\(field) must be 2 bytes, got \(frame.count)")
        }
        return ProtocolVersion(major: frame[0], minor: frame[1])
    }

    static func text(_ frame: [UInt8], field: String, bytes allowed: ClosedRange<Int>) throws(WireError) -> String {
        guard allowed.contains(frame.count) else {
            throw WireError(
                code: .invalidText,
                detail: "\(field) must be \(allowed.lowerBound)...\(allowed.upperBound) bytes, got \(frame.count)"
            )
        }
        guard let text = String(validating: frame, as: UTF8.self) else {
            throw WireError(code: .invalidText, detail: "\(field) is not valid UTF-8")
        }
        return text
    }

    /// Checks that a message has exactly `count` frames (header included).
    static func expect(_ frames: [[UInt8]], count: Int, for name: String) throws(WireError) {
        guard frames.count == count else {
            throw WireError(
                code: .wrongFrameCount,
                detail: "\(name) has \(count) frames, got \(frames.count)"
            )
        }
    }
}
