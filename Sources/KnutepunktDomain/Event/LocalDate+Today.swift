import Foundation

extension LocalDate {
    /// Today's date in Norway (Europe/Oslo), the calendar the network's coordinators live by.
    package static func today(now: Date = Date()) -> LocalDate {
        if let oslo = TimeZone(identifier: "Europe/Oslo") {
            return LocalDate(now, in: oslo)
        }
        // A container without tz data: Central European Time with the EU summer-time rule, which Norway follows.
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        return LocalDate(secondsSinceEpoch: seconds + centralEuropeanOffset(atSecondsSinceEpoch: seconds))
    }

    /// The calendar date of `instant` in `timeZone`.
    package init(_ instant: Date, in timeZone: TimeZone) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        self.init(secondsSinceEpoch: seconds + timeZone.secondsFromGMT(for: instant))
    }

    /// The date of a moment given as seconds since 1970-01-01T00:00 in local time (offset already added). Clamped to
    /// years 1...9999 so that no clock value can trap.
    private init(secondsSinceEpoch seconds: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let lowest = LocalDate(year: 1, month: 1, day: 1)!.daysSinceEpoch
        let highest = LocalDate(year: 9999, month: 12, day: 31)!.daysSinceEpoch
        self = LocalDate(daysSinceEpoch: min(max(days, lowest), highest))!
    }

    /// UTC offset of Central European (Summer) Time: +2 h from 01:00 UTC on the last Sunday of March to 01:00 UTC on
    /// the last Sunday of October (EU rule, in force since 1996), else +1 h.
    static func centralEuropeanOffset(atSecondsSinceEpoch seconds: Int) -> Int {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        guard let utcDate = LocalDate(daysSinceEpoch: days) else { return 3600 }
        func lastSunday(ofMonth month: Int) -> Int {
            let last = LocalDate(year: utcDate.year, month: month, day: 31)!
            return (last.daysSinceEpoch - (last.weekday % 7)) * 86_400 + 3600
        }
        let start = lastSunday(ofMonth: 3)
        let end = lastSunday(ofMonth: 10)
        return seconds >= start && seconds < end ? 7200 : 3600
    }
}

extension LocalDate {
    /// `YYYY-MM-DDThh:mm:ssZ` for a moment, in UTC: how `submitted_at` and listings write times.
    package static func utcTimestamp(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
        let day = LocalDate(secondsSinceEpoch: seconds)
        let time = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day.iso)T\(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60))Z"
    }

    /// The first moment of this day in Norway (Europe/Oslo).
    package var startInNorway: Date {
        let midnightUTC = Double(daysSinceEpoch) * 86_400
        let offset =
            TimeZone(identifier: "Europe/Oslo")?.secondsFromGMT(for: Date(timeIntervalSince1970: midnightUTC))
            ?? LocalDate.centralEuropeanOffset(atSecondsSinceEpoch: Int(midnightUTC))
        return Date(timeIntervalSince1970: midnightUTC - Double(offset))
    }
}
