/// Finds personal identity numbers in free text, so that no event carrying one leaves a region (DOMAIN.md §5).
///
/// Both the node (before anything is stored) and the hub (a second line of defence) use it. It reports only the
/// kind of number, never the number or where it sits, so a finding can be shown and logged without repeating the
/// personal data.
///
/// The text is read as ``normalised(_:)`` gives it (Unicode NFKC, then format characters such as zero-width spaces,
/// joiners, soft hyphens and direction marks removed), so a number cannot hide behind invisible characters or
/// compatibility forms such as fullwidth digits.
///
/// What counts, after the text is cut into maximal runs of decimal digits (any script's digits):
/// - Norwegian: a run of 11 digits `DDMMYYIIIKK`, or 6 and 5 digits joined by one space, `.` or `-`. The date part
///   must exist (day + 40 for D-numbers, month + 40 for H-numbers, month + 80 for synthetic test numbers) and both
///   mod-11 check digits must hold; the first may leave remainder 0, 1, 2 or 3 (the rule from 2032).
/// - Swedish: a run of 10 digits `YYMMDDNNNC` or 12 digits `CCYYMMDDNNNC`, or 6 + 4 or 8 + 4 digits joined by one
///   `-`, `+` or space. The date must exist (day + 60 for samordningsnummer) and the Luhn check over the 10-digit
///   form must hold.
/// A longer run (a 13-digit reference, an account number written as one block) is never split into candidates, and
/// the date and check digits keep chance hits rare (about 1 in 25 random 11-digit runs has a possible date, and
/// about 1 in 30 of those passes both checks).
package enum PersonalDataGuard {
    /// The kinds of identity number in `text`, each at most once, in the order first found.
    package static func findings(in text: String) -> [PersonalDataKind] {
        // Every digit takes at least one byte in any script and form, and the shortest number has ten: a shorter
        // text (every code, most names) cannot hold one, before or after normalisation.
        if text.utf8.count < 10 { return [] }
        // Most texts are ASCII with few digits: no identity number fits in fewer than ten. Read from contiguous
        // UTF-8 where the string has it (native strings do), as every text of every event passes here.
        func fewASCIIDigits(_ bytes: some Sequence<UInt8>) -> Bool {
            var asciiDigits = 0
            for byte in bytes {
                if byte &- 0x30 < 10 { asciiDigits += 1 } else if byte >= 0x80 { return false }
            }
            return asciiDigits < 10
        }
        if text.utf8.withContiguousStorageIfAvailable(fewASCIIDigits) ?? fewASCIIDigits(text.utf8) { return [] }
        // ASCII text is its own normal form and has no format characters; anything else is normalised first.
        let isASCII = text.utf8.allSatisfy { $0 < 0x80 }
        if !isASCII, !mayYieldTenDigits(text) { return [] }
        let text = isASCII ? text : normalised(text)
        var kinds: [PersonalDataKind] = []
        func add(_ kind: PersonalDataKind) {
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        let runs = digitRuns(in: text)
        for (index, run) in runs.enumerated() {
            switch run.digits.count {
            case 11 where isNorwegianIdentityNumber(run.digits): add(.norwegianIdentityNumber)
            case 10, 12:
                if isSwedishPersonalIdentityNumber(run.digits) { add(.swedishPersonalIdentityNumber) }
            default: break
            }
            guard let separator = run.separatorAfter, index + 1 < runs.count else { continue }
            let next = runs[index + 1].digits
            let joined = run.digits + next
            switch (run.digits.count, next.count) {
            case (6, 5) where separator != .plus && isNorwegianIdentityNumber(joined):
                add(.norwegianIdentityNumber)
            case (6, 4), (8, 4):
                if separator != .dot && isSwedishPersonalIdentityNumber(joined) { add(.swedishPersonalIdentityNumber) }
            default: break
            }
        }
        return kinds
    }

    /// Whether `text` holds any identity number ``findings(in:)`` reports.
    package static func containsPersonalData(_ text: String) -> Bool {
        !findings(in: text).isEmpty
    }

    // MARK: - The number rules

    /// Whether 11 digit values (0...9) form a valid Norwegian fødselsnummer, D-, H- or synthetic number.
    package static func isNorwegianIdentityNumber(_ digits: [UInt8]) -> Bool {
        guard digits.count == 11, digits.allSatisfy({ $0 <= 9 }) else { return false }
        let d = digits.map(Int.init)
        var day = d[0] * 10 + d[1]
        var month = d[2] * 10 + d[3]
        let year = d[4] * 10 + d[5]
        if day > 40 { day -= 40 }  // D-number
        if month > 80 { month -= 80 } else if month > 40 { month -= 40 }  // synthetic, H-number
        guard isPossibleDate(day: day, month: month, twoDigitYear: year) else { return false }
        let first = zip([3, 7, 6, 1, 8, 9, 4, 5, 2], d[0..<9]).reduce(0) { $0 + $1.0 * $1.1 }
        // k1 makes the weighted sum including k1 (weight 1) leave remainder 0; from 2032 also 1, 2 or 3.
        guard (0...3).contains((first + d[9]) % 11) else { return false }
        let second = zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d[0..<10]).reduce(0) { $0 + $1.0 * $1.1 }
        return (second + d[10]) % 11 == 0
    }

    /// Whether 10 (`YYMMDDNNNC`) or 12 (`CCYYMMDDNNNC`) digit values form a valid Swedish personnummer or
    /// samordningsnummer.
    package static func isSwedishPersonalIdentityNumber(_ digits: [UInt8]) -> Bool {
        guard digits.count == 10 || digits.count == 12, digits.allSatisfy({ $0 <= 9 }) else { return false }
        let d = digits.map(Int.init)
        let short: [Int]
        var fullYear: Int? = nil
        if d.count == 12 {
            let century = d[0] * 10 + d[1]
            guard (18...20).contains(century) else { return false }
            fullYear = century * 100 + d[2] * 10 + d[3]
            short = Array(d[2...])
        } else {
            short = d
        }
        let year = short[0] * 10 + short[1]
        let month = short[2] * 10 + short[3]
        var day = short[4] * 10 + short[5]
        if day > 60 { day -= 60 }  // samordningsnummer
        if let fullYear {
            guard (1...12).contains(month), day >= 1, day <= LocalDate.daysInMonth(month, year: fullYear) else {
                return false
            }
        } else {
            guard isPossibleDate(day: day, month: month, twoDigitYear: year) else { return false }
        }
        var sum = 0
        for (index, digit) in short.enumerated() {
            let product = index % 2 == 0 ? digit * 2 : digit
            sum += product > 9 ? product - 9 : product
        }
        return sum % 10 == 0
    }

    /// A date that exists in some century for a two-digit year (29 February whenever the year is divisible by 4).
    private static func isPossibleDate(day: Int, month: Int, twoDigitYear: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leapYear = twoDigitYear % 4 == 0 ? 2000 : 2001
        return day <= LocalDate.daysInMonth(month, year: month == 2 ? leapYear : 2001)
    }

    // MARK: - Cutting text into digit runs

    enum Separator: Equatable {
        case space, dot, hyphen, plus
    }

    struct DigitRun {
        var digits: [UInt8]
        /// The single separator that joins this run to the next one, if exactly one sits between them.
        var separatorAfter: Separator?
    }

    /// Maximal runs of decimal digits, each with the one separator character (if any) that links it to the next.
    static func digitRuns(in text: String) -> [DigitRun] {
        var runs: [DigitRun] = []
        var current: [UInt8] = []
        // A separator seen right after a run; it links only if a digit follows immediately.
        var pendingSeparator: Separator? = nil
        var afterSeparator = false
        for scalar in text.unicodeScalars {
            if let digit = digitValue(scalar) {
                if current.isEmpty, afterSeparator, let separator = pendingSeparator, !runs.isEmpty {
                    runs[runs.count - 1].separatorAfter = separator
                }
                pendingSeparator = nil
                afterSeparator = false
                current.append(digit)
                continue
            }
            if !current.isEmpty {
                runs.append(DigitRun(digits: current, separatorAfter: nil))
                current = []
                pendingSeparator = separator(scalar)
                afterSeparator = pendingSeparator != nil
            } else {
                pendingSeparator = nil
                afterSeparator = false
            }
        }
        if !current.isEmpty { runs.append(DigitRun(digits: current, separatorAfter: nil)) }
        return runs
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt8? {
        if scalar.value >= 0x30, scalar.value <= 0x39 { return UInt8(scalar.value - 0x30) }
        guard scalar.value >= 0x80, scalar.properties.numericType == .decimal,
            let value = scalar.properties.numericValue, value >= 0, value <= 9
        else { return nil }
        return UInt8(value)
    }

    private static func separator(_ scalar: Unicode.Scalar) -> Separator? {
        switch scalar {
        case ".": .dot
        case "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}": .hyphen
        case "+": .plus
        default: scalar.properties.isWhitespace ? .space : nil
        }
    }
}
