/// One gap found by one rule in one evaluation, with everything needed to reproduce it: the numbers the rule read
/// (`inputs`) and the thresholds it compared them with (`thresholds`).
package struct GapFinding: Sendable, Hashable, Codable {
    package var rule: GapRule
    package var severity: GapSeverity
    /// The region charged with the gap; nil for national findings (G7 KNOWLEDGE, G12).
    package var region: String?
    package var targetGroup: String?
    /// The tiers concerned (G3: the missing tiers).
    package var tiers: [String]
    package var ageBand: String?
    package var node: String?
    /// A further part of the subject where a rule needs one: `SERVICE`/`KNOWLEDGE` (G7), the year (G13).
    package var detail: String?
    /// For readers, in English.
    package var message: String
    /// The numbers the rule read, by name (e.g. `observed`, `median`, `p`).
    package var inputs: [String: Double]
    /// The thresholds the rule used, by their `GapThresholds` name.
    package var thresholds: [String: Double]
    /// Nodes of the region that were stale when the finding was made (a partial-data warning; see `GapEvaluator`).
    package var staleNodes: [String]

    package init(
        rule: GapRule,
        severity: GapSeverity,
        region: String?,
        targetGroup: String? = nil,
        tiers: [String] = [],
        ageBand: String? = nil,
        node: String? = nil,
        detail: String? = nil,
        message: String,
        inputs: [String: Double] = [:],
        thresholds: [String: Double] = [:],
        staleNodes: [String] = []
    ) {
        self.rule = rule
        self.severity = severity
        self.region = region
        self.targetGroup = targetGroup
        self.tiers = tiers
        self.ageBand = ageBand
        self.node = node
        self.detail = detail
        self.message = message
        self.inputs = inputs
        self.thresholds = thresholds
        self.staleNodes = staleNodes
    }

    /// Stable identity for the gap's lifecycle (opened, still open, closed): rule, region and subject, e.g.
    /// `G2|NO-VEST|PND`, `G3|NO-NORD|M3_12`, `G7|*|HICONF|KNOWLEDGE`. Severity, numbers and missing tiers are left
    /// out on purpose, so a gap that worsens from AMBER to RED stays the same gap.
    package var key: String {
        let subject = [targetGroup, ageBand, node, detail].compactMap { $0 }
        return ([rule.rawValue, region ?? "*"] + subject).joined(separator: "|")
    }
}
