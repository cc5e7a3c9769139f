import Foundation
import KnutepunktDomain
import Testing

@Suite struct EventTimeOrderedIDTests {
    @Test func carriesTheVersionTheVariantAndTheMillisecond() {
        // 2026-12-01T00:00:00.123Z = 1,796,083,200,123 ms since 1970.
        let date = Date(timeIntervalSince1970: 1_796_083_200.123)
        let id = UUID.timeOrdered(at: date)
        let text = id.lowercasedText
        let milliseconds = UInt64(text.prefix(8) + text.dropFirst(9).prefix(4), radix: 16)
        #expect(milliseconds == 1_796_083_200_123)
        #expect(Array(text)[14] == "7")
        #expect(["8", "9", "a", "b"].contains(Array(text)[19]))
        #expect(UUID(uuidString: text) == id)
    }

    @Test func laterIdsSortLaterAndIdsOfOneMillisecondDiffer() {
        let start = Date(timeIntervalSince1970: 1_796_083_200)
        var ids: [String] = []
        for step in 0..<1_000 {
            ids.append(UUID.timeOrdered(at: start.addingTimeInterval(Double(step) / 100)).lowercasedText)
        }
        // 10 ms apart: strictly increasing as text, which is how the stores index them.
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        let sameInstant = (0..<1_000).map { _ in UUID.timeOrdered(at: start) }
        #expect(Set(sameInstant).count == 1_000)
    }

    @Test func aSeededGeneratorGivesTheSameIds() {
        struct Counter: RandomNumberGenerator {
            var state: UInt64 = 0
            mutating func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                return state
            }
        }
        var first = Counter()
        var second = Counter()
        let date = Date(timeIntervalSince1970: 1_796_083_200)
        #expect(UUID.timeOrdered(at: date, using: &first) == UUID.timeOrdered(at: date, using: &second))
        #expect(
            UUID.timeOrdered(at: date, using: &first)
                != UUID.timeOrdered(at: date.addingTimeInterval(1), using: &second)
        )
    }
}
