/// How urgent a gap is. `Comparable`: `.amber < .red`.
package enum GapSeverity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case amber = "AMBER"
    case red = "RED"

    package static func < (lhs: GapSeverity, rhs: GapSeverity) -> Bool { lhs == .amber && rhs == .red }
}
