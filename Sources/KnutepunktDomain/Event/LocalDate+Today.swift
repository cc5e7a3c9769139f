import Foundation

extension LocalDate {
    /// Today's date in Norway (Europe/Oslo), the calendar the network's coordinators live by.
    package static func today(now: Date = WallClock.now()) -> LocalDate {
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

    /// The moment a `YYYY-MM-DDThh:mm:ssZ` timestamp (``utcTimestamp(_:)``) stands for; nil for any other text.
    package static func utcTimestamp(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z"),
            let day = LocalDate(iso: String(decoding: bytes[0..<10], as: UTF8.self))
        else { return nil }
        func number(_ range: Range<Int>, below limit: Int) -> Int? {
            guard range.allSatisfy({ (48...57).contains(bytes[$0]) }) else { return nil }
            let value = range.reduce(0) { $0 * 10 + Int(bytes[$1] - 48) }
            return value < limit ? value : nil
        }
        guard let hour = number(11..<13, below: 24), let minute = number(14..<16, below: 60),
            let second = number(17..<19, below: 60)
        else { return nil }
        return Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second))
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
