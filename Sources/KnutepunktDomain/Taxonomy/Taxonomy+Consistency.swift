extension Taxonomy {
    /// How far (as a fraction of the national figure) the regions' births of a country may add up from the national
    /// births before `validate()` warns. Regional figures are often estimates and may be from another year.
    package static let birthsTolerance = 0.05

    /// Every inconsistency in the taxonomy, errors and warnings, in file order. Pure: looks only at this value.
    ///
    /// Keys are paths in the layout of `Configs/taxonomy.yaml` (`regions[2].births.source`), with list indices as
    /// they were in the file. Checked: duplicate codes in every list; the form of codes (`^[A-Z][A-Z0-9_]*$`; regions
    /// and nodes `^[A-Z]{2}(-[A-Z0-9]+)+$`; countries `^[A-Z]{2}$`); a node's region and a region's country exist;
    /// every births figure is positive with a source and a plausible year; programmes name only known tiers, age
    /// bands and target groups, and an exclusive target group (`ALL`) alone; ratings of the systems the evidence
    /// rules name are on their scale; profession groups name known professions; and (a warning) each country's
    /// regional births add up to within `birthsTolerance` of its national births.
    package func validate() -> [TaxonomyProblem] {
        var check = ConsistencyCheck()
        check.countries(countries)
        check.regions(regions, countries: countries)
        check.nodes(nodes, regions: regions)
        check.terms(kinds, list: "kinds")
        check.terms(targetGroups, list: "targetGroups")
        check.terms(tiers, list: "tiers")
        check.terms(ageBands, list: "ageBands")
        check.terms(professions, list: "professions")
        check.professionGroups(professionGroups, professions: professions)
        check.terms(funding, list: "funding")
        check.programmes(programmes, taxonomy: self)
        check.nationalBirths(countries: countries, regions: regions)
        return check.problems
    }

    /// The errors among `validate()`'s problems (what makes the taxonomy unusable).
    package func validationErrors() -> [TaxonomyProblem] {
        validate().filter(\.isError)
    }
}

/// Collects problems while the checks walk the taxonomy.
private struct ConsistencyCheck {
    var problems: [TaxonomyProblem] = []

    mutating func error(_ kind: TaxonomyProblem.Kind, _ key: String, _ message: String, fix: String) {
        problems.append(TaxonomyProblem(.error, kind, key: key, message: message, fix: fix))
    }

    mutating func warning(_ kind: TaxonomyProblem.Kind, _ key: String, _ message: String, fix: String) {
        problems.append(TaxonomyProblem(.warning, kind, key: key, message: message, fix: fix))
    }

    // MARK: Codes

    /// Checks each code's form and that no code repeats; `form` is the code rule.
    mutating func codes(_ codes: [String], list: String, form: CodeForm) {
        var seen: [String: Int] = [:]
        for (index, code) in codes.enumerated() {
            let key = "\(list)[\(index)].code"
            if !form.matches(code) {
                error(.malformedCode, key, "\"\(code)\" is not a valid code (\(form.rule))", fix: form.fix)
            }
            if let first = seen[code] {
                error(
                    .duplicateCode,
                    key,
                    "code \(code) is used twice (first at \(list)[\(first)])",
                    fix: "Give each entry its own code, or merge the two entries"
                )
            } else {
                seen[code] = index
            }
        }
    }

    mutating func name(_ name: String, at key: String) {
        if name.allSatisfy(\.isWhitespace) {
            error(.invalidValue, key, "the name is empty", fix: "Write a readable name")
        }
    }

    // MARK: Figures

    mutating func figure(_ figure: Taxonomy.Figure, at key: String) {
        if figure.value <= 0 {
            error(
                .invalidValue,
                "\(key).value",
                "births must be a positive number, found \(figure.value)",
                fix: "Write the number of live births, e.g. value: 11500"
            )
        }
        if !(1900...2100).contains(figure.year) {
            error(
                .invalidValue,
                "\(key).year",
                "\(figure.year) is not a plausible year",
                fix: "Write the year the figure describes, e.g. year: 2023"
            )
        }
        if figure.source.allSatisfy(\.isWhitespace) {
            error(
                .invalidValue,
                "\(key).source",
                "the figure has no source",
                fix: "Say where the figure comes from, e.g. source: \"SSB, live births 2023\""
            )
        }
    }

    // MARK: Areas

    mutating func countries(_ countries: [Taxonomy.Country]) {
        codes(countries.map(\.code), list: "countries", form: .country)
        for (index, country) in countries.enumerated() {
            name(country.name, at: "countries[\(index)].name")
            figure(country.births, at: "countries[\(index)].births")
        }
    }

