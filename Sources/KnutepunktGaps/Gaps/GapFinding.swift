import KnutepunktDomain

/// One gap found by one rule in one evaluation, with everything needed to reproduce it: the numbers the rule read
/// (`inputs`) and the thresholds it compared them with (`thresholds`); and everything a reader needs: plain sentences
/// in English and Norwegian bokmål, the day the condition first held in the data, and how much it weighs.
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
    /// For readers, in English: a plain sentence that quotes no withheld figure (``GapWording``).
    package var message: String
    /// The same in Norwegian bokmål.
    package var messageNb: String
    /// The numbers the rule read, by name (e.g. `observed`, `median`, `p`). The store keeps them all; what leaves the
    /// hub leaves out the withheld ones (``SmallCells/withheldInputs(_:)``).
    package var inputs: [String: Double]
    /// The thresholds the rule used, by their `GapThresholds` name.
    package var thresholds: [String: Double]
    /// Nodes of the region that were stale when the finding was made (a partial-data warning; see `GapEvaluator`).
    package var staleNodes: [String]
    /// The day the condition first held in the data (see ``GapSince``); nil when the data cannot say (a node that
    /// never reported, a gap in the catalogue rather than the data).
    package var since: LocalDate?
    /// How `since` was found, when it is not simply the day the data give: `AT_LEAST` when the condition held from that
    /// day at least, and earlier days could not be judged from published figures (G2, G12; see ``GapSince``).
    package var sinceBasis: String?
    /// How sure the finding is, 0…1: lower when the numbers are small (the test's p-value) or part of the region
    /// is silent.
    package var confidence: Double
    /// The live births of the area concerned: a region's, the compared regions' for national findings.
    package var affectedBirths: Int

    package init(
        rule: GapRule,
        severity: GapSeverity,
        region: String?,
        targetGroup: String? = nil,
        tiers: [String] = [],
        ageBand: String? = nil,
        node: String? = nil,
        detail: String? = nil,
        message: String = "",
        messageNb: String = "",
        inputs: [String: Double] = [:],
        thresholds: [String: Double] = [:],
        staleNodes: [String] = [],
        since: LocalDate? = nil,
        confidence: Double = 1,
        affectedBirths: Int = 0
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
        self.messageNb = messageNb
        self.inputs = inputs
        self.thresholds = thresholds
        self.staleNodes = staleNodes
        self.since = since
        self.confidence = confidence
        self.affectedBirths = affectedBirths
    }

    /// Stable identity for the gap's lifecycle (opened, still open, closed): rule, region and subject, e.g.
    /// `G2|NO-VEST|PND`, `G3|NO-NORD|M3_12`, `G7|*|HICONF|KNOWLEDGE`. Severity, numbers and missing tiers are left
    /// out on purpose, so a gap that worsens from AMBER to RED stays the same gap.
    package var key: String {
        let subject = [targetGroup, ageBand, node, detail].compactMap { $0 }
        return ([rule.rawValue, region ?? "*"] + subject).joined(separator: "|")
    }

    /// How urgent the finding is, for ranking: severity (RED 3, AMBER 1) × thousands of births affected ×
    /// confidence. A region's RED gap outranks its AMBER ones; among equals, the bigger population and the surer
    /// finding come first.
    package var priority: Double {
        Self.priority(severity: severity, affectedBirths: affectedBirths, confidence: confidence)
    }

    /// The ranking score of ``priority`` from its parts (also for gap records, which carry the parts).
    package static func priority(severity: GapSeverity, affectedBirths: Int, confidence: Double) -> Double {
        (severity == .red ? 3 : 1) * Double(max(affectedBirths, 1)) / 1000 * confidence
    }

    private enum CodingKeys: String, CodingKey {
        case rule, severity, region, targetGroup, tiers, ageBand, node, detail, message, messageNb, inputs, thresholds
        case staleNodes, since, sinceBasis, confidence, affectedBirths
    }

    /// Reads findings stored before the sentences, `since`, confidence and births were recorded, too.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rule = try c.decode(GapRule.self, forKey: .rule)
        severity = try c.decode(GapSeverity.self, forKey: .severity)
        region = try c.decodeIfPresent(String.self, forKey: .region)
        targetGroup = try c.decodeIfPresent(String.self, forKey: .targetGroup)
        tiers = try c.decodeIfPresent([String].self, forKey: .tiers) ?? []
        ageBand = try c.decodeIfPresent(String.self, forKey: .ageBand)
        node = try c.decodeIfPresent(String.self, forKey: .node)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        messageNb = try c.decodeIfPresent(String.self, forKey: .messageNb) ?? message
        inputs = try c.decodeIfPresent([String: Double].self, forKey: .inputs) ?? [:]
        thresholds = try c.decodeIfPresent([String: Double].self, forKey: .thresholds) ?? [:]
        staleNodes = try c.decodeIfPresent([String].self, forKey: .staleNodes) ?? []
        since = try c.decodeIfPresent(LocalDate.self, forKey: .since)
        sinceBasis = try c.decodeIfPresent(String.self, forKey: .sinceBasis)
        confidence = try c.decodeIfPresent(Double.self, forKey: .confidence) ?? 1
        affectedBirths = try c.decodeIfPresent(Int.self, forKey: .affectedBirths) ?? 0
    }
}
