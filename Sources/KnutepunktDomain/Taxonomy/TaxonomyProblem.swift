/// One inconsistency found in a `Taxonomy` by `validate()`: where it is (a key path in the taxonomy file's layout,
/// such as `programmes[3].tiers[1]`), what is wrong and how to fix it.
///
/// Errors make the taxonomy unusable (daemons refuse to start with it); warnings are reported by
/// `knutepunkt config check` but do not fail it.
package struct TaxonomyProblem: Sendable, Hashable, CustomStringConvertible {
    package enum Severity: String, Sendable, Hashable {
        /// The taxonomy cannot be used as it is.
        case error
        /// Suspicious, worth a look, but usable (e.g. regional births that don't add up to the national figure).
        case warning
    }

    /// What kind of inconsistency. Extensible: new kinds may appear, so don't switch over it exhaustively.
    package struct Kind: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// Two entries of one list share a code.
        package static let duplicateCode = Kind(rawValue: "duplicateCode")
        /// A code does not have the required form.
        package static let malformedCode = Kind(rawValue: "malformedCode")
        /// A code refers to an entry that does not exist (a node's region, a programme's tier, …).
        package static let unknownReference = Kind(rawValue: "unknownReference")
        /// A value is out of range or empty (a births figure of 0, a figure without a source, an off-scale rating).
        package static let invalidValue = Kind(rawValue: "invalidValue")
        /// Entries disagree with each other (regional births far from the national figure, `ALL` with others).
        package static let inconsistent = Kind(rawValue: "inconsistent")

        package var description: String { rawValue }
    }

    package var severity: Severity
    package var kind: Kind
    /// Where, as a dotted path in the taxonomy file (`nodes[4].region`).
    package var key: String
    package var message: String
    /// What to do about it.
    package var fix: String

    package init(_ severity: Severity, _ kind: Kind, key: String, message: String, fix: String) {
        self.severity = severity
        self.kind = kind
        self.key = key
        self.message = message
        self.fix = fix
    }

    package var isError: Bool { severity == .error }

    package var description: String {
        "\(severity == .warning ? "warning: " : "")\(key): \(message). Fix: \(fix)"
    }
}
