import KnutepunktDomain

/// The parameters of the gap rules (DOMAIN.md §4). The defaults are the values of `Configs/gaps.yaml`; each finding
/// records the ones it used, by these names, so it can be reproduced.
package struct GapThresholds: Sendable, Hashable {
    /// Length of the rolling window, in months.
    package var windowMonths: Int = 12
    /// G2: AMBER below this fraction of the median rate.
    package var rateAmberFactor: Double = 0.75
    /// G2: RED below this fraction of the median rate (when statistically clear).
    package var rateRedFactor: Double = 0.5
    /// G2 and G12: the significance level of their tests (G2: Poisson P(X ≤ observed | λ = rateRedFactor·median·
    /// births/1000) for RED; G12: the chi-square test that the regions share one rate).
    package var rateSignificance: Double = 0.05
    /// G2 and G12: a region is compared only when the median (G2) or the national rate (G12) would give it at least
    /// this many events: fewer carry too little evidence for a shortfall.
    package var minimumExpected: Double = 5
    /// G6: the professions (or profession groups) that should take part in consultation and training.
    package var requiredProfessions: [String] = ["MIDWIFE", "PHN", "PHYSICIAN_ANY", "PSYCH", "CW"]
    /// G6: the group whose absence alone is RED.
    package var physicianGroup: String = "PHYSICIAN_ANY"
    /// G6: RED below this coverage of the required set.
    package var professionCoverageRed: Double = 0.6
    /// G6: AMBER below this coverage.
    package var professionCoverageAmber: Double = 0.8
    /// G6: coverage is judged from at least this many consultation and training events (none at all is RED).
    package var professionMinimumEvents: Int = 5
    /// G8: AMBER above this share of events on temporary project funding.
    package var temporaryShareAmber: Double = 0.5
    /// G8: RED above this share.
    package var temporaryShareRed: Double = 0.8
    /// G8: the share is judged from at least this many events.
    package var shareMinimumEvents: Int = 10
    /// G9: a lighthouse node delivers at least this many programmes (and trains).
    package var lighthouseMinProgrammes: Int = 2
    /// G10: AMBER when the last 4 quarters changed by this fraction or less against the 4 before…
    package var declineFraction: Double = -0.30
    /// G10: …and dropped by at least this many events.
    package var declineMinDrop: Int = 10
    /// G12: AMBER when max/min across regions is above this…
    package var inequityRatioAmber: Double = 2
    /// G12: …or the coefficient of variation is above this.
    package var inequityCVAmber: Double = 0.3
    /// G12: RED when max/min is above this.
    package var inequityRatioRed: Double = 4
    /// D1: a node is stale after this many days without a report.
    package var staleDays: Int = 90
    /// G13: AMBER when a year has no infant day after this month and day (1 October)…
    package var infantDayAmberMonth: Int = 10
    package var infantDayAmberDay: Int = 1
    // …and RED once the year is over (after 31 December): not a parameter.
    /// Monthly returns (DOMAIN.md §6): a return is on time when it reaches the hub at most this many days after its
    /// month ends (DHIS2's `timelyDays`); one still missing after that is overdue, and only then missing for the rules.
    package var timelyDays: Int = Completeness.defaultTimelyDays

    package init() {}

    /// The defaults (the values of `Configs/gaps.yaml`).
    package static let standard = GapThresholds()
}
