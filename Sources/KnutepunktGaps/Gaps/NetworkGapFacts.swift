import KnutepunktDomain

/// The gap facts of every country of the network, each folded and evaluated on its own (its own national median;
/// regions without nodes are left out, see ``Taxonomy/network(ofCountry:)``). The one place that splits events by
/// country, for the hub's live view and the command-line reports alike.
package struct NetworkGapFacts: Sendable {
    /// One country's taxonomy and facts.
    package struct Country: Sendable {
        package var code: String
        package var taxonomy: Taxonomy
        package var builder: GapFacts.Builder
        package var facts: GapFacts { builder.facts }
    }

    package internal(set) var countries: [Country]
    /// The index into `countries` of each network region.
    let countryOfRegion: [String: Int]

    package init(taxonomy: Taxonomy, asOf: LocalDate, windowMonths: Int) {
        let countries = taxonomy.networkCountries.map { code in
            let network = taxonomy.network(ofCountry: code)
            return Country(
                code: code,
                taxonomy: network,
                builder: GapFacts.Builder(asOf: asOf, taxonomy: network, windowMonths: windowMonths)
            )
        }
        self.countries = countries
        var countryOfRegion: [String: Int] = [:]
        for (index, country) in countries.enumerated() {
            for region in country.taxonomy.regions { countryOfRegion[region.code] = index }
        }
        self.countryOfRegion = countryOfRegion
    }

    /// Folds one validated event into its country's facts (events of regions outside the network are ignored).
    package mutating func add(_ event: ActivityEvent) {
        add(ActivityCell(event), ActivityCount(event))
    }

    /// Folds one cell of the hub's stored counters into its country's facts.
    package mutating func add(_ cell: ActivityCell, _ count: ActivityCount) {
        guard let index = countryOfRegion[cell.region] else { return }
        countries[index].builder.add(cell, count)
    }

    /// Notes that the node daemons in `heard` (daemon id → when) were last heard from, `regionOf` naming the region
    /// each reports for (the hub's grants): the hub's record of contact, for telling silence from service.
    package mutating func noteHeard(_ heard: [String: LocalDate], regionOf: [String: String]) {
        for (daemon, day) in heard {
            guard let region = regionOf[daemon], let index = countryOfRegion[region] else { continue }
            countries[index].builder.noteHeard(region: region, on: day)
        }
    }

    /// Sets the monthly returns expected and received (the reporting periods; nil: the taxonomy expects none, and
    /// silence is read from the nodes' reports and contact alone). ``ExpectedReturns`` is keyed by local node, so
    /// every country reads its own nodes from it.
    package mutating func setReturns(_ returns: ExpectedReturns?) {
        for index in countries.indices { countries[index].builder.setReturns(returns) }
    }

    /// Every country evaluated, the results merged.
    package func evaluate(thresholds: GapThresholds) -> GapEvaluator.Evaluation {
        var merged = GapEvaluator.Evaluation(findings: [])
        for country in countries {
            merged.merge(GapEvaluator.evaluate(country.facts, taxonomy: country.taxonomy, thresholds: thresholds))
        }
        return merged
    }

    /// Every country evaluated, each with its overview (national summary and data notes), merged.
    package func evaluateWithOverview(thresholds: GapThresholds) -> (GapEvaluator.Evaluation, GapOverview) {
        var merged = GapEvaluator.Evaluation(findings: [])
        var overview: GapOverview?
        for country in countries {
            let evaluation = GapEvaluator.evaluate(country.facts, taxonomy: country.taxonomy, thresholds: thresholds)
            let mine = GapOverview(
                country: country.code,
                facts: country.facts,
                evaluation: evaluation,
                taxonomy: country.taxonomy
            )
            if overview == nil { overview = mine } else { overview!.merge(mine) }
            merged.merge(evaluation)
        }
        return (merged, overview ?? GapOverview(summary: [], notes: []))
    }
}
