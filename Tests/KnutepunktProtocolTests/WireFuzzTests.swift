import KnutepunktDomain
import KnutepunktTesting
import Testing

@testable import KnutepunktProtocol

/// Throws random and mutated frame sets at the decoders. A trap fails the whole test process, so "did not crash" is
/// the main assertion; on top, anything the decoder accepts must encode back to exactly the same frames.
@Suite struct WireFuzzTests {
    /// 200,000 in every test run; `make fuzz` sets KNUTEPUNKT_FUZZ_ITERATIONS for a long run (and seed with
    /// KNUTEPUNKT_FUZZ_SEED, so a long run explores new inputs).
    static let iterations = FuzzSettings.iterations(default: 200_000)

    @Test func decodeNeverTrapsAndAcceptedInputRoundTrips() {
        var random = SplitMix64(seed: FuzzSettings.seed(default: 0x4B50_4E31))
        let seeds = WireCodecTests.samples.filter { message in
            // The 1024-payload sample would make every mutation of it slow; the others cover EVENT.
            if case .events(let batch) = message { return batch.payloads.count < 8 }
            return true
        }.map(WireCodec.encode)
        var accepted = 0
        var refused: [String: Int] = [:]
        for iteration in 0..<Self.iterations {
            let frames =
                iteration % 4 == 0
                ? Self.randomFrames(using: &random)
                : Self.mutate(seeds.randomElement(using: &random)!, using: &random)
            do {
                let message = try WireCodec.decode(frames)
                accepted += 1
                if WireCodec.encode(message) != frames {
                    Issue.record("accepted frames do not round-trip: \(frames.map(Hex.string)) → \(message)")
                    return
                }
            } catch {
                refused[error.code.rawValue, default: 0] += 1
            }
        }
        // The mix must exercise both sides, or the fuzzer is not reaching the decoder's depths.
        #expect(accepted > Self.iterations / 50)
        #expect(refused.count >= 9, "refusal codes seen: \(refused)")
    }

    @Test func controlDecodeNeverTraps() {
        var random = SplitMix64(seed: 0x4B43_3031)
        let seeds = ControlCommand.allCases.map { ControlCodec.encode(.init(command: $0, text: "{\"a\":[1,2]}")) }
        var accepted = 0
        for iteration in 0..<Self.iterations / 4 {
            var frames =
                iteration % 4 == 0
                ? Self.randomFrames(using: &random)
                : Self.mutate(seeds.randomElement(using: &random)!, using: &random)
            if iteration % 8 == 1, !frames.isEmpty { frames[0] = [0x4B, 0x43] + frames[0].dropFirst(2) }
            if let message = try? ControlCodec.decode(frames) {
                accepted += 1
                #expect(ControlCodec.encode(message) == frames)
            }
        }
        #expect(accepted > 0)
    }

    /// Random frames, with a header that looks right often enough to get past the first checks.
    static func randomFrames(using random: inout SplitMix64) -> [[UInt8]] {
        let count =
            random.chance(0.01) ? Int.random(in: 1020...1030, using: &random) : Int.random(in: 0...6, using: &random)
        var frames = (0..<count).map { _ in randomBytes(Int.random(in: 0...12, using: &random), using: &random) }
        if !frames.isEmpty, random.chance(0.7) {
            frames[0] = [
                0x4B, 0x50, random.chance(0.9) ? 1 : UInt8.random(in: 0...255, using: &random),
                UInt8.random(in: 0...9, using: &random),
            ]
        }
        return frames
    }

    /// One to three edits of a valid message: the inputs closest to valid are where decoders go wrong.
    static func mutate(_ original: [[UInt8]], using random: inout SplitMix64) -> [[UInt8]] {
        var frames = original
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let index = frames.isEmpty ? 0 : Int.random(in: 0..<frames.count, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0 where !frames.isEmpty && !frames[index].isEmpty:
                let at = Int.random(in: 0..<frames[index].count, using: &random)
                frames[index][at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
            case 1 where !frames.isEmpty && !frames[index].isEmpty:
                let at = Int.random(in: 0..<frames[index].count, using: &random)
                frames[index][at] = [0x00, 0xFF, 0x7F, 0x80, 0xC0, 0xED, 0x41, 0x61].randomElement(using: &random)!
            case 2 where !frames.isEmpty:
                frames[index] = Array(frames[index].prefix(Int.random(in: 0...frames[index].count, using: &random)))
            case 3 where !frames.isEmpty:
                frames[index] += randomBytes(Int.random(in: 1...4, using: &random), using: &random)
            case 4 where !frames.isEmpty:
                frames.remove(at: index)
            case 5 where !frames.isEmpty:
                frames.insert(frames[index], at: index)
            case 6:
                frames.insert(randomBytes(Int.random(in: 0...9, using: &random), using: &random), at: index)
            case 7 where frames.count > 1:
                frames.swapAt(index, Int.random(in: 0..<frames.count, using: &random))
            case 8 where !frames.isEmpty && frames[0].count == 4:
                frames[0][3] = UInt8.random(in: 0...9, using: &random)
            case 9 where frames.count > 1:
                // Sequence-shaped values near the edges: 0, 1, 2^64−2, 2^64−1.
                let value = [0, 1, UInt64.max - 1, UInt64.max].randomElement(using: &random)!
                frames[1] = WireFrame.bytes(value)
            default:
                frames.append(randomBytes(Int.random(in: 0...3, using: &random), using: &random))
            }
        }
        return frames
    }

    static func randomBytes(_ count: Int, using random: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }
}
