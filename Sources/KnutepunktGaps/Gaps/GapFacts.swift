import KnutepunktDomain

/// The aggregated inputs of one gap evaluation, so the rules never see raw events. Build it with
/// `GapFacts.Builder` from events (incrementally), or by hand in tests.
///
/// The **window** is the rolling 12 months ending on `asOf`: dates `d` with `windowStart < d ≤ asOf`, where
/// `windowStart = asOf − 12 months` (so an evaluation as of 2026-06-30 reads 2025-07-01…2026-06-30). Counts by target
/// group count an event once for each group it names; `ALL` is a group of its own and is not spread over the others.
/// Families are counted the same way, so they must not be added up across groups.
///
/// Besides the window the facts keep what tells *no report* from *no service* (DOMAIN.md §6): each region's first
/// data, when its node daemon was last heard, each local node's last report and (once the hub records them) the
/// monthly returns; and, for the day a condition first held (`GapFinding.since`), the last day each kind of activity
/// was seen.
package struct GapFacts: Sendable, Hashable {
    /// The evaluation's day (inclusive end of the window).
    package var asOf: LocalDate
    /// Exclusive start of the window.
    package var windowStart: LocalDate
    /// The first day of the oldest of the 8 quarters in `RegionFacts.quarterlyEvents`.
    package var firstQuarter: LocalDate
    /// Per region code. Every taxonomy region is here (the builder seeds them), active or not.
    package var regions: [String: RegionFacts]
    /// Per local node code.
    package var nodes: [String: NodeFacts]
    /// The monthly returns expected and received (DOMAIN.md §6), once the hub records them; nil until then, and the
    /// rules tell silence from service by the nodes' reports and contact alone.
    package var returns: ExpectedReturns?

    /// Empty facts for an evaluation as of `asOf`, with no regions or nodes.
    package init(asOf: LocalDate, windowMonths: Int = 12) {
        self.asOf = asOf
        self.windowStart = asOf.adding(months: -windowMonths)
        self.firstQuarter = Self.quarterStarts(asOf: asOf).first!
        self.regions = [:]
        self.nodes = [:]
    }

    /// Whether `date` is in the window.
    package func inWindow(_ date: LocalDate) -> Bool {
        windowStart < date && date <= asOf
    }

    /// The first day the window holds.
    package var windowFirstDay: LocalDate { windowStart.adding(days: 1) }

    /// The window's length in months.
    package var windowMonths: Int {
        (asOf.year * 12 + asOf.month) - (windowStart.year * 12 + windowStart.month)
    }

    /// The first evaluation day whose window no longer holds `date` (the window of a later day starts later).
    package func firstDayOutOfWindow(_ date: LocalDate) -> LocalDate {
        let months = windowMonths
        var day = date.adding(months: months)
        while day.adding(months: -months) < date { day = day.adding(days: 1) }
        while day.adding(days: -1).adding(months: -months) >= date { day = day.adding(days: -1) }
        return day
    }

    /// The first days of the 8 complete calendar quarters up to `asOf`, oldest first. A quarter is complete when
    /// its last day is on or before `asOf`; the running quarter is left out so a half-reported quarter does not look
    /// like a decline (G10).
    package static func quarterStarts(asOf: LocalDate) -> [LocalDate] {
        let lastComplete = asOf.adding(days: 1).firstOfQuarter.adding(months: -3)
        return (0..<8).reversed().map { lastComplete.adding(months: -3 * $0) }
    }

    /// The index (0…7) of `date`'s quarter in `quarterlyEvents`, or nil outside the 8 quarters.
    package func quarterIndex(of date: LocalDate) -> Int? {
        trendQuarterIndex(of: date).flatMap { $0 < 8 ? $0 : nil }
    }

    /// The index (0…8) of `date`'s quarter in `RegionFacts.quarterlyGroupEvents`: the 8 complete quarters, then the
    /// running one; nil before them.
    package func trendQuarterIndex(of date: LocalDate) -> Int? {
        let months = (date.year * 12 + date.month - 1) - (firstQuarter.year * 12 + firstQuarter.month - 1)
        guard months >= 0 else { return nil }
        let index = months / 3
        return index < 9 ? index : nil
    }

    /// The region's code for each of its facts' nodes.
    package func nodes(inRegion region: String) -> [String] {
        nodes.filter { $0.value.region == region }.keys.sorted()
    }
}

extension GapFacts {
    /// A tier and an age band with delivery activity (G3).
    package struct TierAgeBand: Sendable, Hashable, Comparable {
        package var tier: String
        package var ageBand: String

        package init(_ tier: String, _ ageBand: String) {
            self.tier = tier
            self.ageBand = ageBand
        }

        package static func < (lhs: TierAgeBand, rhs: TierAgeBand) -> Bool {
            (lhs.tier, lhs.ageBand) < (rhs.tier, rhs.ageBand)
        }
    }

