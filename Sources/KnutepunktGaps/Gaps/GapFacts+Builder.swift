import KnutepunktDomain

extension GapFacts {
    /// Folds events — or the hub's stored counters, cell by cell — into `GapFacts` for one evaluation day: a pure
    /// reducer, so the hub can keep one up to date event by event and tests can build scenarios from events.
    ///
    /// Events after `asOf` are ignored. Events before the window still count where a rule looks further back: the
    /// 8 quarters of G10, last year's infant days (G13) and a node's last report (D1). A new evaluation day needs a
    /// new builder (the window moves, and events cannot be taken out of counts).
    package struct Builder: Sendable {
        package private(set) var facts: GapFacts
        private let taxonomy: Taxonomy

        /// Target groups of G11.
        static let parentalMentalHealthGroups: Set<String> = ["PND", "PAR_MH"]

        /// Seeds every taxonomy region (with its births) and every node (never reported).
        package init(asOf: LocalDate, taxonomy: Taxonomy, windowMonths: Int = 12) {
            self.taxonomy = taxonomy
            var facts = GapFacts(asOf: asOf, windowMonths: windowMonths)
            for region in taxonomy.regions {
                facts.regions[region.code] = RegionFacts(births: region.births.value)
            }
            for node in taxonomy.nodes {
                facts.nodes[node.code] = NodeFacts(region: node.region)
            }
            self.facts = facts
        }

        /// Notes a report from `node` on `date` (e.g. a heartbeat) for D1; keeps the latest.
        package mutating func noteReport(node: String, region: String, on date: LocalDate) {
            guard date <= facts.asOf else { return }
            var entry = facts.nodes[node] ?? NodeFacts(region: region)
            entry.lastReport = max(entry.lastReport ?? date, date)
            facts.nodes[node] = entry
        }

        /// Adds one validated event.
        package mutating func add(_ event: ActivityEvent) {
            add(ActivityCell(event), ActivityCount(event))
        }

        /// Adds `count.events` events that all fall in `cell` (the hub's stored counters); the same facts as
        /// adding each of those events.
        package mutating func add(_ cell: ActivityCell, _ count: ActivityCount) {
            let n = count.events
            guard cell.date <= facts.asOf, n > 0 else { return }
            noteReport(node: cell.node, region: cell.region, on: cell.date)
            // Taken out while it changes, so its dictionaries and sets are not copied on every write.
            var region = facts.regions.removeValue(forKey: cell.region) ?? RegionFacts(births: 0)
            defer { facts.regions[cell.region] = region }

            if let quarter = facts.quarterIndex(of: cell.date) {
                region.quarterlyEvents[quarter] += n
            }
            if cell.kind == "INFANT_DAY", cell.date.year >= facts.asOf.year - 1 {
                region.infantDays[cell.date.year, default: []].append(contentsOf: repeatElement(cell.date, count: n))
                region.infantDays[cell.date.year]?.sort()
            }
            guard facts.inWindow(cell.date) else { return }

            region.totalEvents += n
            if cell.funding == "TEMPORARY_PROJECT" { region.temporaryEvents += n }
            for group in cell.targetGroups {
                region.events[group, default: 0] += n
                region.families[group, default: 0] += count.families
            }
            region.activeAgeBands.formUnion(cell.ageBands)

            if cell.kind == "CONSULT_COLLAB" || cell.kind == "TRAINING" {
                region.consultTrainingEvents += n
                for profession in cell.professions {
                    region.professionEvents[profession, default: 0] += n
                }
            }
            if cell.kind == "TRAINING" {
                facts.nodes[cell.node]?.trains = true
            }

            let dyadic = cell.programmes.contains { taxonomy.programme($0)?.dyadic == true }
            if cell.kind == "DELIVERY" {
                for band in cell.ageBands {
                    region.deliveries.insert(TierAgeBand(cell.tier, band))
                }
                facts.nodes[cell.node]?.programmesDelivered.formUnion(cell.programmes)
                for group in cell.targetGroups where !cell.programmes.isEmpty {
                    region.programmesByTargetGroup[group, default: []].formUnion(cell.programmes)
                }
                if dyadic {
                    for group in cell.targetGroups where Self.parentalMentalHealthGroups.contains(group) {
                        region.dyadicDeliveries[group, default: 0] += n
                    }
                }
            }
            let forParents = cell.targetGroups.contains { Self.parentalMentalHealthGroups.contains($0) }
            if forParents, cell.kind == "CONSULT_COLLAB" || (cell.tier == "T" && !dyadic) {
                region.parentalMentalHealthCare += n
            }
        }

        /// Adds events in order.
        package mutating func add(contentsOf events: some Sequence<ActivityEvent>) {
            for event in events { add(event) }
        }
    }

    /// The facts of `events` as of `asOf`.
    package static func build(
        asOf: LocalDate,
        taxonomy: Taxonomy,
        events: some Sequence<ActivityEvent>,
        windowMonths: Int = 12
    ) -> GapFacts {
        var builder = Builder(asOf: asOf, taxonomy: taxonomy, windowMonths: windowMonths)
        builder.add(contentsOf: events)
        return builder.facts
    }
}
