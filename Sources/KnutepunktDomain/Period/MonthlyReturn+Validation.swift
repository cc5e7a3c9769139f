import Foundation

extension MonthlyReturn {
    /// Reads and checks a return document against the taxonomy: every member known and of its type, the node one of
    /// `region`'s and expected to report for the month (its reporting period in the taxonomy), the month over by
    /// `today`, a reason exactly when reopening, and no identity number in any text. Every problem is listed.
    package static func validate(
        _ value: JSONValue,
        taxonomy: Taxonomy,
        today: LocalDate
    ) -> Result<MonthlyReturn, ValidationFailure> {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ code: ValidationIssue.Code, _ message: String) {
            issues.append(ValidationIssue(field: field, code: code, message: message))
        }
        guard case .object(let object) = value else {
            return .failure(
                ValidationFailure(issues: [
                    ValidationIssue(field: ValidationIssue.wholeEvent, code: .notAnObject, message: "not an object")
                ])
            )
        }
        for key in object.keys where !memberNames.contains(key) {
            issue(key, .unknownField, "a monthly return has no member \(EventValidator.quoted(key))")
        }
        func text(_ name: String, required: Bool = true) -> String? {
            switch object[name] {
            case .string(let text)?: return text
            case nil, .null?:
                if required { issue(name, .missingField, "required") }
                return nil
            case let other?:
                issue(name, .wrongType, "expected a string, found \(other.typeDescription)")
                return nil
            }
        }
        func integer(_ name: String) -> Int? {
            switch object[name] {
            case .integer(let number)? where number >= 1 && number <= 1_000_000: return Int(number)
            case nil, .null?: return nil
            case _?:
                issue(name, .wrongType, "expected a whole number from 1")
                return nil
            }
        }
        if let schema = object["schema"], schema != .integer(1), schema != .null {
            issue("schema", .unsupportedSchema, "only schema 1 is known")
        }
        let region = text("region") ?? ""
        let node = text("node") ?? ""
        let monthText = text("month")
        let statusText = text("status")
        let reason = text("reason", required: false)
        let submittedBy = text("submitted_by", required: false)
        let submittedAt = text("submitted_at", required: false)
        let version = integer("version") ?? 1
        let basedOn = integer("based_on")
        if !region.isEmpty, taxonomy.region(region) == nil {
            issue("region", .unknownCode, "\(EventValidator.quoted(region)) is not a region of the taxonomy")
        }
        if !node.isEmpty {
            if let known = taxonomy.node(node) {
                if !region.isEmpty, known.region != region {
                    issue("node", .nodeNotInRegion, "\(EventValidator.quoted(node)) belongs to \(known.region)")
                }
            } else {
                issue("node", .unknownCode, "\(EventValidator.quoted(node)) is not a local node of the taxonomy")
            }
        }
        var month: ReportingMonth?
        if let monthText {
            if let parsed = ReportingMonth(text: monthText) {
                month = parsed
                if parsed.last >= today {
                    issue("month", .dateOutOfRange, "\(parsed) is not over yet; a return is made after its month")
                } else if taxonomy.node(node) != nil {
                    if let period = taxonomy.reportingPeriod(of: node) {
                        if !period.covers(parsed) {
                            issue(
                                "month",
                                .dateOutOfRange,
                                "\(node) was not open in \(parsed) (active from \(period.active)"
                                    + (period.closed.map { ", closed \($0)" } ?? "") + "); no return is expected"
                            )
                        }
                    } else {
                        issue(
                            "node",
                            .unknownCode,
                            "\(node) is not expected to make returns: its entry in the taxonomy has no active: date"
                        )
                    }
                }
            } else {
                issue("month", .badDate, "expected a month written YYYY-MM")
            }
        }
        var status: Status?
        if let statusText {
            status = Status(rawValue: statusText)
            if status == nil {
                issue("status", .unknownCode, "expected complete, nil or reopened")
            }
        }
        if status == .reopened, (reason ?? "").isEmpty {
            issue("reason", .missingField, "reopening a return needs a reason")
        }
        if status != nil, status != .reopened, reason != nil {
            issue("reason", .invalidVersion, "only a reopened return has a reason")
        }
        if version != (basedOn.map { $0 + 1 } ?? 1) {
            issue("version", .invalidVersion, "version must be based_on + 1 (1 without based_on)")
        }
        for (name, value, limit) in [("reason", reason, 280), ("submitted_by", submittedBy, 64)] {
            guard let value else { continue }
            if value.count > limit { issue(name, .textTooLong, "at most \(limit) characters") }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                issue(name, .controlCharacter, "one line of plain text")
            }
            for kind in PersonalDataGuard.findings(in: value) {
                issue(
                    name,
                    kind.issueCode,
                    "holds \(kind.explanation); a return must not carry identity numbers (it is not repeated here)"
                )
            }
        }
        if let id = object["id"], id != .null {
            let expected = month.map { Self.id(node: node, month: $0).lowercasedText }
            if id.stringValue?.lowercased() != expected, expected != nil {
                issue("id", .invalidID, "a return's id is derived from its node and month")
            }
        }
        guard issues.isEmpty, let month, let status else {
            return .failure(ValidationFailure(issues: issues))
        }
        return .success(
            MonthlyReturn(
                region: region,
                node: node,
                month: month,
                status: status,
                reason: reason,
                version: version,
                basedOn: basedOn,
                submittedBy: submittedBy,
                submittedAt: submittedAt
            )
        )
    }
}

extension MonthlyReturn {
    /// A return as the hub stored it (checked when it arrived): read back without the taxonomy. Nil when the document
    /// is not a return.
    package init?(stored value: JSONValue) {
        guard Self.isReturn(value), let node = value["node"]?.stringValue, let region = value["region"]?.stringValue,
            let month = value["month"]?.stringValue.flatMap(ReportingMonth.init(text:)),
            let status = value["status"]?.stringValue.flatMap(Status.init(rawValue:))
        else { return nil }
        func integer(_ name: String) -> Int? {
            if case .integer(let number)? = value[name] { return Int(number) }
            return nil
        }
        self.init(
            region: region,
            node: node,
            month: month,
            status: status,
            reason: value["reason"]?.stringValue,
            version: integer("version") ?? 1,
            basedOn: integer("based_on"),
            submittedBy: value["submitted_by"]?.stringValue,
            submittedAt: value["submitted_at"]?.stringValue
        )
    }
}
