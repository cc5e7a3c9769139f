import KnutepunktDomain

/// The activity counters rolled up per region (and per node) and day, to exactly what the gap facts read: folding
/// these gives the same ``GapFacts`` as folding every counter cell (``GapFacts/Builder/add(_:_:)``), for any
/// evaluation day, window and taxonomy, but its size grows with the days and codes the store covers, not with the
/// events. The hub keeps one in memory, checkpoints it in its store with the storage position it covers, and at
/// start reads the checkpoint and the events stored after it instead of every counter cell.
///
/// Every figure is a count that versions can take out again (``add(_:_:sign:)`` with `sign: -1`), so corrections
/// and withdrawals keep it exact; a figure that drops to zero is removed, as if never added. Nothing here depends on
/// the taxonomy: where a rule asks whether a programme is dyadic or evidence-based, the programmes are kept as the
/// set the events named and the taxonomy is read when the days are folded.
package struct ActivityDays: Sendable, Hashable {
    /// What one figure counts.
    package enum Measure: UInt8, Sendable, Hashable, CaseIterable {
        /// All events of a region's day (key empty).
        case events = 0
        /// Events on `TEMPORARY_PROJECT` funding.
        case temporaryFunding = 1
        /// `INFANT_DAY` events.
        case infantDays = 2
        /// Events naming the target group (key).
        case targetGroup = 3
        /// Families reached by events naming the target group (key); the value is the families, not the events.
        case families = 4
        /// Events naming the age band (key).
        case ageBand = 5
        /// CONSULT_COLLAB and TRAINING events.
        case consultOrTraining = 6
        /// CONSULT_COLLAB and TRAINING events naming the profession (key).
        case profession = 7
        /// DELIVERY events naming the age band at the tier (key: tier, age band).
        case delivery = 8
        /// DELIVERY events naming the target group and naming programmes (key: target group, the programme set).
        case deliveryProgrammes = 9
        /// CONSULT_COLLAB events for a parental mental-health target group (G11).
        case parentalConsult = 10
        /// Other events at tier `T` for a parental mental-health target group (key: the programme set, since only
        /// those without a dyadic programme are parental care).
        case parentalTierT = 11
        /// All events of a node's day (key empty).
        case nodeEvents = 12
        /// TRAINING events of a node's day.
        case nodeTraining = 13
        /// DELIVERY events of a node naming the programme (key).
        case nodeProgramme = 14
    }

    /// One figure's place: what it counts, for which region (and node, for the node measures), day and code.
    package struct Key: Sendable, Hashable {
        package var measure: Measure
        package var region: String
        /// The local node for the node measures; empty for the region measures.
        package var node: String
        package var date: LocalDate
        /// The code (or codes, joined by ``ActivityDays/separator``); empty where the measure has none.
        package var code: String

        package init(_ measure: Measure, region: String, node: String = "", date: LocalDate, code: String = "") {
            self.measure = measure
            self.region = region
            self.node = node
            self.date = date
            self.code = code
        }
    }

    /// Joins the parts of a key's code (codes never contain it).
    package static let separator: Character = "|"

    /// Every non-zero figure.
    package internal(set) var figures: [Key: Int] = [:]
    /// The events counted (added less taken out), at any date.
    package internal(set) var events = 0

    package init() {}

    /// Adds (`sign` 1) or takes out (`sign` -1) what `count.events` events in `cell` count.
    package mutating func add(_ cell: ActivityCell, _ count: ActivityCount, sign: Int = 1) {
        let n = count.events * sign
        guard n != 0 else { return }
        events += n
        let region = cell.region
        let date = cell.date
        func bump(_ measure: Measure, _ code: String = "", node: String = "", by value: Int = n) {
            guard value != 0 else { return }
            let key = Key(measure, region: region, node: node, date: date, code: code)
            guard value < 0 else {
                // Adding to figures that are all positive never makes one zero: one lookup, in place.
                figures[key, default: 0] += value
                return
            }
            let sum = figures[key, default: 0] + value
            if sum == 0 { figures.removeValue(forKey: key) } else { figures[key] = sum }
        }
        bump(.events)
        bump(.nodeEvents, node: cell.node)
        if cell.funding == "TEMPORARY_PROJECT" { bump(.temporaryFunding) }
        if cell.kind == "INFANT_DAY" { bump(.infantDays) }
        for group in cell.targetGroups {
            bump(.targetGroup, group)
            bump(.families, group, by: count.families * sign)
        }
        for band in cell.ageBands { bump(.ageBand, band) }
        let consultOrTraining = cell.kind == "CONSULT_COLLAB" || cell.kind == "TRAINING"
        if consultOrTraining {
            bump(.consultOrTraining)
            for profession in cell.professions { bump(.profession, profession) }
        }
        if cell.kind == "TRAINING" { bump(.nodeTraining, node: cell.node) }
        if cell.kind == "DELIVERY" {
            for band in cell.ageBands { bump(.delivery, "\(cell.tier)\(Self.separator)\(band)") }
            if !cell.programmes.isEmpty {
                let programmes = ActivityCell.joined(cell.programmes)
                for group in cell.targetGroups {
                    bump(.deliveryProgrammes, "\(group)\(Self.separator)\(programmes)")
                }
            }
            for programme in cell.programmes { bump(.nodeProgramme, programme, node: cell.node) }
        }
        if cell.targetGroups.contains(where: { GapFacts.Builder.parentalMentalHealthGroups.contains($0) }) {
            if cell.kind == "CONSULT_COLLAB" {
                bump(.parentalConsult)
            } else if cell.tier == "T" {
                bump(.parentalTierT, ActivityCell.joined(cell.programmes))
            }
        }
    }

    /// Adds one validated event.
    package mutating func add(_ event: ActivityEvent) {
        add(ActivityCell(event), ActivityCount(event))
    }

    /// Whether every figure is positive: taking out more than was added (a version that was never counted) would
    /// leave a negative one, and the days would no longer be a fold of stored events.
    package var isConsistent: Bool {
        events >= 0 && figures.values.allSatisfy { $0 > 0 }
    }
}

extension ActivityDays.Key {
    /// The parts of the code (a key of ``ActivityDays/Measure/delivery`` or ``ActivityDays/Measure/deliveryProgrammes``).
    var codeParts: (String, String) {
        guard let index = code.firstIndex(of: ActivityDays.separator) else { return (code, "") }
        return (String(code[..<index]), String(code[code.index(after: index)...]))
    }
}
