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
        if codes.contains(.periodLocked) { return .periodLocked }
        if codes.contains(.nodeNotInRegion) || codes.contains(.regionMismatch) { return .foreignRegion }
        return .invalidEvent
    }
}

extension ReasonCode {
    /// The NACK reason for a version the hub's store refused, in the vocabulary of the session's version: a node of
    /// KPN/1.0 knows neither CONFLICTING_CONTENT nor STALE_VERSION, and gets DUPLICATE_EVENT_ID (with the same
    /// detail), which is what a 1.0 hub answers for an id it holds.
    package static func refusing(_ refusal: EventVersioning.Refusal, in version: ProtocolVersion) -> ReasonCode {
        switch refusal.code {
        case .foreignEvent: return .foreignRegion
        case .conflictingContent: return version >= .versions ? .conflictingContent : .duplicateEventID
        case .staleVersion: return version >= .versions ? .staleVersion : .duplicateEventID
        // As for an event dated in a locked month itself, whatever the session's version.
        case .periodLocked: return .periodLocked
        }
    }
}
