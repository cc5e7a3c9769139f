/// A kind of personal identity number the ``PersonalDataGuard`` refuses (DOMAIN.md §5).
package enum PersonalDataKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A Norwegian fødselsnummer, D-number, H-number or synthetic test number (11 digits, two mod-11 checks).
    case norwegianIdentityNumber = "PII_NO_FNR"
    /// A Swedish personnummer or samordningsnummer (10 or 12 digits, Luhn check).
    case swedishPersonalIdentityNumber = "PII_SE_PNR"

    /// The validation issue code that reports this kind.
    package var issueCode: ValidationIssue.Code {
        ValidationIssue.Code(rawValue: rawValue)
    }

    /// What was found, in words, for messages.
    package var explanation: String {
        switch self {
        case .norwegianIdentityNumber:
            "a Norwegian national identity number (fødselsnummer, D-number or H-number)"
        case .swedishPersonalIdentityNumber:
            "a Swedish personal identity number (personnummer or samordningsnummer)"
        }
    }
}
