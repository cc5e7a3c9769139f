import Foundation
import KnutepunktDomain

/// Realistic, valid event objects for tests, with ids derived from (source, index) so a resubmission is the
/// same event.
package enum EventFixtures {
    /// A deterministic UUID for test event `index` of `source`.
    package static func id(_ source: String, _ index: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in source.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let high = String(hash, radix: 16).leftPadded(16)
        let low = String(UInt64(index), radix: 16).leftPadded(16)
        let hex = high + low
        let a = hex.prefix(8)
        let b = hex.dropFirst(8).prefix(4)
        let c = hex.dropFirst(12).prefix(4)
        let d = hex.dropFirst(16).prefix(4)
        let e = hex.dropFirst(20)
        return "\(a)-\(b)-\(c)-\(d)-\(e)"
    }

    /// The monthly returns (`complete`, made on the first day after each month) that `taxonomy` expects from `nodes`
    /// of `region` for the months over by `today`, as payloads a node sends: what a region's coordinators have made
    /// when the hub is to read that region (docs/events.md, "Monthly returns").
    package static func monthlyReturns(
        region: String,
        nodes: [String],
        taxonomy: Taxonomy,
        today: LocalDate = .today()
    ) -> [[UInt8]] {
        nodes.flatMap { node in
            (taxonomy.reportingPeriod(of: node)?.expectedMonths(asOf: today) ?? []).map { month in
                MonthlyReturn(
                    region: region,
                    node: node,
                    month: month,
                    status: .complete,
                    submittedBy: "test",
                    submittedAt: LocalDate.utcTimestamp(month.last.adding(days: 1).startInNorway)
                ).canonicalJSON()
            }
        }
    }

    /// One valid event for `node` (a local node of `region`) as JSON text.
    package static func event(
        source: String,
        index: Int,
        region: String,
        node: String,
        note: String? = nil,
        kind: String = "TRAINING"
    ) -> String {
        let day = 1 + index % 28
        let month = 1 + (index / 28) % 12
        var text = """
            {"id":"\(id(source, index))","region":"\(region)","node":"\(node)","kind":"\(kind)",\
            "date":"2025-\(String(format: "%02d", month))-\(String(format: "%02d", day))",\
            "target_groups":["PND"],"programmes":["COS_P"],"tier":"S","age_bands":["M3_12"],\
            "professions":["PHN","PSYCH"],"participants":12,"families":6,"sessions":2,"funding":"PERMANENT"
            """
        if let note { text += ",\"note\":\"\(note)\"" }
        return text + "}"
    }

    /// The same event as ``event(source:index:region:node:note:kind:)``, as a value.
    package static func activity(
        source: String,
        index: Int,
        region: String,
        node: String,
        kind: String = "TRAINING"
    ) -> ActivityEvent {
        ActivityEvent(
            id: UUID(uuidString: id(source, index))!,
            region: region,
            node: node,
            kind: kind,
            date: LocalDate(year: 2025, month: 1 + (index / 28) % 12, day: 1 + index % 28)!,
            targetGroups: ["PND"],
            programmes: ["COS_P"],
            tier: "S",
            ageBands: ["M3_12"],
            professions: ["PHN", "PSYCH"],
            participants: 12,
            families: 6,
            sessions: 2,
            funding: "PERMANENT"
        )
    }

    package static func eventBytes(source: String, index: Int, region: String, node: String) -> [UInt8] {
        Array(event(source: source, index: index, region: region, node: node).utf8)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
