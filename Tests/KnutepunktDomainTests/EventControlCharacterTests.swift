import KnutepunktSampleNetwork
import Testing

@testable import KnutepunktDomain

/// The byte-level control character check finds exactly what a check of every Unicode scalar finds.
@Suite struct EventControlCharacterTests {
    static func reference(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
            default: false
            }
        }
    }

    @Test(arguments: [
        ("", false), ("Førde", false), ("Bodø\n", true), ("a\u{7F}", true), ("\u{85}x", true), ("\u{A0}", false),
        ("x\u{2027}", false), ("\u{2028}", true), ("\u{202E}evil", true), ("\u{202F}", false), ("\u{2065}", false),
        ("\u{2066}", true), ("\u{2069}", true), ("\u{206A}", false), ("Sámi ᚠ 😀", false), ("\u{2030}", false),
    ])
    func knownTexts(text: String, expected: Bool) {
        #expect(EventValidator.hasControlCharacter(text) == expected)
        #expect(Self.reference(text) == expected)
    }

    @Test func randomTextsAgreeWithTheScalarCheck() {
        // Scalars near every boundary the byte check tests, and some far from them.
        let near: [UInt32] = [
            0x00, 0x1F, 0x20, 0x41, 0x7E, 0x7F, 0x80, 0x9F, 0xA0, 0xC5, 0xF8, 0x7FF, 0x800, 0x2000, 0x2027, 0x2028,
            0x2029, 0x202A, 0x202E, 0x202F, 0x2030, 0x2065, 0x2066, 0x2069, 0x206A, 0x20AC, 0xFFFD, 0x1F600,
        ]
        var random = SampleRandom(seed: 0xC0DE)
        for _ in 0..<20_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<random.int(0...6) {
                let value = random.chance(0.8) ? near[random.int(0...(near.count - 1))] : UInt32(random.int(0...0x2FFF))
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let text = String(scalars)
            #expect(EventValidator.hasControlCharacter(text) == Self.reference(text), "\(Array(text.unicodeScalars))")
        }
    }
}
