import Foundation

extension UUID {
    /// A new version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random bits.
    ///
    /// The node gives every event without an id one of these. Ids made later sort later, so the stores' unique
    /// indexes on event ids (the node's outbox, the hub's events) grow at their right edge instead of at a random
    /// page: a random (version 4) id dirties a different index page for nearly every event once the index is larger
    /// than the page cache, and the commit then writes all of those pages.
    package static func timeOrdered(at date: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        return timeOrdered(at: date, using: &random)
    }

    /// ``timeOrdered(at:)`` with the random bits from `generator` (reproducible ids for tests and benchmarks).
    package static func timeOrdered<Generator: RandomNumberGenerator>(
        at date: Date,
        using generator: inout Generator
    ) -> UUID {
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let high = generator.next()
        let low = generator.next()
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            for index in 0..<6 { raw[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
            raw[6] = 0x70 | UInt8(truncatingIfNeeded: high & 0x0F)  // version 7, then 12 random bits
            raw[7] = UInt8(truncatingIfNeeded: high >> 8)
            raw[8] = 0x80 | UInt8(truncatingIfNeeded: low & 0x3F)  // RFC 9562 variant, then 62 random bits
            for index in 9..<16 { raw[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
        }
        return UUID(uuid: bytes)
    }
}
