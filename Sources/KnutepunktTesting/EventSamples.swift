import Foundation
import KnutepunktDomain

/// Valid events and the validator setups the event tests share.
package enum EventSamples {
    /// The "today" of every validation in these tests, so they do not depend on the clock.
    package static let today = LocalDate(iso: "2026-06-15")!
    package static let validator = EventValidator(taxonomy: EventTestTaxonomy.taxonomy)
    package static let fixedID = UUID(uuidString: "1b4e28ba-2fa1-41d2-883f-0016d3cca427")!
    /// A node daemon for NO-VEST whose default local node is Fonna, making ids deterministically.
    package static let nodeDefaults = EventDefaults(region: "NO-VEST", node: "NO-VEST-FONNA", makeID: { fixedID })

    /// A complete, valid event as the hub receives it (every member given).
    package static var complete: JSONObject {
        JSONObject([
            ("id", "6fa459ea-ee8a-4ca4-894e-db77e160355e"),
            ("schema", 1),
            ("region", "NO-VEST"),
            ("node", "NO-VEST-FONNA"),
            ("kind", "TRAINING"),
            ("date", "2026-03-12"),
            ("municipality", "1106"),
            ("target_groups", ["PND", "PAR_MH"]),
            ("programmes", ["COS_P"]),
            ("tier", "S"),
            ("age_bands", ["M3_12"]),
            ("professions", ["PHN", "PSYCH", "GP"]),
            ("participants", 14),
            ("families", 0),
            ("sessions", 2),
            ("funding", "PERMANENT"),
            ("note", "COS-P group leader training for public health nurses, Haugesund"),
        ])
    }

    /// `complete` changed by `edit`.
    package static func complete(_ edit: (inout JSONObject) -> Void) -> JSONValue {
        var object = complete
        edit(&object)
        return .object(object)
    }

    /// The issues of validating `value` (empty when valid).
    package static func issues(
        _ value: JSONValue,
        defaults: EventDefaults = .hub,
        today: LocalDate = EventSamples.today
    ) -> [ValidationIssue] {
        switch validator.validate(value, defaults: defaults, today: today) {
        case .success: []
        case .failure(let failure): failure.issues
        }
    }

    /// A random valid event (for round trips and fuzz seeds).
    package static func random(using random: inout SplitMix64) -> ActivityEvent {
        let taxonomy = EventTestTaxonomy.taxonomy
        let node = taxonomy.nodes.randomElement(using: &random)!
        func some(_ codes: [String], max: Int) -> [String] {
            Array(codes.shuffled(using: &random).prefix(Int.random(in: 1...max, using: &random)))
        }
        let groups = taxonomy.codes(of: .targetGroup).filter { $0 != "ALL" }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &random) }
        let id = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
        let notes: [String?] = [
            nil, "Gruppe for fedre, Bodø", "Kurs «COS-P» – vår 2026 \"pilot\" \\ ok", "", "Æøå 👶🏽",
        ]
        return ActivityEvent(
            id: id,
            region: node.region,
            node: node.code,
            kind: taxonomy.codes(of: .kind).randomElement(using: &random)!,
            date: EventValidator.earliestDate.adding(
                days: Int.random(in: 0...EventValidator.earliestDate.days(to: today), using: &random)
            ),
            municipality: Bool.random(using: &random)
                ? String(format: "%04d", Int.random(in: 101...5_444, using: &random)) : nil,
            targetGroups: Bool.random(using: &random) ? ["ALL"] : some(groups, max: 4),
            programmes: Array(
                some(taxonomy.codes(of: .programme), max: 3).prefix(Int.random(in: 0...3, using: &random))
            ),
            tier: taxonomy.codes(of: .tier).randomElement(using: &random)!,
            ageBands: some(taxonomy.codes(of: .ageBand), max: 5),
            professions: some(taxonomy.codes(of: .profession), max: 6),
            participants: Int.random(in: 0...1_000_000, using: &random),
            families: Int.random(in: 0...500, using: &random),
            sessions: Int.random(in: 0...40, using: &random),
            funding: taxonomy.codes(of: .funding).randomElement(using: &random)!,
            note: notes.randomElement(using: &random)!
        )
    }
}
