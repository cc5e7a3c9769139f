import KnutepunktDomain

extension ConfigError {
    /// A consistency problem of the taxonomy read from `file`, located and worded like any configuration error.
    package init(_ problem: TaxonomyProblem, file: String) {
        let code: Code =
            switch problem.kind {
            case .duplicateCode: .duplicate
            case .malformedCode, .invalidValue: .invalidValue
            case .unknownReference: .unknownReference
            default: .inconsistent
            }
        self.init(code: code, file: file, key: problem.key, message: problem.message, fix: problem.fix)
    }
}
