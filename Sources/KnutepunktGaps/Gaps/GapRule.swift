/// The gap rules of DOMAIN.md §4 (G4 does not exist there). The raw value is the rule's id in findings and keys.
package enum GapRule: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case g1AbsentService = "G1"
    case g2RateShortfall = "G2"
    case g3MissingTier = "G3"
    case g5AgeBandGap = "G5"
    case g6MissingProfession = "G6"
    case g7Evidence = "G7"
    case g8Sustainability = "G8"
    case g9NoLighthouse = "G9"
    case g10Decline = "G10"
    case g11ParentMHFirst = "G11"
    case g12NationalInequity = "G12"
    case g13MissingInfantDay = "G13"
    case d1StaleNode = "D1"

    /// The rule's name in DOMAIN.md, e.g. `ABSENT_SERVICE`.
    package var name: String {
        switch self {
        case .g1AbsentService: "ABSENT_SERVICE"
        case .g2RateShortfall: "RATE_SHORTFALL"
        case .g3MissingTier: "MISSING_TIER"
        case .g5AgeBandGap: "AGE_BAND_GAP"
        case .g6MissingProfession: "MISSING_PROFESSION"
        case .g7Evidence: "EVIDENCE"
        case .g8Sustainability: "SUSTAINABILITY"
        case .g9NoLighthouse: "NO_LIGHTHOUSE"
        case .g10Decline: "DECLINE"
        case .g11ParentMHFirst: "PARENT_MH_FIRST"
        case .g12NationalInequity: "NATIONAL_INEQUITY"
        case .g13MissingInfantDay: "MISSING_INFANT_DAY"
        case .d1StaleNode: "STALE_NODE"
        }
    }

    /// True for the rules a stale region's "no data" suppresses (G1–G5): they would read missing reports as missing
    /// services.
    package var isSuppressedByStaleData: Bool {
        switch self {
        case .g1AbsentService, .g2RateShortfall, .g3MissingTier, .g5AgeBandGap: true
        default: false
        }
    }

    /// Order of the cases (D1 first, then G1…G13), for sorting findings.
    package var order: Int {
        self == .d1StaleNode ? 0 : (Self.allCases.firstIndex(of: self) ?? 0) + 1
    }

    package static func < (lhs: GapRule, rhs: GapRule) -> Bool { lhs.order < rhs.order }
}
