import KnutepunktDomain

extension GapFacts {
    /// Folds events — or the hub's stored counters, cell by cell — into `GapFacts` for one evaluation day: a pure
    /// reducer, so the hub can keep one up to date event by event and tests can build scenarios from events.
    ///
    /// Events after `asOf` are ignored. Events before the window still count where a rule looks further back: the
    /// 8 quarters of G10, last year's infant days (G13), a node's last report (D1), a region's first data and the last
    /// day each kind of activity was seen. A new evaluation day needs a new builder (the
    /// window moves, and events cannot be taken out of counts).
    package struct Builder: Sendable {
        package internal(set) var facts: GapFacts
        let taxonomy: Taxonomy

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

        /// Notes that a node daemon reporting for `region` was heard from on `date` (the hub's record of contact).
        /// Contact after `asOf` says nothing about the evaluation day and is ignored.
        package mutating func noteHeard(region: String, on date: LocalDate) {
            guard date <= facts.asOf, facts.regions[region] != nil else { return }
            facts.regions[region]!.lastHeard = max(facts.regions[region]!.lastHeard ?? date, date)
        }

        /// The monthly returns expected and received (the reporting-periods seam; see ``ExpectedReturns``).
        package mutating func setReturns(_ returns: ExpectedReturns?) {
            facts.returns = returns
        }

        /// Adds one validated event.
        package mutating func add(_ event: ActivityEvent) {
            add(ActivityCell(event), ActivityCount(event))
        }

        /// Adds `count.events` events that all fall in `cell` (the hub's stored counters); the same facts as
        /// adding each of those events.
        package mutating func add(_ cell: ActivityCell, _ count: ActivityCount) {
            let n = count.events
            let date = cell.date
            guard date <= facts.asOf, n > 0 else { return }
            noteReport(node: cell.node, region: cell.region, on: date)
            // Taken out while it changes, so its dictionaries and sets are not copied on every write.
            var region = facts.regions.removeValue(forKey: cell.region) ?? RegionFacts(births: 0)
            defer { facts.regions[cell.region] = region }

            region.firstData = min(region.firstData ?? date, date)
            if let quarter = facts.quarterIndex(of: date) {
                region.quarterlyEvents[quarter] += n
            }
            if cell.kind == "INFANT_DAY", date.year >= facts.asOf.year - 1 {
                region.infantDays[date.year, default: []].append(contentsOf: repeatElement(date, count: n))
                region.infantDays[date.year]?.sort()
            }
            let dyadic = cell.programmes.contains { taxonomy.programme($0)?.dyadic == true }
            let consultOrTraining = cell.kind == "CONSULT_COLLAB" || cell.kind == "TRAINING"
            let forParents = cell.targetGroups.contains { Self.parentalMentalHealthGroups.contains($0) }
            let parentalCare = forParents && (cell.kind == "CONSULT_COLLAB" || (cell.tier == "T" && !dyadic))
            noteLastSeen(cell, in: &region, consultOrTraining: consultOrTraining, parentalCare: parentalCare)
            if let quarter = facts.trendQuarterIndex(of: date) {
                for group in cell.targetGroups {
                    region.quarterlyGroupEvents[group, default: RegionFacts.noQuarters][quarter] += n
                }
            }
            guard facts.inWindow(date) else { return }

            region.totalEvents += n
            if cell.funding == "TEMPORARY_PROJECT" { region.temporaryEvents += n }
            for group in cell.targetGroups {
                region.events[group, default: 0] += n
                region.families[group, default: 0] += count.families
            }
            region.activeAgeBands.formUnion(cell.ageBands)

            if consultOrTraining {
                region.consultTrainingEvents += n
                for profession in cell.professions {
                    region.professionEvents[profession, default: 0] += n
                }
            }
            if cell.kind == "TRAINING" {
                facts.nodes[cell.node]?.trains = true
            }
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
            if parentalCare {
                region.parentalMentalHealthCare += n
            }
        }

        /// Adds events in order.
        package mutating func add(contentsOf events: some Sequence<ActivityEvent>) {
            for event in events { add(event) }
        }

        /// The last day each kind of activity a rule asks about was seen (for `GapFinding.since`).
        private mutating func noteLastSeen(
            _ cell: ActivityCell,
            in region: inout RegionFacts,
            consultOrTraining: Bool,
            parentalCare: Bool
        ) {
            let date = cell.date
            func later(_ old: LocalDate?) -> LocalDate { max(old ?? date, date) }
            for group in cell.targetGroups { region.lastEvent[group] = later(region.lastEvent[group]) }
            for band in cell.ageBands { region.lastAgeBand[band] = later(region.lastAgeBand[band]) }
            if consultOrTraining {
                for profession in cell.professions {
                    region.lastProfession[profession] = later(region.lastProfession[profession])
                }
            }
            if cell.kind == "DELIVERY" {
                for band in cell.ageBands {
                    let key = TierAgeBand(cell.tier, band)
                    region.lastDelivery[key] = later(region.lastDelivery[key])
                }
                if cell.programmes.contains(where: { taxonomy.programme($0)?.evidenceBand == .eb }) {
                    for group in cell.targetGroups {
                        region.lastEvidenceBased[group] = later(region.lastEvidenceBased[group])
                    }
                }
            }
            if parentalCare { region.lastParentalCare = later(region.lastParentalCare) }
            // The node's last training and deliveries (G9); taken out while it changes, as the region is.
            let trainsOrDelivers = cell.kind == "TRAINING" || cell.kind == "DELIVERY"
            if trainsOrDelivers, var node = facts.nodes.removeValue(forKey: cell.node) {
                if cell.kind == "TRAINING" { node.lastTraining = later(node.lastTraining) }
                for programme in cell.programmes where cell.kind == "DELIVERY" {
                    node.lastProgrammeDelivery[programme] = later(node.lastProgrammeDelivery[programme])
                }
                facts.nodes[cell.node] = node
            }
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
