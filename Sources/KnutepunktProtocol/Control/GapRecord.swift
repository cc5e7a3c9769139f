import KnutepunktDomain
import KnutepunktGaps

/// A gap as it leaves the hub: in `knutepunkt gaps --json` and `--csv`, in the hub's gap snapshot and on its `gap.…`
/// topics, on the dashboard. Counts under 5 are withheld here (``SmallCells``); the sentences quote none.
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
    /// `SERVICE`/`KNOWLEDGE` (G7), the year (G13), `NO_REPORT` (D1 for a whole region).
    package var detail: String?
    /// The finding as a plain sentence in English (quoting no withheld figure).
    package var message: String
    /// The same in Norwegian bokmål.
    package var messageNb: String?
    /// The day the condition first held in the data (``GapSince``); where the published figures cannot tell it (G8,
    /// and G2 or G12 when the latest quarter end cannot be judged), the day the hub first found it. Absent when
    /// neither is known.
    package var since: String?
    /// `AT_LEAST` when the condition held from `since` at least and earlier days could not be judged from published
    /// figures: a bound of G2 or G12, or the day the hub first found it (the condition held then, and may have held
    /// before); absent when `since` is the day it began.
    package var sinceBasis: String?
    /// How sure the finding is, 0…1, and the live births of the area concerned: with the severity, its rank
    /// (``priority``).
    package var confidence: Double?
    package var affectedBirths: Int?
    /// Local nodes of the region that are silent (part of the region has no data).
    package var staleNodes: [String]?
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
        detail = finding.detail
        message = finding.message
        messageNb = finding.messageNb
        // The data's day when there is one; otherwise (G8, some G2 and G12) the day the hub first found it, which
        // only bounds the day the condition began.
        since = (finding.since ?? openedOn)?.iso
        sinceBasis = finding.since == nil ? (openedOn == nil ? nil : GapSince.atLeast) : finding.sinceBasis
        confidence = (finding.confidence * 100).rounded() / 100
        affectedBirths = finding.affectedBirths
        staleNodes = finding.staleNodes.isEmpty ? nil : finding.staleNodes
        let withheld = SmallCells.withheldInputs(finding)
        inputs = SmallCells.publishedInputs(finding)
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

    /// How urgent the gap is, for ranking (``GapFinding/priority``).
    package var priority: Double {
        GapFinding.priority(
            severity: severity == GapSeverity.red.rawValue ? .red : .amber,
            affectedBirths: affectedBirths ?? 0,
            confidence: confidence ?? 1
        )
    }
}

extension GapRecord: GroupableGap {
    package var groupRule: String { rule }
    package var groupSeverity: String { severity }
    package var groupPriority: Double { priority }
    package func sentence(_ language: Language) -> String { language == .en ? message : messageNb ?? message }
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
    /// The columns of ``tableRow(group:decimalMark:)``.
    package static let tableColumns = [
        "rank", "group", "region", "rule", "name", "severity", "target_group", "age_band", "node", "tiers", "since",
        "since_basis", "opened_on", "message", "message_nb", "confidence", "affected_births", "inputs", "thresholds",
    ]

    /// The gap as one row of a report table (CSV, Excel): its rank, the rank of its group, then the gap. Inputs and
    /// thresholds are `name=value` pairs joined by ` ` (so that a semicolon-separated sheet keeps them in one cell),
    /// numbers with `decimalMark`; a withheld input reads `name=<5`.
    package func tableRow(rank: Int, group: Int, decimalMark: String = ".") -> [ReportTable.Value] {
        func number(_ value: Double) -> String {
            decimalMark == "."
                ? CSVText.number(value) : CSVText.number(value).replacingOccurrences(of: ".", with: decimalMark)
        }
        func pairs(_ values: [String: Double]) -> [String] {
            values.map { "\($0.key)=\(number($0.value))" }
        }
        let inputPairs = (pairs(inputs) + (withheld ?? []).map { "\($0)=\(ReportTable.withheldText)" }).sorted()
        return [
            .integer(rank), .integer(group), .text(region ?? ""), .text(rule), .text(name), .text(severity),
            .text(targetGroup ?? ""), .text(ageBand ?? ""), .text(node ?? ""),
            .text((tiers ?? []).joined(separator: " ")),
            .text(since ?? ""), .text(sinceBasis ?? ""), .text(openedOn ?? ""), .text(message),
            .text(messageNb ?? message),
            confidence.map { .decimal($0, digits: 2) } ?? .empty, affectedBirths.map { .integer($0) } ?? .empty,
            .text(inputPairs.joined(separator: " ")), .text(pairs(thresholds).sorted().joined(separator: " ")),
        ]
    }
}
