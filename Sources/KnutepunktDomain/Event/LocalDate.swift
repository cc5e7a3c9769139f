import Foundation

/// A calendar date without time or time zone (proleptic Gregorian), written `YYYY-MM-DD`.
///
/// Events happen on a day, not at an instant: storing an instant would shift a late-evening activity into the next
/// day for a reader in another zone. Arithmetic is done on a day count, so it needs no `Calendar`.
package struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1...9999.
    package let year: Int
    /// 1...12.
    package let month: Int
    /// 1...(days in the month).
    package let day: Int

    /// The years a `LocalDate` can hold (four digits in ISO form).
    package static let years = 1...9999

    /// The date, or nil if it does not exist (e.g. 2025-02-29) or its year is outside 1...9999.
    package init?(year: Int, month: Int, day: Int) {
        guard Self.years.contains(year), (1...12).contains(month),
            (1...Self.daysInMonth(month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses strict ISO 8601 `YYYY-MM-DD`: exactly ten ASCII characters, a date that exists. Nothing else
    /// (no time, no `2025-1-5`, no `20250105`).
    package init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// `YYYY-MM-DD`.
    package var iso: String {
        // Digit by digit (years are 1...9999): the hub writes one for every event and every counter it stores.
        String(unsafeUninitializedCapacity: 10) { buffer in
            func digit(_ value: Int) -> UInt8 { UInt8(truncatingIfNeeded: value) &+ UInt8(ascii: "0") }
            buffer[0] = digit(year / 1000)
            buffer[1] = digit(year / 100 % 10)
            buffer[2] = digit(year / 10 % 10)
            buffer[3] = digit(year % 10)
            buffer[4] = UInt8(ascii: "-")
            buffer[5] = digit(month / 10)
            buffer[6] = digit(month % 10)
            buffer[7] = UInt8(ascii: "-")
            buffer[8] = digit(day / 10)
            buffer[9] = digit(day % 10)
            return 10
        }
    }

    package var description: String { iso }

    package static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    // MARK: - Calendar facts

    package static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in `month` (1...12) of `year`; 0 for a month outside 1...12.
    package static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: 31
        case 4, 6, 9, 11: 30
        case 2: isLeapYear(year) ? 29 : 28
        default: 0
        }
    }

    // MARK: - Arithmetic

    /// Days since 1970-01-01 (negative before it).
    package var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01, or nil outside years 1...9999.
    package init?(daysSinceEpoch days: Int) {
        // Hinnant's civil_from_days; the bounds check first keeps the arithmetic far from overflow.
        guard (-719_162...2_932_896).contains(days) else { return nil }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day)
    }

    /// The date `days` later (earlier if negative). Leaving years 1...9999 is a programmer error.
    package func adding(days: Int) -> LocalDate {
        guard let date = LocalDate(daysSinceEpoch: daysSinceEpoch + days) else {
            preconditionFailure("\(iso) + \(days) days is outside years 1...9999")
        }
        return date
    }

    /// The same day `months` months later (earlier if negative), clamped to the end of a shorter month
    /// (2024-01-31 + 1 month = 2024-02-29). Leaving years 1...9999 is a programmer error.
    package func adding(months: Int) -> LocalDate {
        let index = year * 12 + (month - 1) + months
        let newYear = index / 12
        let newMonth = index % 12 + 1
        guard
            let date = LocalDate(
                year: newYear,
                month: newMonth,
                day: min(day, Self.daysInMonth(newMonth, year: newYear))
            )
        else { preconditionFailure("\(iso) + \(months) months is outside years 1...9999") }
        return date
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    package func days(to other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// The first day of this date's month.
    package var firstOfMonth: LocalDate {
        LocalDate(uncheckedYear: year, month: month, day: 1)
    }

    /// The last day of this date's month.
    package var lastOfMonth: LocalDate {
        LocalDate(uncheckedYear: year, month: month, day: Self.daysInMonth(month, year: year))
    }

    /// The first day of this date's year.
    package var firstOfYear: LocalDate {
        LocalDate(uncheckedYear: year, month: 1, day: 1)
    }

    /// The quarter, 1...4.
    package var quarter: Int { (month - 1) / 3 + 1 }

    /// The first day of this date's quarter.
    package var firstOfQuarter: LocalDate {
        LocalDate(uncheckedYear: year, month: (quarter - 1) * 3 + 1, day: 1)
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    package var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let offset = (daysSinceEpoch + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    private init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}
