import KnutepunktDomain

extension GapFacts.Builder {
    /// Adds the rolled-up days: the same facts as adding every event (or counter cell) they were rolled up from.
    package mutating func add(_ days: ActivityDays) {
        for (key, value) in days.figures { add(key, value) }
        sortInfantDays()
    }

    /// Adds one figure of ``ActivityDays``. Infant days are appended unsorted: ``sortInfantDays()`` after the last.
    mutating func add(_ key: ActivityDays.Key, _ value: Int) {
        let date = key.date
        guard date <= facts.asOf, value > 0 else { return }
        let inWindow = facts.inWindow(date)
        func later(_ old: LocalDate?) -> LocalDate { max(old ?? date, date) }
        switch key.measure {
        case .nodeEvents:
            noteReport(node: key.node, region: key.region, on: date)
            return
        case .nodeTraining:
            var node = facts.nodes.removeValue(forKey: key.node) ?? GapFacts.NodeFacts(region: key.region)
            node.lastTraining = later(node.lastTraining)
            if inWindow { node.trains = true }
            facts.nodes[key.node] = node
            return
        case .nodeProgramme:
            var node = facts.nodes.removeValue(forKey: key.node) ?? GapFacts.NodeFacts(region: key.region)
            node.lastProgrammeDelivery[key.code] = later(node.lastProgrammeDelivery[key.code])
            if inWindow { node.programmesDelivered.insert(key.code) }
            facts.nodes[key.node] = node
            return
        default:
            break
        }
        // Taken out while it changes, so its dictionaries and sets are not copied on every write.
        var region = facts.regions.removeValue(forKey: key.region) ?? GapFacts.RegionFacts(births: 0)
        defer { facts.regions[key.region] = region }
        switch key.measure {
        case .events:
            region.firstData = min(region.firstData ?? date, date)
            if let quarter = facts.quarterIndex(of: date) { region.quarterlyEvents[quarter] += value }
            if inWindow { region.totalEvents += value }
        case .temporaryFunding:
            if inWindow { region.temporaryEvents += value }
        case .infantDays:
            if date.year >= facts.asOf.year - 1 {
                region.infantDays[date.year, default: []].append(contentsOf: repeatElement(date, count: value))
            }
        case .targetGroup:
            region.lastEvent[key.code] = later(region.lastEvent[key.code])
            if let quarter = facts.trendQuarterIndex(of: date) {
                region.quarterlyGroupEvents[key.code, default: GapFacts.RegionFacts.noQuarters][quarter] += value
            }
            if inWindow {
                region.events[key.code, default: 0] += value
                region.families[key.code, default: 0] += 0
            }
        case .families:
            if inWindow { region.families[key.code, default: 0] += value }
        case .ageBand:
            region.lastAgeBand[key.code] = later(region.lastAgeBand[key.code])
            if inWindow { region.activeAgeBands.insert(key.code) }
        case .consultOrTraining:
            if inWindow { region.consultTrainingEvents += value }
        case .profession:
            region.lastProfession[key.code] = later(region.lastProfession[key.code])
            if inWindow { region.professionEvents[key.code, default: 0] += value }
        case .delivery:
            let (tier, band) = key.codeParts
            let pair = GapFacts.TierAgeBand(tier, band)
            region.lastDelivery[pair] = later(region.lastDelivery[pair])
            if inWindow { region.deliveries.insert(pair) }
        case .deliveryProgrammes:
            let (group, joined) = key.codeParts
            let programmes = ActivityCell.split(joined)
            if programmes.contains(where: { taxonomy.programme($0)?.evidenceBand == .eb }) {
                region.lastEvidenceBased[group] = later(region.lastEvidenceBased[group])
            }
            guard inWindow else { return }
            region.programmesByTargetGroup[group, default: []].formUnion(programmes)
            if Self.parentalMentalHealthGroups.contains(group),
                programmes.contains(where: { taxonomy.programme($0)?.dyadic == true })
            {
                region.dyadicDeliveries[group, default: 0] += value
            }
        case .parentalConsult:
            region.lastParentalCare = later(region.lastParentalCare)
            if inWindow { region.parentalMentalHealthCare += value }
        case .parentalTierT:
            guard !ActivityCell.split(key.code).contains(where: { taxonomy.programme($0)?.dyadic == true }) else {
                return
            }
            region.lastParentalCare = later(region.lastParentalCare)
            if inWindow { region.parentalMentalHealthCare += value }
        case .nodeEvents, .nodeTraining, .nodeProgramme:
            break
        }
    }

    /// Puts each year's infant days in date order, as adding events one by one keeps them.
    mutating func sortInfantDays() {
        for code in Array(facts.regions.keys) where !(facts.regions[code]?.infantDays.isEmpty ?? true) {
            for year in facts.regions[code]!.infantDays.keys { facts.regions[code]!.infantDays[year]!.sort() }
        }
    }
}

extension NetworkGapFacts {
    /// Folds rolled-up days into each country's facts (figures of regions outside the network are ignored): the same
    /// facts as folding every counter cell they were rolled up from.
    package mutating func add(_ days: ActivityDays) {
        for (key, value) in days.figures {
            guard let index = countryOfRegion[key.region] else { continue }
            countries[index].builder.add(key, value)
        }
        for index in countries.indices { countries[index].builder.sortInfantDays() }
    }
}
