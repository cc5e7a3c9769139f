import Foundation
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

/// The privacy guard reads text normalised (NFKC, invisible characters removed), so a number hidden behind a
/// zero-width space, a soft hyphen, a direction mark or fullwidth digits is still found (DOMAIN.md §5).
@Suite("Privacy guard: normalised text")
struct PrivacyGuardNormalisationTests {
    typealias Numbers = EventIdentityNumbers

    /// Characters a writer cannot see: format characters (Cf) and other default-ignorable or combining ones.
    static let invisible: [Unicode.Scalar] = [
        "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{00AD}", "\u{200E}", "\u{200F}", "\u{202A}", "\u{202C}",
        "\u{202D}", "\u{2066}", "\u{2069}", "\u{FEFF}", "\u{180E}", "\u{061C}", "\u{034F}", "\u{FE0F}", "\u{0301}",
        "\u{20E3}", "\u{E0001}",
    ]

    @Test(
        "the issue's case and its relatives are refused",
        arguments: [
            "15\u{200B}108695088", "1510869\u{200D}5088", "151086\u{00AD}95088", "\u{200E}15108695088\u{200F}",
            "1\u{2060}5\u{2060}1\u{2060}0\u{2060}8\u{2060}6\u{2060}9\u{2060}5\u{2060}0\u{2060}8\u{2060}8",
            "１５１０８６９５０８８",  // fullwidth digits
            "151086－95088",  // fullwidth hyphen
            "151086\u{202F}95088",  // narrow no-break space
            "𝟏𝟓𝟏𝟎𝟖𝟔𝟗𝟓𝟎𝟖𝟖",  // mathematical bold digits
            "mor: 15108695088\u{FEFF}",
        ]
    )
    func knownHidingPlaces(_ text: String) {
        #expect(PersonalDataGuard.findings(in: text) == [.norwegianIdentityNumber])
    }

    @Test("Swedish numbers behind invisible characters are refused")
    func swedishHidden() {
        #expect(PersonalDataGuard.findings(in: "880320\u{200B}-0016") == [.swedishPersonalIdentityNumber])
        #expect(PersonalDataGuard.findings(in: "8803\u{00AD}20-00\u{200C}16") == [.swedishPersonalIdentityNumber])
        #expect(PersonalDataGuard.findings(in: "８８０３２０－００１６") == [.swedishPersonalIdentityNumber])
    }

    @Test("fuzz: invisible characters inserted anywhere into valid numbers never hide them")
    func fuzzInvisibleInsertions() {
        let iterations = FuzzSettings.iterations(default: 2_000)
        var random = SplitMix64(seed: FuzzSettings.seed(default: 0x200B))
        for round in 0..<iterations {
            let norwegian = round % 2 == 0
            let number =
                norwegian
                ? Numbers.randomNorwegian(Numbers.NorwegianVariant.allCases[round / 2 % 4], using: &random)
                : Numbers.randomSwedish(coordination: round % 3 == 0, using: &random)
            let written = norwegian || round % 4 == 1 ? number : "\(number.prefix(6))-\(number.dropFirst(6))"
            // One to four invisible characters at random positions, some of them next to each other.
            var scalars = Array(written.unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0...scalars.count, using: &random)
                scalars.insert(Self.invisible.randomElement(using: &random)!, at: position)
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            let hidden = "Notat: " + String(text) + " (ferdig)"
            let expected: [PersonalDataKind] = norwegian ? [.norwegianIdentityNumber] : [.swedishPersonalIdentityNumber]
            #expect(PersonalDataGuard.findings(in: hidden) == expected, "round \(round): \(hidden.debugDescription)")
            // And a wrong check digit stays no number, invisible characters or not.
            let wrong = Numbers.withWrongLastDigit(number)
            var wrongScalars = Array(wrong.unicodeScalars)
            wrongScalars.insert(Self.invisible.randomElement(using: &random)!, at: wrongScalars.count / 2)
            var wrongText = String.UnicodeScalarView()
            wrongText.append(contentsOf: wrongScalars)
            #expect(PersonalDataGuard.findings(in: String(wrongText)).isEmpty)
        }
    }

    @Test("fuzz: compatibility forms of the digits are read as digits")
    func fuzzCompatibilityDigits() {
        // Fullwidth, mathematical (bold, double-struck, sans-serif, monospace) and Arabic-Indic digit zeros.
        let zeros: [UInt32] = [0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7F6, 0x0660]
        var random = SplitMix64(seed: FuzzSettings.seed(default: 0xFF10))
        for round in 0..<FuzzSettings.iterations(default: 500) {
            let number = Numbers.randomNorwegian(.birthNumber, using: &random)
            var text = String.UnicodeScalarView()
            for character in number {
                let digit = UInt32(character.wholeNumberValue!)
                // Each digit in a randomly chosen form (ASCII included).
                let zero = Int.random(in: 0...zeros.count, using: &random)
                text.append(
                    zero == zeros.count ? character.unicodeScalars.first! : Unicode.Scalar(zeros[zero] + digit)!
                )
            }
            #expect(PersonalDataGuard.findings(in: String(text)) == [.norwegianIdentityNumber], "round \(round)")
        }
    }

    @Test("ordinary Norwegian text is not changed in meaning and finds nothing")
    func ordinaryText() {
        for text in ["Foreldregruppe på Førde sjukehus, 12 deltakarar", "Møte 2026-03-12 kl. 09.00 – ½ dag", "①②③"] {
            #expect(PersonalDataGuard.findings(in: text).isEmpty)
        }
        #expect(PersonalDataGuard.normalised("Bl\u{00AD}å\u{200B}bær") == "Blåbær")
    }

    @Test("the cheap bound read before normalising holds for every scalar of the first three planes")
    func digitYieldBound() {
        var unbounded: [String] = []
        for value in UInt32(0x80)...0x2FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let normalised = String(Character(scalar)).precomposedStringWithCompatibilityMapping
            let digits = normalised.unicodeScalars.filter { $0.properties.numericType == .decimal }.count
            guard digits > 0 else { continue }
            if !PersonalDataGuard.mayYieldDigits(scalar) || digits > PersonalDataGuard.maximumDigitsPerScalar {
                unbounded.append(String(value, radix: 16))
            }
        }
        #expect(unbounded.isEmpty, "scalars NFKC turns into digits beyond the bound: \(unbounded.prefix(20))")
    }
}
