import KnutepunktDomain

extension ReasonCode {
    /// The reason an event that failed validation is refused for: personal data first (it must never be stored or
    /// repeated), then an unsupported schema, then a region the sender may not report for, else INVALID_EVENT. The
    /// hub NACKs with it; the node counts its own refusals by it.
    package static func refusing(_ issues: [ValidationIssue]) -> ReasonCode {
        let codes = Set(issues.map(\.code))
        if codes.contains(.piiNorwegianIdentityNumber) || codes.contains(.piiSwedishPersonalIdentityNumber) {
            return .personalData
        }
        if codes.contains(.unsupportedSchema) { return .unsupportedSchema }
        if codes.contains(.nodeNotInRegion) || codes.contains(.regionMismatch) { return .foreignRegion }
        return .invalidEvent
    }
}
