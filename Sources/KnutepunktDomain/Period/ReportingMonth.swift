/// A calendar month a local node reports for, written `YYYY-MM` (e.g. `2026-11`): the period of a monthly return
/// and of a lock (DOMAIN.md §6).
package struct ReportingMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The first day of the month.
    package let first: LocalDate

    /// The month `date` falls in.
    package init(_ date: LocalDate) {
        first = date.firstOfMonth
    }

    /// The month, or nil when `month` is outside 1...12 or the year outside 1...9999.
    package init?(year: Int, month: Int) {
        guard let date = LocalDate(year: year, month: month, day: 1) else { return nil }
        first = date
    }

    /// Parses strict `YYYY-MM`: exactly seven ASCII characters.
    package init?(text: String) {
        guard text.utf8.count == 7, let date = LocalDate(iso: text + "-01") else { return nil }
        first = date
    }

    /// `YYYY-MM`.
    package var text: String { String(first.iso.prefix(7)) }
    package var description: String { text }
    /// The last day of the month.
    package var last: LocalDate { first.lastOfMonth }
    /// The month `count` months later (earlier when negative).
    package func adding(months count: Int) -> ReportingMonth { ReportingMonth(first.adding(months: count)) }
    /// The last day a return for this month is on time: `timelyDays` after the month ends.
    package func dueDate(timelyDays: Int) -> LocalDate { last.adding(days: timelyDays) }
    /// Whether `date` falls in this month.
    package func contains(_ date: LocalDate) -> Bool { date.firstOfMonth == first }

    /// Every month from `from` through `to`, in order (empty when `to` is before `from`).
    package static func range(from: ReportingMonth, through to: ReportingMonth) -> [ReportingMonth] {
        var months: [ReportingMonth] = []
        var month = from
        while month <= to {
            months.append(month)
            month = month.adding(months: 1)
        }
        return months
    }

    package static func < (lhs: ReportingMonth, rhs: ReportingMonth) -> Bool { lhs.first < rhs.first }
}