    mutating func regions(_ regions: [Taxonomy.Region], countries: [Taxonomy.Country]) {
        codes(regions.map(\.code), list: "regions", form: .area)
        let known = Set(countries.map(\.code))
        var unlisted: Set<String> = []
        for (index, region) in regions.enumerated() {
            let key = "regions[\(index)]"
            name(region.name, at: "\(key).name")
            figure(region.births, at: "\(key).births")
            if !CodeForm.country.matches(region.country) {
                error(
                    .malformedCode,
                    "\(key).country",
                    "\"\(region.country)\" is not an ISO 3166 country code",
                    fix: "Write two capital letters, e.g. country: NO"
                )
            } else if !region.code.hasPrefix(region.country + "-") {
                error(
                    .inconsistent,
                    "\(key).code",
                    "region \(region.code) does not begin with its country \(region.country)",
                    fix: "Begin the code with \(region.country)- or correct the country"
                )
            }
            if !known.contains(region.country), CodeForm.country.matches(region.country),
                unlisted.insert(region.country).inserted
            {
                warning(
                    .unknownReference,
                    "\(key).country",
                    "country \(region.country) has no national births figure, so its regions' births cannot be checked",
                    fix: "Add \(region.country) with its national births under countries:"
                )
            }
        }
    }

    mutating func nodes(_ nodes: [Taxonomy.LocalNode], regions: [Taxonomy.Region]) {
        codes(nodes.map(\.code), list: "nodes", form: .area)
        let known = Set(regions.map(\.code))
        for (index, node) in nodes.enumerated() {
            let key = "nodes[\(index)]"
            name(node.name, at: "\(key).name")
            if node.town.allSatisfy(\.isWhitespace) {
                error(.invalidValue, "\(key).town", "the town is empty", fix: "Write the town the node is named after")
            }
            if !known.contains(node.region) {
                error(
                    .unknownReference,
                    "\(key).region",
                    "node \(node.code) names an unknown region \"\(node.region)\"",
                    fix: "Use one of the regions: \(regions.map(\.code).joined(separator: ", "))"
                )
            } else if !node.code.hasPrefix(node.region + "-") {
                warning(
                    .inconsistent,
                    "\(key).code",
                    "node \(node.code) does not begin with its region \(node.region)",
                    fix: "Name the node \(node.region)-SOMETHING, or correct its region"
                )
            }
        }
    }

    // MARK: Vocabularies

    mutating func terms(_ terms: [Taxonomy.Term], list: String) {
        codes(terms.map(\.code), list: list, form: .vocabulary)
        for (index, term) in terms.enumerated() {
            name(term.name, at: "\(list)[\(index)].name")
        }
    }

    mutating func professionGroups(_ groups: [String: [String]], professions: [Taxonomy.Term]) {
        let known = Set(professions.map(\.code))
        for group in groups.keys.sorted() {
            let members = groups[group] ?? []
            let key = "professionGroups.\(group)"
            if !CodeForm.vocabulary.matches(group) {
                error(
                    .malformedCode,
                    key,
                    "\"\(group)\" is not a valid code (\(CodeForm.vocabulary.rule))",
                    fix: CodeForm.vocabulary.fix
                )
            }
            if known.contains(group) {
                error(
                    .duplicateCode,
                    key,
                    "\(group) is both a profession and a profession group",
                    fix: "Rename the group, e.g. \(group)_ANY"
                )
            }
            if members.isEmpty {
                error(.invalidValue, key, "the group has no professions", fix: "List its professions, e.g. [GP, PAED]")
            }
            var seen: Set<String> = []
            for (index, member) in members.enumerated() {
                if !known.contains(member) {
                    error(
                        .unknownReference,
                        "\(key)[\(index)]",
                        "unknown profession \"\(member)\"",
                        fix: "Use a code from professions: \(professions.map(\.code).joined(separator: ", "))"
                    )
                }
                if !seen.insert(member).inserted {
                    warning(.duplicateCode, "\(key)[\(index)]", "\(member) is listed twice", fix: "Remove the repeat")
                }
            }
        }
    }

    // MARK: Programmes

    mutating func programmes(_ programmes: [Taxonomy.Programme], taxonomy: Taxonomy) {
        codes(programmes.map(\.code), list: "programmes", form: .vocabulary)
        let exclusive = taxonomy.exclusiveTargetGroups
        for (index, programme) in programmes.enumerated() {
            let key = "programmes[\(index)]"
            name(programme.name, at: "\(key).name")
            references(programme.tiers, at: "\(key).tiers", vocabulary: .tier, in: taxonomy, required: true)
            references(programme.ageBands, at: "\(key).ageBands", vocabulary: .ageBand, in: taxonomy, required: true)
            references(programme.targetGroups, at: "\(key).targetGroups", vocabulary: .targetGroup, in: taxonomy)
            if programme.targetGroups.count > 1 {
                for group in programme.targetGroups where exclusive.contains(group) {
                    error(
                        .inconsistent,
                        "\(key).targetGroups",
                        "\(group) excludes every other target group",
                        fix: "Keep either [\(group)] alone or the specific groups"
                    )
                }
            }
            for (ratingIndex, rating) in programme.ratings.enumerated() {
                self.rating(rating, at: "\(key).ratings[\(ratingIndex)]")
            }
        }
    }

