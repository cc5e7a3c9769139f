extension Taxonomy {
    /// A country of the network, with its national live-birth figure, so the sum of the regions' (often estimated)
    /// figures can be checked against the official national one.
    package struct Country: Sendable, Hashable {
        /// ISO 3166 alpha-2 code, e.g. `NO` or `SE`; every region's `country` names one of these.
        package var code: String
        package var name: String
        /// National live births (from the national statistics office).
        package var births: Figure

        package init(code: String, name: String, births: Figure) {
            self.code = code
            self.name = name
            self.births = births
        }
    }

    /// The country with this code.
    package func country(_ code: String) -> Country? {
        countries.first { $0.code == code }
    }

    /// The regions of a country, in file order.
    package func regions(inCountry code: String) -> [Region] {
        regions.filter { $0.country == code }
    }

    /// The target groups that exclude every other target group in one event (e.g. `ALL`).
    package var exclusiveTargetGroups: Set<String> {
        Set(targetGroups.filter(\.exclusive).map(\.code))
    }
}
