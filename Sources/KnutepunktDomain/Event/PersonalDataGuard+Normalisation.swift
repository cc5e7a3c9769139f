import Foundation

// How the privacy guard reads text that is not plain ASCII (DOMAIN.md §5): normalised, so that no invisible
// character or compatibility form keeps an identity number from being recognised.
extension PersonalDataGuard {
    /// `text` as the guard reads it: Unicode NFKC (fullwidth and mathematical digits, superscripts, a no-break space
    /// or a fullwidth hyphen become their plain forms), then every character that is invisible or only modifies its
    /// neighbour removed: format characters (general category Cf: zero-width space, non-joiner and joiner, word
    /// joiner, soft hyphen, left-to-right and right-to-left marks, bidirectional embeddings and isolates, byte order
    /// mark…), the other default-ignorable code points (variation selectors, fillers) and combining marks. Used only to
    /// look for numbers; the event keeps its text as written.
    package static func normalised(_ text: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCompatibilityMapping.unicodeScalars where !isInvisible(scalar) {
            kept.append(scalar)
        }
        return String(kept)
    }

    /// Whether the guard drops `scalar` before it cuts the text into digit runs.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value >= 0x80 else { return false }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .format, .nonspacingMark, .enclosingMark, .spacingMark: return true
        default: return properties.isDefaultIgnorableCodePoint
        }
    }

    /// Whether `text` could hold ten digits once normalised: the shortest identity number has ten. A cheap bound
    /// read before normalising, so that ordinary non-ASCII notes (æ, ø, å and a date) cost one pass.
    ///
    /// An ASCII digit gives one digit. A non-ASCII scalar gives at most ``maximumDigitsPerScalar`` when it is numeric
    /// or lies in a block of compatibility forms (NFKC turns `⑳` into `20`, `㏠` into `1日` and `⅒` into `1⁄10`); any other scalar gives
    /// none. A test checks this bound against NFKC for every scalar of the first three planes.
    static func mayYieldTenDigits(_ text: String) -> Bool {
        var digits = 0
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x30, scalar.value <= 0x39 {
                digits += 1
            } else if scalar.value >= 0x80, mayYieldDigits(scalar) {
                digits += maximumDigitsPerScalar
            }
            if digits >= 10 { return true }
        }
        return false
    }

    /// NFKC never turns one scalar into more digits than this (`⅒` → `1⁄10`).
    static let maximumDigitsPerScalar = 3

    /// Whether NFKC may turn `scalar` (not ASCII) into something holding a digit.
    static func mayYieldDigits(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.numericType != nil { return true }
        switch scalar.value {
        case 0x2070...0x209F,  // superscripts and subscripts
            0x2150...0x218F,  // number forms
            0x2460...0x24FF,  // enclosed alphanumerics
            0x2776...0x2793,  // dingbat circled digits
            0x3200...0x33FF,  // enclosed CJK letters and months, CJK compatibility (㏠ = 1日)
            0xFF00...0xFFEF,  // halfwidth and fullwidth forms
            0x1D7CE...0x1D7FF,  // mathematical digits
            0x1F100...0x1F1FF:  // enclosed alphanumeric supplement (🄁 = 0,)
            return true
        default:
            return false
        }
    }
}
