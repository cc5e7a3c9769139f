import KnutepunktDomain
import Yams

/// Reads `Configs/taxonomy.yaml` (the layout is described in Configs/README.md) into a `Taxonomy` and checks it.
///
/// Reading collects every mistake with its key path (unknown keys get a "did you mean"), then `Taxonomy.validate()`
/// checks the consistency of what was read. Entries with mistakes are kept with blank fields so the list indices in
/// later messages still match the file.
package enum TaxonomyFile {
    /// What `inspect(path:)` found: the taxonomy when it has no errors, and every error and warning.
    package struct Inspection: Sendable {
        /// The taxonomy, when it could be read and has no errors (warnings allowed).
        package var taxonomy: Taxonomy?
        package var errors: [ConfigError]
        /// Problems that don't make the taxonomy unusable (see `TaxonomyProblem.Severity`).
        package var warnings: [ConfigError]
        /// The taxonomy as far as it could be read, errors or not (entries with mistakes have blank fields): for
        /// checking other files' references in the same run, in the sections without errors.
        package var read: Taxonomy? = nil
    }

    /// Loads and checks a taxonomy file. Throws every error found (reading and consistency) at once; warnings are
    /// not thrown (`inspect(path:)` returns them).
    package static func load(path: String) throws(ConfigErrors) -> Taxonomy {
        let inspection = inspect(path: path)
        guard let taxonomy = inspection.taxonomy, inspection.errors.isEmpty else {
            throw ConfigErrors(inspection.errors)
        }
        return taxonomy
    }

    /// Reads and checks a taxonomy file, returning every error and warning rather than throwing.
    package static func inspect(path: String) -> Inspection {
        let document: Node
        do {
            document = try ConfigReader.document(at: path)
        } catch {
            return Inspection(taxonomy: nil, errors: [error], warnings: [], read: nil)
        }
        return inspect(document, file: path)
    }

    /// Reads and checks a taxonomy document given as text (e.g. a version the hub published); `name` stands for the
    /// file in messages.
    package static func inspect(text: String, name: String) -> Inspection {
        let document: Node
        do {
            document = try ConfigReader.document(text: text, file: name)
        } catch {
            return Inspection(taxonomy: nil, errors: [error], warnings: [], read: nil)
        }
        return inspect(document, file: name)
    }

    /// Reads and checks an already parsed document; `file` names it in messages.
    static func inspect(_ document: Node, file: String) -> Inspection {
        var reader = ConfigReader(file: file)
        var taxonomy = read(&reader, document)
        if taxonomy != nil { readRetirements(&reader, document, into: &taxonomy!) }
        if taxonomy != nil { readReportingPeriods(&reader, document, into: &taxonomy!) }
        var problems = taxonomy?.validate() ?? []
        // A reading error other than an unknown key leaves a value blank. Leave out the consistency problems that
        // blank caused: those at or under the key already reported, and references into (or sums over) a section
        // with a blank value, which would only repeat the mistake in other words.
        let blanked = reader.errors.filter { $0.code != .unknownKey }.compactMap(\.key)
        if !blanked.isEmpty {
            let blankedSections = Set(blanked.map(section))
            problems = problems.filter { problem in
                if blanked.contains(where: {
                    problem.key == $0 || problem.key.hasPrefix($0 + ".") || problem.key.hasPrefix($0 + "[")
                }) {
                    return false
                }
                guard problem.kind == .unknownReference || problem.kind == .inconsistent else { return true }
                return blankedSections.isDisjoint(with: dependencies[section(problem.key)] ?? [])
            }
        }
        let errors = reader.errors + problems.filter(\.isError).map { ConfigError($0, file: file) }
        let warnings = problems.filter { !$0.isError }.map { ConfigError($0, file: file) }
        return Inspection(
            taxonomy: errors.isEmpty ? taxonomy : nil,
            errors: errors,
            warnings: warnings,
            read: taxonomy
        )
    }

    /// The top-level section of a key path: `programmes[3].tiers[0]` → `programmes`.
    private static func section(_ key: String) -> String {
        String(key.prefix { $0 != "[" && $0 != "." })
    }

    /// The sections whose values each section's references and sums depend on.
    private static let dependencies: [String: Set<String>] = [
        "countries": ["countries", "regions"], "regions": ["countries", "regions"], "nodes": ["regions"],
        "programmes": ["tiers", "ageBands", "targetGroups"], "professionGroups": ["professions"],
    ]

    // MARK: - Layout

    static let keys = [
        "countries", "regions", "nodes", "kinds", "targetGroups", "tiers", "ageBands", "professions",
        "professionGroups",
        "funding", "programmes", "retirementGraceDays",
    ]
    static let countryKeys = ["code", "name", "births"]
    static let regionKeys = ["code", "name", "country", "centre", "counties", "births", "retired"]
    static let figureKeys = ["value", "year", "source", "estimate"]
    static let nodeKeys = ["code", "region", "name", "town", "retired", "active", "closed"]
    static let termKeys = ["code", "name", "nb", "synonyms", "retired"]
    static let targetGroupKeys = ["code", "name", "nb", "synonyms", "exclusive", "retired"]
    static let programmeKeys = [
        "code", "name", "tiers", "ageBands", "targetGroups", "dyadic", "tool", "ratings", "retired",
    ]
    static let ratingKeys = ["system", "scaleVersion", "rating", "date", "note"]

    /// Reads the whole document; nil only when the top is not a mapping.
    static func read(_ reader: inout ConfigReader, _ document: Node) -> Taxonomy? {
        guard let top = reader.mapping(document, at: "", allowed: keys) else { return nil }
        let countries = entries(&reader, top, "countries", required: false) { reader, m, key in
            Taxonomy.Country(
                code: reader.text(m, "code", at: key) ?? "",
                name: reader.text(m, "name", at: key) ?? "",
                births: figure(&reader, m, "births", at: key)
            )
        }
        let regions = entries(&reader, top, "regions") { reader, m, key in
            Taxonomy.Region(
                code: reader.text(m, "code", at: key) ?? "",
                name: reader.text(m, "name", at: key) ?? "",
                country: reader.text(m, "country", at: key) ?? "",
                centre: reader.text(m, "centre", at: key, required: false) ?? "",
                births: figure(&reader, m, "births", at: key),
                counties: reader.texts(m, "counties", at: key, required: false) ?? []
            )
        }
        let nodes = entries(&reader, top, "nodes") { reader, m, key in
            Taxonomy.LocalNode(
                code: reader.text(m, "code", at: key) ?? "",
                region: reader.text(m, "region", at: key) ?? "",
                name: reader.text(m, "name", at: key) ?? "",
                town: reader.text(m, "town", at: key) ?? ""
            )
        }
        let kinds = terms(&reader, top, "kinds")
        let targetGroups = terms(&reader, top, "targetGroups", allowed: targetGroupKeys)
        let tiers = terms(&reader, top, "tiers")
        let ageBands = terms(&reader, top, "ageBands")
        let professions = terms(&reader, top, "professions")
        let groups = professionGroups(&reader, top)
        let funding = terms(&reader, top, "funding")
        let programmes = entries(&reader, top, "programmes") { reader, m, key in
            Taxonomy.Programme(
                code: reader.text(m, "code", at: key) ?? "",
                name: reader.text(m, "name", at: key) ?? "",
                tiers: reader.texts(m, "tiers", at: key) ?? [],
                ageBands: reader.texts(m, "ageBands", at: key) ?? [],
                targetGroups: reader.texts(m, "targetGroups", at: key, required: false) ?? [],
                dyadic: reader.flag(m, "dyadic", at: key, required: true) ?? false,
                tool: reader.flag(m, "tool", at: key) ?? false,
                ratings: entries(&reader, m, "ratings", at: key, required: false) { reader, r, key in
                    Taxonomy.Rating(
                        system: reader.text(r, "system", at: key) ?? "",
                        scaleVersion: reader.text(r, "scaleVersion", at: key, required: false),
                        rating: reader.text(r, "rating", at: key) ?? "",
                        date: reader.text(r, "date", at: key, required: false),
                        note: reader.text(r, "note", at: key, required: false)
                    )
                }
            )
        }
        return Taxonomy(
            regions: regions,
            nodes: nodes,
            kinds: kinds,
            targetGroups: targetGroups,
            tiers: tiers,
            ageBands: ageBands,
            professions: professions,
            professionGroups: groups,
            funding: funding,
            programmes: programmes,
            countries: countries
        )
    }

    /// The entries of a list of mappings, each read by `make` (which gets the entry's mapping, nil when the entry is
    /// not a mapping, and its key such as `regions[2]`). Every item gives an entry, so indices match the file.
    private static func entries<Entry>(
        _ reader: inout ConfigReader,
        _ parent: Node.Mapping?,
        _ name: String,
        at key: String = "",
        required: Bool = true,
        _ make: (inout ConfigReader, Node.Mapping?, String) -> Entry
    ) -> [Entry] {
        let listKey = reader.path(key, name)
        guard let items = reader.list(parent, name, at: key, required: required) else { return [] }
        let allowed = allowedKeys[listKey.replacingIndices] ?? []
        return items.enumerated().map { index, item in
            let itemKey = "\(listKey)[\(index)]"
            let mapping = reader.mapping(item, at: itemKey, allowed: allowed)
            return make(&reader, mapping, itemKey)
        }
    }

    /// The allowed keys of each list's entries, by the list's key path with indices removed.
    private static let allowedKeys: [String: [String]] = [
        "countries": countryKeys, "regions": regionKeys, "nodes": nodeKeys, "programmes": programmeKeys,
        "programmes[].ratings": ratingKeys,
    ]

    /// A vocabulary: a list of `code` + `name` entries.
    private static func terms(
        _ reader: inout ConfigReader,
        _ top: Node.Mapping,
        _ name: String,
        allowed: [String] = termKeys
    ) -> [Taxonomy.Term] {
        guard let items = reader.list(top, name, at: "") else { return [] }
        return items.enumerated().map { index, item in
            let key = "\(name)[\(index)]"
            let m = reader.mapping(item, at: key, allowed: allowed)
            return Taxonomy.Term(
                code: reader.text(m, "code", at: key) ?? "",
                name: reader.text(m, "name", at: key) ?? "",
                nameNb: reader.text(m, "nb", at: key, required: false),
                exclusive: allowed.contains("exclusive") ? reader.flag(m, "exclusive", at: key) ?? false : false,
                synonyms: reader.texts(m, "synonyms", at: key, required: false) ?? []
            )
        }
    }

    /// A figure such as `births: {value: 11500, year: 2023, source: "…", estimate: true}`; every key is required.
    private static func figure(
        _ reader: inout ConfigReader,
        _ parent: Node.Mapping?,
        _ name: String,
        at key: String
    ) -> Taxonomy.Figure {
        let figureKey = reader.path(key, name)
        guard let parent else { return Taxonomy.Figure(value: 0, year: 0, source: "", estimate: false) }
        guard let node = parent[name] else {
            reader.fail(
                .missingKey,
                figureKey,
                "missing",
                fix: "Add \(name): with value, year, source and estimate (see Configs/README.md)"
            )
            return Taxonomy.Figure(value: 0, year: 0, source: "", estimate: false)
        }
        let m = reader.mapping(node, at: figureKey, allowed: figureKeys)
        return Taxonomy.Figure(
            value: reader.wholeNumber(m, "value", at: figureKey, range: 1...100_000_000) ?? 0,
            year: reader.wholeNumber(m, "year", at: figureKey, range: 1900...2100) ?? 0,
            source: reader.text(m, "source", at: figureKey) ?? "",
            estimate: reader.flag(m, "estimate", at: figureKey, required: true) ?? false
        )
    }

    /// `professionGroups:` — a mapping from a group's code to the professions in it.
    private static func professionGroups(_ reader: inout ConfigReader, _ top: Node.Mapping) -> [String: [String]] {
        guard let node = top["professionGroups"], node.null == nil else { return [:] }
        guard let mapping = node.mapping else {
            reader.fail(
                .wrongType,
                "professionGroups",
                "expected a mapping from group to professions",
                fix: "Write e.g. PHYSICIAN_ANY: [GP, PAED, OBGYN, PSYCHIATRIST] under professionGroups:"
            )
            return [:]
        }
        var groups: [String: [String]] = [:]
        for (name, _) in mapping {
            guard let group = name.scalar?.string else { continue }
            groups[group] = reader.texts(mapping, group, at: "professionGroups") ?? []
        }
        return groups
    }
}

extension String {
    /// `programmes[3].ratings` → `programmes[].ratings`.
    fileprivate var replacingIndices: String {
        var result = ""
        var skipping = false
        for character in self {
            if character == "[" {
                skipping = true
                result.append("[")
            } else if character == "]" {
                skipping = false
                result.append("]")
            } else if !skipping {
                result.append(character)
            }
        }
        return result
    }
}
