import KnutepunktDomain

/// The lifecycle of gaps across evaluations: a gap is opened when a rule first fires for its key, stays open (its
/// last evaluation moves on) while the rule keeps firing, and is closed when the rule no longer fires. No I/O.
///
/// Every change gets the next sequence number, so a subscriber can combine a snapshot (the open gaps as of sequence
/// *n*) with the updates numbered above *n* and miss or double nothing — ZeroMQ's Clone pattern.
///
/// A region that does not report, or that the store does not cover for a rule's period, neither opens nor closes
/// that rule's gaps there: "no data" is not "fixed". Its open gaps stay open, unchanged
/// (``GapEvaluator/Evaluation/holds(_:)``).
package struct GapLifecycle: Sendable, Hashable {
    /// A gap that is open.
    package struct OpenGap: Sendable, Hashable {
        package var finding: GapFinding
        package var openedOn: LocalDate
        package var lastEvaluated: LocalDate

        package init(finding: GapFinding, openedOn: LocalDate, lastEvaluated: LocalDate) {
            self.finding = finding
            self.openedOn = openedOn
            self.lastEvaluated = lastEvaluated
        }
    }

    /// What happened to one gap.
    package enum Change: Sendable, Hashable {
        /// The rule fired for a key with no open gap.
        case opened(OpenGap)
        /// The gap is still open but its severity or its missing tiers changed (e.g. AMBER became RED).
        case changed(OpenGap)
        /// The rule no longer fires for the key.
        case closed(OpenGap, closedOn: LocalDate)

        /// The gap's stable key.
        package var key: String {
            switch self {
            case .opened(let gap), .changed(let gap), .closed(let gap, _): gap.finding.key
            }
        }
    }

    /// One numbered change.
    package struct Update: Sendable, Hashable {
        package var sequence: UInt64
        package var change: Change
    }

    /// The open gaps, by key.
    package private(set) var open: [String: OpenGap]
    /// The number of the last change (0: none yet).
    package private(set) var sequence: UInt64

    /// Resumes from stored state (or starts empty).
    package init(open: [OpenGap] = [], sequence: UInt64 = 0) {
        self.open = Dictionary(open.map { ($0.finding.key, $0) }, uniquingKeysWith: { _, last in last })
        self.sequence = sequence
    }

    /// The open gaps in key order, and the sequence they are current as of.
    package var snapshot: (sequence: UInt64, gaps: [OpenGap]) {
        (sequence, open.keys.sorted().compactMap { open[$0] })
    }

    /// Takes one evaluation's result, as of `date`, and returns the changes in key order.
    package mutating func apply(_ evaluation: GapEvaluator.Evaluation, on date: LocalDate) -> [Update] {
        var firing: [String: GapFinding] = [:]
        for finding in evaluation.findings { firing[finding.key] = finding }
        var changes: [Change] = []
        for key in Set(firing.keys).union(open.keys).sorted() {
            switch (open[key], firing[key]) {
            case (nil, let finding?):
                let gap = OpenGap(finding: finding, openedOn: date, lastEvaluated: date)
                open[key] = gap
                changes.append(.opened(gap))
            case (var gap?, let finding?):
                // Numbers move with every evaluation; only what a reader acts on (severity, missing tiers) is a change.
                let different = gap.finding.severity != finding.severity || gap.finding.tiers != finding.tiers
                gap.finding = finding
                gap.lastEvaluated = date
                open[key] = gap
                if different { changes.append(.changed(gap)) }
            case (let gap?, nil) where !evaluation.holds(gap.finding):
                open[key] = nil
                changes.append(.closed(gap, closedOn: date))
            default:
                break
            }
        }
        return changes.map { change in
            sequence += 1
            return Update(sequence: sequence, change: change)
        }
    }
}
