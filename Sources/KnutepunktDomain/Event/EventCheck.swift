/// The state of one validation: the object and the issues found so far.
struct EventCheck {
    let object: JSONObject
    var issues: [ValidationIssue] = []
    /// Problems found beyond ``EventValidator/maxIssues``, counted but not kept: a hostile payload with a million
    /// unknown members must not cost a million messages.
    var omitted = 0

    init(object: JSONObject) {
        self.object = object
    }

    /// True once no further issue is kept; callers may then skip composing messages.
    var isFull: Bool { issues.count >= EventValidator.maxIssues }

    mutating func report(_ field: String, _ code: ValidationIssue.Code, _ message: @autoclosure () -> String) {
        guard !isFull else {
            omitted += 1
            return
        }
        issues.append(ValidationIssue(field: field, code: code, message: message()))
    }

    /// The member's value; nil when absent or JSON null (both mean "not given").
    func value(_ name: String) -> JSONValue? {
        guard let value = object[name], value != .null else { return nil }
        return value
    }
}
