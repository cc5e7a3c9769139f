import Foundation

/// A small, valid taxonomy file for tests that break one thing at a time (`replacing(_:with:)`).
enum SmallTaxonomy {
    static let text = """
        countries:
          - code: "NO"
            name: Norway
            births: {value: 1000, year: 2023, source: "test figure", estimate: false}
        regions:
          - code: NO-VEST
            name: Helse Vest
            country: "NO"
            centre: RKBU Vest (Bergen)
            counties: [Rogaland, Vestland]
            births:
              value: 1000
              year: 2023
              source: "test estimate"
              estimate: true
        nodes:
          - {code: NO-VEST-FONNA, region: NO-VEST, name: Helse Fonna, town: Haugesund}
        kinds:
          - {code: TRAINING, name: Training}
        targetGroups:
          - {code: ALL, name: Universal, exclusive: true}
          - {code: PND, name: Perinatal depression}
        tiers:
          - {code: U, name: Universal}
          - {code: S, name: Selective}
        ageBands:
          - {code: M0_3, name: 0–3 months}
        professions:
          - {code: GP, name: General practitioner}
          - {code: PHN, name: Public health nurse}
        professionGroups:
          PHYSICIAN_ANY: [GP]
        funding:
          - {code: PERMANENT, name: Permanent funding}
        programmes:
          - code: NBO
            name: Newborn Behavioral Observations
            tiers: [U]
            ageBands: [M0_3]
            targetGroups: [PND]
            dyadic: true
            ratings:
              - {system: CEBC, rating: "2"}

        """

    /// The text with `old` (which must occur) replaced by `new`.
    static func replacing(_ old: String, with new: String) -> String {
        precondition(text.contains(old), "SmallTaxonomy has no \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }
}