    mutating func references(
        _ codes: [String],
        at key: String,
        vocabulary: Taxonomy.Vocabulary,
        in taxonomy: Taxonomy,
        required: Bool = false
    ) {
        if required, codes.isEmpty {
            error(
                .invalidValue,
                key,
                "the list is empty",
                fix: "Name at least one of: \(taxonomy.codes(of: vocabulary).joined(separator: ", "))"
            )
        }
        var seen: Set<String> = []
        for (index, code) in codes.enumerated() {
            if !taxonomy.contains(code, in: vocabulary) {
                error(
                    .unknownReference,
                    "\(key)[\(index)]",
                    "unknown \(vocabulary.readableName) \"\(code)\"",
                    fix: "Use one of: \(taxonomy.codes(of: vocabulary).joined(separator: ", "))"
                )
            }
            if !seen.insert(code).inserted {
                warning(.duplicateCode, "\(key)[\(index)]", "\(code) is listed twice", fix: "Remove the repeat")
            }
        }
    }

    mutating func rating(_ rating: Taxonomy.Rating, at key: String) {
        if !CodeForm.vocabulary.matches(rating.system) {
            error(
                .malformedCode,
                "\(key).system",
                "\"\(rating.system)\" is not a valid system code (\(CodeForm.vocabulary.rule))",
                fix: "Write the system in capitals, e.g. UNGSINN, CEBC, EIF, BLUEPRINTS, SBU"
            )
        }
        if rating.rating.allSatisfy(\.isWhitespace) {
            error(.invalidValue, "\(key).rating", "the rating is empty", fix: "Write the rating as the system gives it")
        } else if let scale = EvidenceBand.scale(of: rating.system), rating.evidenceBand == nil {
            error(
                .invalidValue,
                "\(key).rating",
                "\"\(rating.rating)\" is not on the \(rating.system) scale",
                fix: "Write one of \(scale)"
            )
        }
    }

    // MARK: National figures

    mutating func nationalBirths(countries: [Taxonomy.Country], regions: [Taxonomy.Region]) {
        for (index, country) in countries.enumerated() where country.births.value > 0 {
            let members = regions.filter { $0.country == country.code }
            guard !members.isEmpty else { continue }
            let sum = members.reduce(0) { $0 + $1.births.value }
            let national = country.births.value
            let deviation = Double(sum - national) / Double(national)
            guard abs(deviation) > Taxonomy.birthsTolerance else { continue }
            let years = Set(members.map(\.births.year)).sorted().map(String.init).joined(separator: "/")
            let percent = (deviation * 1000).rounded() / 10
            warning(
                .inconsistent,
                "countries[\(index)].births.value",
                "the births of \(country.code)'s \(members.count) regions add up to \(sum) (\(years)), "
                    + "\(percent > 0 ? "+" : "")\(percent) % from the national \(national) (\(country.births.year))",
                fix: "Check the regional figures under regions[].births (replace estimates with official statistics) "
                    + "or the national figure"
            )
        }
    }
}

/// The forms codes must have.
private enum CodeForm {
    /// `^[A-Z][A-Z0-9_]*$`: vocabularies, programmes, rating systems, profession groups.
    case vocabulary
    /// `^[A-Z]{2}(-[A-Z0-9]+)+$`: regions and local nodes (`NO-VEST`, `NO-VEST-FONNA`).
    case area
    /// `^[A-Z]{2}$`: ISO 3166 country codes.
    case country

    var rule: String {
        switch self {
        case .vocabulary: "capital letters, digits and _, starting with a letter"
        case .area: "a country code and parts of capital letters and digits joined by -, e.g. NO-VEST-FONNA"
        case .country: "two capital letters"
        }
    }

    var fix: String {
        switch self {
        case .vocabulary: "Write the code like PHYSICIAN_ANY: A-Z, 0-9 and _"
        case .area: "Write the code like NO-VEST or NO-VEST-FONNA"
        case .country: "Write an ISO 3166 code such as NO or SE"
        }
    }

    func matches(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        func isUpper(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
        switch self {
        case .vocabulary:
            guard let first = bytes.first, isUpper(first) else { return false }
            return bytes.allSatisfy { isUpper($0) || isDigit($0) || $0 == 95 }
        case .country:
            return bytes.count == 2 && bytes.allSatisfy(isUpper)
        case .area:
            let parts = code.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].utf8.count == 2, parts[0].utf8.allSatisfy(isUpper) else { return false }
            return parts.dropFirst().allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { isUpper($0) || isDigit($0) } }
        }
    }
}

extension Taxonomy.Vocabulary {
    /// The vocabulary's name in messages ("unknown tier \"X\"").
    fileprivate var readableName: String {
        switch self {
        case .kind: "activity kind"
        case .targetGroup: "target group"
        case .tier: "tier"
        case .ageBand: "age band"
        case .profession: "profession"
        case .funding: "funding"
        case .programme: "programme"
        case .region: "region"
        case .node: "node"
        }
    }
}
