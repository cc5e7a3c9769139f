/// One evidence band derived from a programme's ratings by the rules in DOMAIN.md §3, so gap rule G7 can ask
/// "is this programme evidence-based?" without knowing each rating system's scale.
///
/// The rules (per rating):
/// - **EB**: Ungsinn ≥ 4, CEBC ≤ 2, EIF ≥ 3 (`3`, `3+`, `4`, `4+`), Blueprints `Promising`, `Model` or `Model Plus`;
/// - **EMERGING**: Ungsinn 3, CEBC 3, EIF 2 (`2`, `2+`);
/// - **THEORY**: Ungsinn 1–2, CEBC `NR` (not able to be rated);
/// - **NOT_EFFECTIVE**: Ungsinn 0, CEBC 4–5;
/// - **UNRATED**: no rating by a system the rules name.
///
/// Ratings by other systems (SBU, US HomVEE, a single trial `RCT`, …) are kept side by side in the catalogue but do
/// not count. When a programme's ratings point to different bands, the band with the highest **precedence** wins:
///
///     EB > EMERGING > NOT_EFFECTIVE > THEORY > UNRATED
///
/// Why this order: a positive finding of effect from any of the named clearinghouses is what G7 needs to know, so
/// the best effect rating counts (EB beats EMERGING). Below that, a documented lack of effect (Ungsinn 0, CEBC 4–5)
/// is stronger information than a programme being only well described or theoretically grounded, so NOT_EFFECTIVE
/// beats THEORY. `Comparable` follows this precedence (`.unrated < .theory < .notEffective < .emerging < .eb`).
package enum EvidenceBand: String, Sendable, Hashable, CaseIterable, Comparable {
    case eb = "EB"
    case emerging = "EMERGING"
    case theory = "THEORY"
    case notEffective = "NOT_EFFECTIVE"
    case unrated = "UNRATED"

    /// The rating systems the rules name, by the code used in the taxonomy's `ratings[].system`.
    package static let ruledSystems: [String] = ["UNGSINN", "CEBC", "EIF", "BLUEPRINTS"]

    /// Higher wins when ratings disagree.
    package var precedence: Int {
        switch self {
        case .unrated: 0
        case .theory: 1
        case .notEffective: 2
        case .emerging: 3
        case .eb: 4
        }
    }

    package static func < (lhs: EvidenceBand, rhs: EvidenceBand) -> Bool {
        lhs.precedence < rhs.precedence
    }

    /// The band one rating supports; nil when the system is not one the rules name, or the rating is not on that
    /// system's scale (see `scale(of:)`).
    package static func of(system: String, rating: String) -> EvidenceBand? {
        let value = rating.trimmed
        switch system.uppercased() {
        case "UNGSINN":
            switch Int(value) {
            case 0: return .notEffective
            case 1, 2: return .theory
            case 3: return .emerging
            case 4, 5: return .eb
            default: return nil
            }
        case "CEBC":
            if ["NR", "NOT RATED", "NOT ABLE TO BE RATED"].contains(value.uppercased()) { return .theory }
            switch Int(value) {
            case 1, 2: return .eb
            case 3: return .emerging
            case 4, 5: return .notEffective
            default: return nil
            }
        case "EIF":
            // Foundations (formerly EIF) levels 2, 3 and 4, each possibly with a "+".
            let level = value.hasSuffix("+") ? String(value.dropLast()) : value
            switch Int(level) {
            case 2: return .emerging
            case 3, 4: return .eb
            default: return nil
            }
        case "BLUEPRINTS":
            switch value.lowercased() {
            case "promising", "model", "model plus", "model+": return .eb
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The values a ruled system's ratings may take, for error messages; nil for systems the rules don't name.
    package static func scale(of system: String) -> String? {
        switch system.uppercased() {
        case "UNGSINN": "0 to 5 (0 ineffective … 5 strong documentation of effect)"
        case "CEBC": "1 to 5 (1 well-supported … 5 concerning practice) or NR (not able to be rated)"
        case "EIF": "2, 2+, 3, 3+, 4 or 4+"
        case "BLUEPRINTS": "Promising, Model or Model Plus"
        default: nil
        }
    }
}

extension Taxonomy.Rating {
    /// The band this rating supports on its own; nil when its system does not count or the value is off its scale.
    package var evidenceBand: EvidenceBand? {
        EvidenceBand.of(system: system, rating: rating)
    }
}

extension Taxonomy.Programme {
    /// The programme's evidence band: the highest-precedence band among its ratings by the systems the rules name
    /// (`EB > EMERGING > NOT_EFFECTIVE > THEORY > UNRATED`, see `EvidenceBand`); `.unrated` when none counts.
    package var evidenceBand: EvidenceBand {
        ratings.compactMap(\.evidenceBand).max() ?? .unrated
    }
}

extension String {
    fileprivate var trimmed: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
