/// Why an event was refused: every problem found, not just the first, so a coordinator can fix them in one go.
package struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// At least one issue.
    package var issues: [ValidationIssue]

    package init(issues: [ValidationIssue]) {
        self.issues = issues
    }

    /// The distinct codes, for deciding what to answer (e.g. the hub's NACK reason).
    package var codes: Set<ValidationIssue.Code> { Set(issues.map(\.code)) }

    /// True if the privacy guard found an identity number.
    package var containsPersonalData: Bool { issues.contains { $0.code.isPersonalData } }

    package var description: String {
        let count = issues.count == 1 ? "1 problem" : "\(issues.count) problems"
        return "the event has \(count): " + issues.map(\.description).joined(separator: "; ")
    }
}
