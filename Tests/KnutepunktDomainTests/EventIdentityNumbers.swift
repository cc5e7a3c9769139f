import KnutepunktTesting

/// Makes valid Norwegian and Swedish identity numbers for the privacy-guard tests, computed from the rules in
/// DOMAIN.md §5 independently of the guard's own code.
enum EventIdentityNumbers {
    enum NorwegianVariant: CaseIterable, Sendable {
        case birthNumber, dNumber, hNumber, synthetic
    }

    static let firstWeights = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    static let secondWeights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]

    /// The 11 digits, or nil when no first check digit gives `remainder` (it would be 10) or the second would be 10.
    static func norwegian(
        day: Int,
        month: Int,
        year: Int,
        individual: Int,
        variant: NorwegianVariant,
        remainder: Int = 0
    ) -> String? {
        let dd = day + (variant == .dNumber ? 40 : 0)
        let mm = month + (variant == .hNumber ? 40 : variant == .synthetic ? 80 : 0)
        var digits = [dd / 10, dd % 10, mm / 10, mm % 10, year / 10 % 10, year % 10]
        digits += [individual / 100 % 10, individual / 10 % 10, individual % 10]
        let s1 = zip(firstWeights, digits).map(*).reduce(0, +)
        let k1 = ((remainder - s1) % 11 + 11) % 11
        guard k1 < 10 else { return nil }
        digits.append(k1)
        let s2 = zip(secondWeights, digits).map(*).reduce(0, +)
        let k2 = (11 - s2 % 11) % 11
        guard k2 < 10 else { return nil }
        digits.append(k2)
        return digits.map(String.init).joined()
    }

    /// A random valid Norwegian number of `variant` whose first check digit leaves `remainder`.
    static func randomNorwegian(
        _ variant: NorwegianVariant,
        remainder: Int = 0,
        using random: inout SplitMix64
    ) -> String {
        while true {
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...28, using: &random)
            if let number = norwegian(
                day: day,
                month: month,
                year: Int.random(in: 0...99, using: &random),
                individual: Int.random(in: 0...999, using: &random),
                variant: variant,
                remainder: remainder
            ) {
                return number
            }
        }
    }

    /// The 10 digits `YYMMDDNNNC` of a Swedish personnummer (samordningsnummer: day + 60).
    static func swedish(year: Int, month: Int, day: Int, serial: Int, coordination: Bool = false) -> String {
        let dd = day + (coordination ? 60 : 0)
        let digits = [
            year / 10 % 10, year % 10, month / 10, month % 10, dd / 10, dd % 10, serial / 100 % 10, serial / 10 % 10,
            serial % 10,
        ]
        var sum = 0
        for (index, digit) in digits.enumerated() {
            let product = index % 2 == 0 ? digit * 2 : digit
            sum += product / 10 + product % 10
        }
        return (digits + [(10 - sum % 10) % 10]).map(String.init).joined()
    }

    static func randomSwedish(coordination: Bool = false, using random: inout SplitMix64) -> String {
        swedish(
            year: Int.random(in: 0...99, using: &random),
            month: Int.random(in: 1...12, using: &random),
            day: Int.random(in: 1...28, using: &random),
            serial: Int.random(in: 0...999, using: &random),
            coordination: coordination
        )
    }

    /// `number` with its last digit changed, which breaks the last check digit.
    static func withWrongLastDigit(_ number: String) -> String {
        let last = Int(String(number.last!))!
        return String(number.dropLast()) + String((last + 1) % 10)
    }
}
