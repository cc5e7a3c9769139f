// Retired codes (Taxonomy+Retirement.swift): a code the taxonomy retired may be used for activities dated before its
// retirement day plus the grace period, and is refused from then on. Checked once the date and every code are read.
extension EventValidator {
    /// Reports every code in `fields` that is retired for an activity on `date`. A field whose codes are a list is
    /// reported per item (`target_groups[1]`).
    func reportRetiredCodes(
        _ check: inout EventCheck,
        on date: LocalDate?,
        _ fields: [(field: String, vocabulary: Taxonomy.Vocabulary, codes: [String]?, isList: Bool)]
    ) {
        guard let date, !taxonomy.retirements.isEmpty else { return }
        for (field, vocabulary, codes, isList) in fields {
            for (index, code) in (codes ?? []).enumerated() {
                guard let cutoff = taxonomy.refusedFrom(code, in: vocabulary), date >= cutoff,
                    let retired = taxonomy.retiredOn(code, in: vocabulary)
                else { continue }
                let inUse = taxonomy.codes(of: vocabulary).filter { taxonomy.retiredOn($0, in: vocabulary) == nil }
                check.report(
                    isList ? "\(field)[\(index)]" : field,
                    .retiredCode,
                    "\(code) was retired on \(retired.iso); activities from \(cutoff.iso) on cannot use it. Use one "
                        + "of: \(inUse.joined(separator: ", "))"
                )
            }
        }
    }
}
