/// A gap as JSON carries it: in `knutepunkt gaps --json`, in the hub's gap snapshot and on its `gap.…` topics.
package struct GapRecord: Codable, Sendable, Hashable {
    package var key: String
    /// `G1` … `G13`, `D1`.
    package var rule: String
    /// `ABSENT_SERVICE`, …
    package var name: String
    /// `RED` or `AMBER`.
    package var severity: String
    /// Absent for national findings.
    package var region: String?
    package var targetGroup: String?
    package var tiers: [String]?
    package var ageBand: String?
    package var node: String?
    package var message: String
    package var inputs: [String: Double]
    package var thresholds: [String: Double]
    /// When the gap was first seen and last evaluated (absent outside the lifecycle, e.g. in a one-off report).
    package var openedOn: String?
    package var lastEvaluated: String?

    package init(_ finding: GapFinding, openedOn: LocalDate? = nil, lastEvaluated: LocalDate? = nil) {
        key = finding.key
        rule = finding.rule.rawValue
        name = finding.rule.name
        severity = finding.severity.rawValue.uppercased()
        region = finding.region
        targetGroup = finding.targetGroup
        tiers = finding.tiers.isEmpty ? nil : finding.tiers
        ageBand = finding.ageBand
        node = finding.node
        message = finding.message
        // JSON has no infinity (G12's max/min when a region has nothing): such an input is left out.
        inputs = finding.inputs.filter { $0.value.isFinite }
        thresholds = finding.thresholds.filter { $0.value.isFinite }
        self.openedOn = openedOn?.iso
        self.lastEvaluated = lastEvaluated?.iso
    }

    package init(_ gap: GapLifecycle.OpenGap) {
        self.init(gap.finding, openedOn: gap.openedOn, lastEvaluated: gap.lastEvaluated)
    }

    /// The PUB topic of changes to this gap: `gap.<REGION>.<RULE>` (`gap.NATIONAL.<RULE>` for national findings).
    package var topic: String { "gap.\(region ?? "NATIONAL").\(rule)" }
}

/// The open gaps as of one sequence number (the hub's answer to GAPS), for a subscriber to start from.
package struct GapSnapshot: Codable, Sendable, Hashable {
    /// Changes to this number are in the snapshot; later ones come on the PUB socket.
    package var sequence: UInt64
    /// Identifies the hub run whose sequence this is: after a hub restart numbering starts again in a new epoch.
    package var epoch: String
    package var gaps: [GapRecord]

    package init(sequence: UInt64, epoch: String, gaps: [GapRecord]) {
        self.sequence = sequence
        self.epoch = epoch
        self.gaps = gaps
    }
}

/// One change to one gap, as published on `gap.<REGION>.<RULE>`.
package struct GapUpdate: Codable, Sendable, Hashable {
    package var sequence: UInt64
    package var epoch: String
    /// `opened`, `changed` or `closed`.
    package var change: String
    package var gap: GapRecord
    /// For `closed`: the evaluation date on which the rule no longer fired.
    package var closedOn: String?

    package init(_ update: GapLifecycle.Update, epoch: String) {
        sequence = update.sequence
        self.epoch = epoch
        switch update.change {
        case .opened(let gap):
            change = "opened"
            self.gap = GapRecord(gap)
        case .changed(let gap):
            change = "changed"
            self.gap = GapRecord(gap)
        case .closed(let gap, let date):
            change = "closed"
            self.gap = GapRecord(gap)
            closedOn = date.iso
        }
    }
}
