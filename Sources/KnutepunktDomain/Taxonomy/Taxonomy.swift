/// The codes Knutepunkt speaks: regions and their local nodes, activity kinds, target groups, tiers, age bands,
/// professions, funding and programmes. Loaded once from `Configs/taxonomy.yaml` (see `TaxonomyFile`) and then
/// only read; a pure value, safe to share between threads.
package struct Taxonomy: Sendable, Hashable {
    /// A published or estimated figure, with where it came from, so official statistics can replace estimates.
    package struct Figure: Sendable, Hashable {
        package var value: Int
        /// The year the figure describes.
        package var year: Int
        /// Where it came from (e.g. "SSB table 05531").
        package var source: String
        /// True for an estimate that official statistics should replace.
        package var estimate: Bool

        package init(value: Int, year: Int, source: String, estimate: Bool) {
            self.value = value
            self.year = year
            self.source = source
            self.estimate = estimate
        }
    }

    /// A regional centre's area (e.g. `NO-VEST`, RKBU Vest).
    package struct Region: Sendable, Hashable {
        package var code: String
        package var name: String
        /// ISO 3166 country code, e.g. `NO` or `SE`.
        package var country: String
        package var centre: String
        /// Live births in the region: the denominator of every rate.
        package var births: Figure
        /// The counties (Norwegian fylker, Swedish regioner) the region covers, for readers; not used in rules.
        package var counties: [String]

        package init(
            code: String,
            name: String,
            country: String,
            centre: String,
            births: Figure,
            counties: [String] = []
        ) {
            self.code = code
            self.name = name
            self.country = country
            self.centre = centre
            self.births = births
            self.counties = counties
        }
    }

    /// A local node (a hospital trust's catchment area, named after its town), e.g. `NO-VEST-FONNA`.
    package struct LocalNode: Sendable, Hashable {
        package var code: String
        package var region: String
        package var name: String
        package var town: String

        package init(code: String, region: String, name: String, town: String) {
            self.code = code
            self.region = region
            self.name = name
            self.town = town
        }
    }

    /// One entry of a plain vocabulary (kinds, target groups, tiers, age bands, professions, funding).
    package struct Term: Sendable, Hashable {
        package var code: String
        /// The English name.
        package var name: String
        /// The name in Norwegian bokmål (`nb` in the file); reports fall back on `name` without it.
        package var nameNb: String?
        /// True for a code that excludes every other code of its vocabulary in one event (target group `ALL`).
        package var exclusive: Bool
        /// Other words people write for it ("Spedbarnsdag", "helsesøster"), in any language: spreadsheet hints turn
        /// them into the code. Never accepted as codes by the validator.
        package var synonyms: [String]

        package init(
            code: String,
            name: String,
            nameNb: String? = nil,
            exclusive: Bool = false,
            synonyms: [String] = []
        ) {
            self.code = code
            self.name = name
            self.nameNb = nameNb
            self.exclusive = exclusive
            self.synonyms = synonyms
        }

        /// The name in `language`.
        package func name(in language: Language) -> String {
            language == .nb ? nameNb ?? name : name
        }
    }

    /// One rating of a programme by one evidence system, kept side by side with the others.
    package struct Rating: Sendable, Hashable {
        /// `UNGSINN`, `CEBC`, `EIF`, `BLUEPRINTS` or another system's name.
        package var system: String
        /// The scale's version (e.g. "3rd update"), if known.
        package var scaleVersion: String?
        /// The rating as the system writes it ("4", "2", "Model", "Promising", "4+").
        package var rating: String
        /// When the rating was given (ISO date or year), if known.
        package var date: String?
        package var note: String?

        package init(
            system: String,
            scaleVersion: String? = nil,
            rating: String,
            date: String? = nil,
            note: String? = nil
        ) {
            self.system = system
            self.scaleVersion = scaleVersion
            self.rating = rating
            self.date = date
            self.note = note
        }
    }

    /// A programme or tool in the catalogue.
    package struct Programme: Sendable, Hashable {
        package var code: String
        package var name: String
        /// The tiers it serves (`U`, `S`, `I`, `T`).
        package var tiers: [String]
        /// The age bands it serves.
        package var ageBands: [String]
        /// The target groups it is meant for (empty: not specific).
        package var targetGroups: [String]
        /// True for a dyadic (parent–infant) programme.
        package var dyadic: Bool
        /// True for a tool (e.g. a screening instrument) rather than a programme.
        package var tool: Bool
        package var ratings: [Rating]

        package init(
            code: String,
            name: String,
            tiers: [String],
            ageBands: [String],
            targetGroups: [String] = [],
            dyadic: Bool = false,
            tool: Bool = false,
            ratings: [Rating] = []
        ) {
            self.code = code
            self.name = name
            self.tiers = tiers
            self.ageBands = ageBands
            self.targetGroups = targetGroups
            self.dyadic = dyadic
            self.tool = tool
            self.ratings = ratings
        }
    }

    package var regions: [Region]
    package var nodes: [LocalNode]
    package var kinds: [Term]
    package var targetGroups: [Term]
    package var tiers: [Term]
    package var ageBands: [Term]
    package var professions: [Term]
    /// Named groups of professions, e.g. `PHYSICIAN_ANY` = GP, PAED, OBGYN, PSYCHIATRIST.
    package var professionGroups: [String: [String]]
    package var funding: [Term]
    package var programmes: [Programme]
    /// The countries with their national birth figures, against which the regions' figures are checked.
    package var countries: [Country]
    /// Codes retired, by vocabulary, with the day each was retired. A retired code stays in the taxonomy for good
    /// (stored events refer to it); new events may use it only for activities dated before
    /// ``retirementGraceDays`` after that day (see `Taxonomy+Retirement.swift`).
    package var retirements: [Vocabulary: [String: LocalDate]] = [:]
    /// How long after its retirement a code is still accepted for new activities.
    package var retirementGraceDays = Taxonomy.defaultRetirementGraceDays
    /// The local nodes expected to make monthly returns, with when (see `Taxonomy+ReportingPeriods.swift`).
    package var reportingPeriods: [String: ReportingPeriod] = [:]

    package init(
        regions: [Region],
        nodes: [LocalNode],
        kinds: [Term],
        targetGroups: [Term],
        tiers: [Term],
        ageBands: [Term],
        professions: [Term],
        professionGroups: [String: [String]] = [:],
        funding: [Term],
        programmes: [Programme],
        countries: [Country] = []
    ) {
        self.regions = regions
        self.nodes = nodes
        self.kinds = kinds
        self.targetGroups = targetGroups
        self.tiers = tiers
        self.ageBands = ageBands
        self.professions = professions
        self.professionGroups = professionGroups
        self.funding = funding
        self.programmes = programmes
        self.countries = countries
        regionIndex = Dictionary(regions.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        nodeIndex = Dictionary(nodes.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { first, _ in first })
        programmeIndex = Dictionary(
            programmes.enumerated().map { ($1.code, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        codeSets = CodeSets(
            kinds: Set(kinds.map(\.code)),
            targetGroups: Set(targetGroups.map(\.code)),
            tiers: Set(tiers.map(\.code)),
            ageBands: Set(ageBands.map(\.code)),
            professions: Set(professions.map(\.code)),
            funding: Set(funding.map(\.code))
        )
    }

    // Lookup tables, derived once at init so validation never scans the lists.
    private var regionIndex: [String: Int]
    private var nodeIndex: [String: Int]
    private var programmeIndex: [String: Int]
    private var codeSets: CodeSets

    private struct CodeSets: Sendable, Hashable {
        var kinds: Set<String>
        var targetGroups: Set<String>
        var tiers: Set<String>
        var ageBands: Set<String>
        var professions: Set<String>
        var funding: Set<String>
    }

    // MARK: - Lookups

    /// The region with this code.
    package func region(_ code: String) -> Region? {
        regionIndex[code].map { regions[$0] }
    }

    /// The local node with this code.
    package func node(_ code: String) -> LocalNode? {
        nodeIndex[code].map { nodes[$0] }
    }

    /// The region a local node belongs to.
    package func region(ofNode code: String) -> Region? {
        node(code).flatMap { region($0.region) }
    }

    /// The local nodes of a region, in file order.
    package func nodes(inRegion code: String) -> [LocalNode] {
        nodes.filter { $0.region == code }
    }

    /// The programme with this code.
    package func programme(_ code: String) -> Programme? {
        programmeIndex[code].map { programmes[$0] }
    }

    /// Whether `code` is in the vocabulary `vocabulary`.
    package func contains(_ code: String, in vocabulary: Vocabulary) -> Bool {
        switch vocabulary {
        case .kind: codeSets.kinds.contains(code)
        case .targetGroup: codeSets.targetGroups.contains(code)
        case .tier: codeSets.tiers.contains(code)
        case .ageBand: codeSets.ageBands.contains(code)
        case .profession: codeSets.professions.contains(code)
        case .funding: codeSets.funding.contains(code)
        case .programme: programmeIndex[code] != nil
        case .region: regionIndex[code] != nil
        case .node: nodeIndex[code] != nil
        }
    }

    /// The codes of a vocabulary, in file order (for "allowed: …" messages).
    package func codes(of vocabulary: Vocabulary) -> [String] {
        switch vocabulary {
        case .kind: kinds.map(\.code)
        case .targetGroup: targetGroups.map(\.code)
        case .tier: tiers.map(\.code)
        case .ageBand: ageBands.map(\.code)
        case .profession: professions.map(\.code)
        case .funding: funding.map(\.code)
        case .programme: programmes.map(\.code)
        case .region: regions.map(\.code)
        case .node: nodes.map(\.code)
        }
    }

    /// The name of `code` in `vocabulary` in `language`, or the code itself when the vocabulary has no such term.
    package func label(_ code: String, in vocabulary: Vocabulary, _ language: Language) -> String {
        let terms: [Term]
        switch vocabulary {
        case .kind: terms = kinds
        case .targetGroup: terms = targetGroups
        case .tier: terms = tiers
        case .ageBand: terms = ageBands
        case .profession: terms = professions
        case .funding: terms = funding
        case .programme: return programme(code)?.name ?? code
        case .region: return region(code)?.name ?? code
        case .node: return node(code)?.name ?? code
        }
        return terms.first { $0.code == code }?.name(in: language) ?? code
    }

    /// The vocabularies an event's codes come from.
    package enum Vocabulary: String, Sendable, Hashable, CaseIterable {
        case kind, targetGroup, tier, ageBand, profession, funding, programme, region, node
    }
}
