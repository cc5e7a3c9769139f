import KnutepunktDomain

/// The activity form as the page builds it: every field's choices from the taxonomy, with English and bokmål
/// labels, the local nodes of the node's region, and the limits the validator applies. Retired codes are left out
/// (an activity may still use one until its grace period ends, but a new one should not be offered).
struct WorkspaceForm: Encodable, Sendable {
    struct Choice: Encodable, Sendable, Hashable {
        var code: String
        var en: String
        var nb: String
    }

    var region: String
    var regionName: String
    var defaultNode: String?
    var nodes: [Choice]
    var kinds: [Choice]
    var targetGroups: [Choice]
    var programmes: [Choice]
    var tiers: [Choice]
    var ageBands: [Choice]
    var professions: [Choice]
    var funding: [Choice]
    /// Codes that stand alone in their list (target group `ALL`).
    var exclusive: [String]
    var maxNote: Int
    var maxCount: Int64
    var earliestDate: String

    init(taxonomy: Taxonomy, region: String, defaultNode: String?) {
        func choices(_ terms: [Taxonomy.Term], _ vocabulary: Taxonomy.Vocabulary) -> [Choice] {
            terms.filter { taxonomy.retirements[vocabulary]?[$0.code] == nil }.map {
                Choice(code: $0.code, en: $0.name, nb: $0.nameNb ?? $0.name)
            }
        }
        self.region = region
        regionName = taxonomy.region(region)?.name ?? region
        self.defaultNode = defaultNode
        nodes = taxonomy.nodes(inRegion: region).map {
            let name = "\($0.name) (\($0.town))"
            return Choice(code: $0.code, en: name, nb: name)
        }
        kinds = choices(taxonomy.kinds, .kind)
        targetGroups = choices(taxonomy.targetGroups, .targetGroup)
        programmes = taxonomy.programmes.filter { taxonomy.retirements[.programme]?[$0.code] == nil }.map {
            Choice(code: $0.code, en: $0.name, nb: $0.name)
        }
        tiers = choices(taxonomy.tiers, .tier)
        ageBands = choices(taxonomy.ageBands, .ageBand)
        professions = choices(taxonomy.professions, .profession)
        funding = choices(taxonomy.funding, .funding)
        exclusive = taxonomy.targetGroups.filter(\.exclusive).map(\.code)
        maxNote = EventValidator.maxNoteCharacters
        maxCount = EventValidator.countRange.upperBound
        earliestDate = EventValidator.earliestDate.description
    }
}
