import KnutepunktDomain
import Yams

/// Reporting periods in the taxonomy file: an entry of `nodes` may say `active: YYYY-MM-DD` (the day the local node
/// started; it is expected to make a monthly return for every month from then) and `closed: YYYY-MM-DD` (the day it
/// closed; no return is expected after that month). Configs/README.md, "Taxonomy".
extension TaxonomyFile {
    /// Reads every node's `active:` and `closed:` into `taxonomy`; mistakes go to `reader`.
    static func readReportingPeriods(_ reader: inout ConfigReader, _ document: Node, into taxonomy: inout Taxonomy) {
        guard let top = document.mapping else { return }
        for (index, item) in (top["nodes"]?.sequence.map(Array.init) ?? []).enumerated() {
            guard let entry = item.mapping, let code = entry["code"]?.scalar?.string else { continue }
            func day(_ key: String) -> LocalDate?? {
                guard let text = entry[key]?.scalar?.string else { return .some(nil) }
                guard let day = LocalDate(iso: text) else {
                    reader.fail(
                        .invalidValue,
                        "nodes[\(index)].\(key)",
                        "expected a day, YYYY-MM-DD, found \"\(text)\"",
                        fix: "Write e.g. \(key): 2026-01-01"
                    )
                    return nil
                }
                return .some(day)
            }
            guard let active = day("active"), let closed = day("closed") else { continue }
            guard let active else {
                if closed != nil {
                    reader.fail(
                        .missingKey,
                        "nodes[\(index)].active",
                        "\(code) has closed: but no active:",
                        fix: "Add active: with the day \(code) started reporting"
                    )
                }
                continue
            }
            if let closed, closed < active {
                reader.fail(
                    .invalidValue,
                    "nodes[\(index)].closed",
                    "\(code) closed on \(closed), before it became active on \(active)",
                    fix: "Make closed: a day on or after active:"
                )
                continue
            }
            taxonomy.reportingPeriods[code] = Taxonomy.ReportingPeriod(active: active, closed: closed)
        }
    }
}