    /// What the rules read about one region. Counts are for the window unless said.
    package struct RegionFacts: Sendable, Hashable {
        /// Live births (the taxonomy's figure): the denominator of every rate. 0 when unknown; rates skip it.
        package var births: Int
        /// Events per target group (G1, G2, G12).
        package var events: [String: Int] = [:]
        /// Families reached per target group (reported beside G2's rate).
        package var families: [String: Int] = [:]
        /// The (tier, age band) pairs named by DELIVERY events (G3).
        package var deliveries: Set<TierAgeBand> = []
        /// Age bands named by any event (G5).
        package var activeAgeBands: Set<String> = []
        /// CONSULT_COLLAB and TRAINING events naming each profession (G6).
        package var professionEvents: [String: Int] = [:]
        /// All CONSULT_COLLAB and TRAINING events (G6).
        package var consultTrainingEvents: Int = 0
        /// Events on `TEMPORARY_PROJECT` funding (G8).
        package var temporaryEvents: Int = 0
        /// All events (G8).
        package var totalEvents: Int = 0
        /// Events per quarter, the 8 quarters from `GapFacts.firstQuarter`, oldest first (G10). Not the window.
        package var quarterlyEvents: [Int] = Array(repeating: 0, count: 8)
        /// Events per target group per quarter: the 8 quarters of `quarterlyEvents` and the running one (9 entries;
        /// the last stays 0 when `asOf` ends a quarter). The cells of the published trends (``QuarterlyTrends``),
        /// from which G2's and G12's `since` re-judges earlier quarter ends (``GapSince``). Not the window.
        package var quarterlyGroupEvents: [String: [Int]] = [:]
        /// Programmes named by DELIVERY events, per target group (G7).
        package var programmesByTargetGroup: [String: Set<String>] = [:]
        /// DELIVERY events of a dyadic programme, per target group, for `PND` and `PAR_MH` (G11).
        package var dyadicDeliveries: [String: Int] = [:]
        /// Parental mental-health treatment or referral events (G11): events for `PND` or `PAR_MH` that are
        /// CONSULT_COLLAB (consultation on the referral pathway), or at tier `T` and deliver no dyadic programme (a
        /// dyadic treatment such as CPP treats the relationship, not the parent's illness).
        package var parentalMentalHealthCare: Int = 0
        /// The dates of `INFANT_DAY` events, per calendar year (G13). Not the window: this and last year.
        package var infantDays: [Int: [LocalDate]] = [:]

        // MARK: Data, not service (DOMAIN.md §6)

        /// The day of the region's first event, at any date up to `asOf`; nil: none.
        package var firstData: LocalDate?
        /// The last day a node daemon reporting for the region was heard from (the hub's record); nil: unknown.
        package var lastHeard: LocalDate?

        // MARK: When a condition began (`GapFinding.since`); dates up to `asOf`, in or before the window

        /// The last event per target group (G1).
        package var lastEvent: [String: LocalDate] = [:]
        /// The last event naming each age band (G5).
        package var lastAgeBand: [String: LocalDate] = [:]
        /// The last DELIVERY per tier and age band (G3).
        package var lastDelivery: [TierAgeBand: LocalDate] = [:]
        /// The last CONSULT_COLLAB or TRAINING event naming each profession (G6).
        package var lastProfession: [String: LocalDate] = [:]
        /// The last DELIVERY of an evidence-based programme per target group (G7).
        package var lastEvidenceBased: [String: LocalDate] = [:]
        /// The last parental mental-health treatment or referral event (G11).
        package var lastParentalCare: LocalDate?

        /// An empty row of `quarterlyGroupEvents`.
        static let noQuarters = Array(repeating: 0, count: 9)

        package init(births: Int) {
            self.births = births
        }

        /// Events per 1,000 births for `targetGroup`; nil when births are unknown (0). The true figure: what leaves
        /// the hub is ``GapRules/publishedRate(_:_:)``.
        package func rate(_ targetGroup: String) -> Double? {
            births > 0 ? 1000 * Double(events[targetGroup, default: 0]) / Double(births) : nil
        }

        /// Families reached per 1,000 births for `targetGroup`; nil when births are unknown.
        package func familyRate(_ targetGroup: String) -> Double? {
            births > 0 ? 1000 * Double(families[targetGroup, default: 0]) / Double(births) : nil
        }
    }

    /// What the rules read about one local node.
    package struct NodeFacts: Sendable, Hashable {
        package var region: String
        /// Programmes named by its DELIVERY events in the window (G9).
        package var programmesDelivered: Set<String> = []
        /// Whether it ran a TRAINING event in the window (G9).
        package var trains: Bool = false
        /// Its latest report (an event's date, or a heartbeat the caller notes); nil: never (D1).
        package var lastReport: LocalDate?
        /// The last DELIVERY naming each programme, at any date up to `asOf` (G9's `since`).
        package var lastProgrammeDelivery: [String: LocalDate] = [:]
        /// Its last TRAINING event, at any date up to `asOf` (G9's `since`); nil: none.
        package var lastTraining: LocalDate?

        package init(region: String, lastReport: LocalDate? = nil) {
            self.region = region
            self.lastReport = lastReport
        }
    }
}
