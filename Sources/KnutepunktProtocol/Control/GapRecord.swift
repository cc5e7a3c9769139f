import KnutepunktDomain
import KnutepunktGaps

/// A gap as it leaves the hub: in `knutepunkt gaps --json` and `--csv`, in the hub's gap snapshot and on its `gap.…`
/// topics. Counts under 5 are withheld here (``SmallCells``).
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
    /// The finding's message, or a neutral one when it would quote a withheld count.
    package var message: String
    /// The numbers the rule read, without withheld ones (``SmallCells``) and without infinities (not JSON).
    package var inputs: [String: Double]
    /// Names of inputs withheld because they are (or reveal) counts of 1…4; absent when none are.
    package var withheld: [String]?
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
        let withheld = SmallCells.withheldInputs(finding)
        message =
            SmallCells.messageQuotesWithheld(finding, withheld) ? SmallCells.withheldMessage(finding) : finding.message
        // JSON has no infinity (G12's max/min when a region has nothing): such an input is left out.
        inputs = finding.inputs.filter { $0.value.isFinite && !withheld.contains($0.key) }
        self.withheld = withheld.isEmpty ? nil : withheld
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

extension GapRecord {
    /// The header of ``csvRow``.
    package static let csvHeader = CSVText.row([
        "region", "rule", "name", "severity", "target_group", "age_band", "node", "tiers", "opened_on", "message",
        "inputs", "thresholds",
    ])

    /// The gap as one CSV row. Inputs and thresholds are `name=value` pairs joined by `;`; a withheld input reads
    /// `name=<5`, as in the coverage table.
    package var csvRow: String {
        func pairs(_ values: [String: Double]) -> [String] {
            values.map { "\($0.key)=\(CSVText.number($0.value))" }
        }
        let inputPairs = (pairs(inputs) + (withheld ?? []).map { "\($0)=<\(SmallCells.minimum)" }).sorted()
        return CSVText.row([
            region ?? "", rule, name, severity, targetGroup ?? "", ageBand ?? "", node ?? "",
            (tiers ?? []).joined(separator: " "), openedOn ?? "", message, inputPairs.joined(separator: ";"),
            pairs(thresholds).sorted().joined(separator: ";"),
        ])
    }
}
