extension GapFacts {
    /// Folds events into `GapFacts` for one evaluation day: a pure reducer, so the hub can keep one up to date event
    /// by event and tests can build scenarios from events.
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
            guard event.date <= facts.asOf else { return }
            noteReport(node: event.node, region: event.region, on: event.date)
            var region = facts.regions[event.region] ?? RegionFacts(births: 0)
            defer { facts.regions[event.region] = region }

            if let quarter = facts.quarterIndex(of: event.date) {
                region.quarterlyEvents[quarter] += 1
            }
            if event.kind == "INFANT_DAY", event.date.year >= facts.asOf.year - 1 {
                region.infantDays[event.date.year, default: []].append(event.date)
                region.infantDays[event.date.year]?.sort()
            }
            guard facts.inWindow(event.date) else { return }

            region.totalEvents += 1
            if event.funding == "TEMPORARY_PROJECT" { region.temporaryEvents += 1 }
            for group in Set(event.targetGroups) {
                region.events[group, default: 0] += 1
                region.families[group, default: 0] += event.families
            }
            region.activeAgeBands.formUnion(event.ageBands)

            if event.kind == "CONSULT_COLLAB" || event.kind == "TRAINING" {
                region.consultTrainingEvents += 1
                for profession in Set(event.professions) {
                    region.professionEvents[profession, default: 0] += 1
                }
            }
            if event.kind == "TRAINING" {
                facts.nodes[event.node]?.trains = true
            }

            let dyadic = event.programmes.contains { taxonomy.programme($0)?.dyadic == true }
            if event.kind == "DELIVERY" {
                for band in event.ageBands {
                    region.deliveries.insert(TierAgeBand(event.tier, band))
                }
                facts.nodes[event.node]?.programmesDelivered.formUnion(event.programmes)
                for group in Set(event.targetGroups) where !event.programmes.isEmpty {
                    region.programmesByTargetGroup[group, default: []].formUnion(event.programmes)
                }
                if dyadic {
                    for group in Set(event.targetGroups) where Self.parentalMentalHealthGroups.contains(group) {
                        region.dyadicDeliveries[group, default: 0] += 1
                    }
                }
            }
            let forParents = event.targetGroups.contains { Self.parentalMentalHealthGroups.contains($0) }
            if forParents, event.kind == "CONSULT_COLLAB" || (event.tier == "T" && !dyadic) {
                region.parentalMentalHealthCare += 1
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
