import KnutepunktDomain

extension Taxonomy {
    /// The countries whose regions have local nodes, i.e. take part in the network.
    package var networkCountries: [String] {
        var seen: [String] = []
        for region in regions where !nodes(inRegion: region.code).isEmpty && !seen.contains(region.country) {
            seen.append(region.country)
        }
        return seen
    }

    /// The same taxonomy with only `country`'s regions that have nodes: the set gap rules compare with each other.
    /// Regions without nodes are not in the network (yet), so "no activity" there says nothing; and each country has
    /// its own national rate ("equal services wherever you live" is a national promise).
    package func network(ofCountry country: String) -> Taxonomy {
        let kept = regions.filter { $0.country == country && !nodes(inRegion: $0.code).isEmpty }
        let codes = Set(kept.map(\.code))
        return Taxonomy(
            regions: kept,
            nodes: nodes.filter { codes.contains($0.region) },
            kinds: kinds,
            targetGroups: targetGroups,
            tiers: tiers,
            ageBands: ageBands,
            professions: professions,
            professionGroups: professionGroups,
            funding: funding,
            programmes: programmes,
            countries: countries.filter { $0.code == country }
        )
    }
}
