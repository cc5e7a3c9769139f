import Foundation
import KnutepunktDomain

/// Plain sentences for findings, in English and Norwegian bokmål, with the taxonomy's labels in each language. A
/// sentence quotes only figures that may leave the hub (``SmallCells/publishedInputs(_:)``), so it can go wherever
/// the finding goes; the statistics themselves stay one flag or click away (`inputs`, `thresholds`).
package enum GapWording {
    /// Sets `message` and `messageNb` of every finding.
    package static func word(_ findings: inout [GapFinding], taxonomy: Taxonomy, thresholds: GapThresholds) {
        for index in findings.indices {
            let finding = findings[index]
            findings[index].message = sentence(finding, taxonomy: taxonomy, thresholds: thresholds, language: .en)
            findings[index].messageNb = sentence(finding, taxonomy: taxonomy, thresholds: thresholds, language: .nb)
        }
    }

    /// A rule's title: what kind of gap it finds.
    package static func title(_ rule: GapRule, _ language: Language) -> String {
        let titles: [GapRule: (String, String)] = [
            .d1StaleNode: ("No report", "Ingen rapport"),
            .g1AbsentService: ("No activity", "Ingen aktivitet"),
            .g2RateShortfall: ("Less activity than elsewhere", "Mindre aktivitet enn ellers"),
            .g3MissingTier: ("Missing level of service", "Manglende tjenestenivå"),
            .g5AgeBandGap: ("Age group without activity", "Aldersgruppe uten aktivitet"),
            .g6MissingProfession: (
                "Professions missing from consultation and training", "Yrkesgrupper mangler i konsultasjon og opplæring"
            ),
            .g7Evidence: ("No evidence-based programme", "Uten evidensbasert program"),
            .g8Sustainability: ("Temporary funding", "Midlertidig finansiering"),
            .g9NoLighthouse: ("No lighthouse node", "Ingen fyrtårnnode"),
            .g10Decline: ("Falling activity", "Fallende aktivitet"),
            .g11ParentMHFirst: ("Parents' own illness untreated", "Foreldrenes egen sykdom ubehandlet"),
            .g12NationalInequity: ("Unequal between regions", "Ulikt mellom regionene"),
            .g13MissingInfantDay: ("No infant day", "Ingen spedbarnsdag"),
        ]
        let title = titles[rule]!
        return language == .en ? title.0 : title.1
    }

    /// A number as a reader writes it: `digits` decimals at most (trailing zeros dropped), a decimal comma and a
    /// space between thousands in Norwegian.
    package static func number(_ value: Double, digits: Int = 2, _ language: Language) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = 0
        formatter.maximumFractionDigits = digits
        formatter.locale = Locale(identifier: language == .nb ? "nb_NO" : "en_GB")
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// "A, B and C" / "A, B og C".
    package static func list(_ items: [String], _ language: Language) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        let and = language == .en ? "and" : "og"
        return items.dropLast().joined(separator: ", ") + " \(and) " + items.last!
    }

    /// The subject of a finding for a reader: the target group's, age band's or node's name, with its code.
    package static func subject(
        targetGroup: String?,
        ageBand: String?,
        node: String?,
        _ taxonomy: Taxonomy,
        _ language: Language
    ) -> String? {
        if let group = targetGroup { return "\(taxonomy.label(group, in: .targetGroup, language)) (\(group))" }
        if let band = ageBand { return "\(taxonomy.label(band, in: .ageBand, language)) (\(band))" }
        if let node { return "\(taxonomy.label(node, in: .node, language)) (\(node))" }
        return nil
    }

    /// The finding as one sentence in `language`.
    package static func sentence(
        _ finding: GapFinding,
        taxonomy: Taxonomy,
        thresholds: GapThresholds,
        language: Language
    ) -> String {
        let en = language == .en
        let shown = SmallCells.publishedInputs(finding)
        let region = finding.region ?? (en ? "the network" : "nettverket")
        // Sentences about a target group or an age band lead with its name, as a heading would.
        let group = finding.targetGroup.map { "\(taxonomy.label($0, in: .targetGroup, language)) (\($0))" } ?? ""
        let band = finding.ageBand.map { "\(taxonomy.label($0, in: .ageBand, language)) (\($0))" } ?? ""
        func n(_ value: Double, _ digits: Int = 2) -> String { number(value, digits: digits, language) }
        var text: String
        switch finding.rule {
        case .d1StaleNode:
            text = staleSentence(finding, shown, taxonomy, thresholds, language)
        case .g1AbsentService:
            let active = Int(shown["regionsWithActivity"] ?? 0)
            let compared = Int(shown["regionsCompared"] ?? 0)
            text =
                en
                ? "\(group): no activity in \(region) in the last 12 months, while \(active) of \(compared) regions "
                    + "have some."
                : "\(group): ingen aktivitet i \(region) de siste 12 månedene, mens \(active) av \(compared) regioner "
                    + "har noe."
        case .g2RateShortfall:
            let median = n(shown["median"] ?? 0)
            let red = finding.severity == .red
            let uncertain = !red && shown["belowRed"] == 1
            let level: String
            if let rate = shown["rate"] {
                level =
                    en
                    ? "\(n(rate)) activities per 1,000 births against a national median of \(median)"
                    : "\(n(rate)) aktiviteter per 1 000 fødte mot en nasjonal median på \(median)"
            } else {
                level =
                    en
                    ? "fewer than \(SmallCells.minimum) activities in 12 months against a national median of "
                        + "\(median) per 1,000 births"
                    : "færre enn \(SmallCells.minimum) aktiviteter på 12 måneder mot en nasjonal median på \(median) "
                        + "per 1 000 fødte"
            }
            let how =
                red
                ? (en ? "clearly less activity" : "klart mindre aktivitet")
                : (en ? "less activity" : "mindre aktivitet")
            text =
                en
                ? "\(group): \(how) in \(region) than in the other regions — \(level)"
                : "\(group): \(how) i \(region) enn i de andre regionene – \(level)"
            if uncertain {
                text +=
                    en
                    ? " (low, but the numbers are too small to be sure)"
                    : " (lavt, men tallene er for små til å være sikre)"
            }
            text += "."
        case .g3MissingTier:
            let tiers = list(finding.tiers.map { taxonomy.label($0, in: .tier, language).lowercased() }, language)
            text =
                en
                ? "\(band): no programme delivered at the \(tiers) level in \(region), although the catalogue has "
                    + "programmes for it."
                : "\(band): ingen programmer levert på \(tiers) nivå i \(region), selv om katalogen har programmer "
                    + "for det."
        case .g5AgeBandGap:
            text =
                en
                ? "\(band): no activity at all for this age group in \(region) in the last 12 months."
                : "\(band): ingen aktivitet i det hele tatt for denne aldersgruppen i \(region) de siste 12 månedene."
        case .g6MissingProfession:
            if finding.inputs["events"] == 0 {
                text =
                    en
                    ? "No consultation or training in \(region) in the last 12 months."
                    : "Ingen konsultasjon eller opplæring i \(region) de siste 12 månedene."
            } else {
                let missing = GapRules.missingProfessions(finding, required: thresholds.requiredProfessions).map {
                    professionLabel($0, taxonomy, language)
                }
                let present = Int(shown["present"] ?? 0)
                let required = Int(shown["required"] ?? 0)
                text =
                    en
                    ? "Consultation and training in \(region) reach \(present) of \(required) professions that should "
                        + "take part; missing: \(list(missing, language))."
                    : "Konsultasjon og opplæring i \(region) når \(present) av \(required) yrkesgrupper som bør delta; "
                        + "mangler: \(list(missing, language))."
            }
        case .g7Evidence:
            if finding.detail == "KNOWLEDGE" {
                text =
                    en
                    ? "\(group): no evidence-based programme exists — a knowledge gap for the clearinghouse."
                    : "\(group): det finnes ikke noe evidensbasert program – et kunnskapshull for kunnskapsbanken."
            } else {
                let code = finding.targetGroup ?? ""
                let evidenceBased = list(GapRules.evidenceBasedProgrammes(for: code, in: taxonomy), language)
                text =
                    en
                    ? "\(group): \(region) delivers only programmes without documented effect, while "
                        + "\(evidenceBased) is evidence-based."
                    : "\(group): \(region) leverer bare programmer uten dokumentert effekt, mens \(evidenceBased) er "
                        + "evidensbasert."
            }
        case .g8Sustainability:
            let red = finding.severity == .red
            let share = number(
                red ? thresholds.temporaryShareRed * 100 : thresholds.temporaryShareAmber * 100,
                digits: 0,
                language
            )
            text =
                en
                ? "More than \(red ? "\(share) %" : "half") of the activities in \(region) run on temporary project funding."
                : "Mer enn \(red ? "\(share) %" : "halvparten") av aktivitetene i \(region) er finansiert som midlertidige "
                    + "prosjekter."
        case .g9NoLighthouse:
            let k = thresholds.lighthouseMinProgrammes
            text =
                en
                ? "No local node in \(region) both delivers \(k) or more programmes and trains others."
                : "Ingen lokalnode i \(region) både leverer \(k) eller flere programmer og lærer opp andre."
        case .g10Decline:
            let fall = number(abs(thresholds.declineFraction) * 100, digits: 0, language)
            text =
                en
                ? "Activity in \(region) fell by \(fall) % or more in the last four quarters against the four before."
                : "Aktiviteten i \(region) falt med \(fall) % eller mer de siste fire kvartalene mot de fire før."
        case .g11ParentMHFirst:
            text =
                en
                ? "\(region) delivers parent–infant programmes for perinatal depression or parental mental illness but "
                    + "has no treatment of, or referral for, the parent's own illness: treat the parent first."
                : "\(region) leverer foreldre–barn-programmer for perinatal depresjon eller psykisk sykdom hos "
                    + "foreldre, men har ingen behandling av eller henvisning for forelderens egen sykdom: behandle "
                    + "forelderen først."
        case .g12NationalInequity:
            let ratio = n(shown["maxMin"] ?? 0, 1)
            let compared = Int(shown["regions"] ?? 0)
            text =
                en
                ? "\(group): activity differs widely between regions — the highest rate is \(ratio) times the "
                    + "lowest among the \(compared) regions with activity."
                : "\(group): aktiviteten varierer mye mellom regionene – den høyeste raten er \(ratio) ganger den "
                    + "laveste blant de \(compared) regionene med aktivitet."
        case .g13MissingInfantDay:
            let year = finding.detail ?? ""
            if finding.severity == .red {
                text = en ? "No infant day in \(region) in \(year)." : "Ingen spedbarnsdag i \(region) i \(year)."
            } else {
                text =
                    en
                    ? "No infant day in \(region) so far in \(year)."
                    : "Ingen spedbarnsdag i \(region) hittil i \(year)."
            }
        }
        if finding.rule != .d1StaleNode, !finding.staleNodes.isEmpty {
            let nodes = list(finding.staleNodes, language)
            text +=
                en
                ? " Some local nodes are silent (\(nodes)): part of the region has no data."
                : " Noen lokalnoder er tause (\(nodes)): deler av regionen mangler data."
        }
        return text
    }

    private static func staleSentence(
        _ finding: GapFinding,
        _ shown: [String: Double],
        _ taxonomy: Taxonomy,
        _ thresholds: GapThresholds,
        _ language: Language
    ) -> String {
        let en = language == .en
        let region = finding.region ?? ""
        if let node = finding.node {
            let name = "\(taxonomy.label(node, in: .node, language)) (\(node))"
            if let missing = shown["missingReturns"] {
                let count = number(missing, digits: 0, language)
                return en
                    ? "No report from the local node \(name): \(count) monthly returns are missing. Its area has no "
                        + "data for those months, which is not the same as no service."
                    : "Ingen rapport fra lokalnoden \(name): \(count) månedsrapporter mangler. Området mangler data for "
                        + "de månedene, som ikke er det samme som manglende tjenester."
            }
            guard let days = shown["daysSinceReport"], days >= 0 else {
                return en
                    ? "The local node \(name) has never reported: its area has no data, which is not the same as no "
                        + "service."
                    : "Lokalnoden \(name) har aldri rapportert: området mangler data, som ikke er det samme som "
                        + "manglende tjenester."
            }
            let count = number(days, digits: 0, language)
            return en
                ? "No report from the local node \(name) for \(count) days: its area has no data, which is not the "
                    + "same as no service."
                : "Ingen rapport fra lokalnoden \(name) på \(count) dager: området mangler data, som ikke er det samme "
                    + "som manglende tjenester."
        }
        var reasons: [String] = []
        let nodes = Int(shown["nodes"] ?? 0)
        if shown["everyNodeSilent"] == 1 {
            reasons.append(
                en
                    ? "none of its \(nodes) local nodes has reported for more than \(thresholds.staleDays) days"
                    : "ingen av de \(nodes) lokalnodene har rapportert på over \(thresholds.staleDays) dager"
            )
        }
        if let days = shown["daysSinceHeard"] {
            let count = number(days, digits: 0, language)
            reasons.append(
                en
                    ? "its regional node has not been heard from for \(count) days"
                    : "den regionale noden har ikke vært i kontakt på \(count) dager"
            )
        }
        if let missing = shown["missingReturns"] {
            let count = number(missing, digits: 0, language)
            reasons.append(en ? "\(count) monthly returns are missing" : "\(count) månedsrapporter mangler")
        }
        return en
            ? "No report from \(region): \(list(reasons, language)). Its services are not judged, and national "
                + "comparisons leave it out, until it reports again."
            : "Ingen rapport fra \(region): \(list(reasons, language)). Tjenestene vurderes ikke, og nasjonale "
                + "sammenligninger utelater regionen, før den rapporterer igjen."
    }

    /// A profession, or a group of them such as `PHYSICIAN_ANY`.
    static func professionLabel(_ code: String, _ taxonomy: Taxonomy, _ language: Language) -> String {
        if code == "PHYSICIAN_ANY" { return language == .en ? "physicians" : "leger" }
        return taxonomy.label(code, in: .profession, language).lowercasedFirst
    }
}

extension String {
    /// The string with its first letter in lower case, unless it starts an acronym ("PTSD"): for professions, which
    /// the taxonomy names in sentence case.
    var lowercasedFirst: String {
        guard let first = first, first.isUppercase else { return self }
        let second = dropFirst().first
        if let second, second.isUppercase { return self }
        return first.lowercased() + dropFirst()
    }
}
