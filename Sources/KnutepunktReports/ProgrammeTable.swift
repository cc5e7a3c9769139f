import KnutepunktDomain
import KnutepunktGaps

/// The clearinghouse view as a report table: each programme in catalogue order, its evidence band, tiers, ratings
/// and the regions whose deliveries named it in the window.
package enum ProgrammeTable {
    package static let columns = ["code", "name", "evidence_band", "tiers", "ratings", "delivered_in"]

    package static func make(report: GapReport, taxonomy: Taxonomy) -> ReportTable {
        var regionsByProgramme: [String: Set<String>] = [:]
        for country in report.countries {
            for (region, facts) in country.facts.regions {
                for programmes in facts.programmesByTargetGroup.values {
                    for programme in programmes { regionsByProgramme[programme, default: []].insert(region) }
                }
            }
        }
        var table = ReportTable(columns: columns)
        for programme in taxonomy.programmes {
            let ratings = programme.ratings.map { rating in
                [rating.system, rating.rating, rating.scaleVersion, rating.date].compactMap { $0 }.joined(
                    separator: " "
                )
            }
            table.rows.append([
                .text(programme.code), .text(programme.name), .text(programme.evidenceBand.rawValue),
                .text(programme.tiers.joined(separator: " ")), .text(ratings.joined(separator: "; ")),
                .text((regionsByProgramme[programme.code] ?? []).sorted().joined(separator: " ")),
            ])
        }
        return table
    }
}
