import Foundation
import KnutepunktProtocol
import KnutepunktTesting
import Testing

@testable import KnutepunktDomain

@Suite("LocalDate")
struct EventLocalDateTests {
    @Test(
        "parses strict ISO dates that exist",
        arguments: [
            ("2026-03-12", 2026, 3, 12), ("2024-02-29", 2024, 2, 29), ("2000-02-29", 2000, 2, 29),
            ("0001-01-01", 1, 1, 1), ("9999-12-31", 9999, 12, 31), ("2025-12-31", 2025, 12, 31),
        ]
    )
    func parses(_ text: String, _ year: Int, _ month: Int, _ day: Int) throws {
        let date = try #require(LocalDate(iso: text))
        #expect(date.year == year && date.month == month && date.day == day)
        #expect(date.iso == text)
    }

    @Test(
        "refuses other forms and impossible dates",
        arguments: [
            "2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01",
            "2026-1-5", "20260105", "2026/01/05", "2026-01-05T00:00", " 2026-01-05", "2026-01-05 ", "", "abcd-ef-gh",
            "２０２６-01-05", "2026-01-5x", "+2026-01-05",
        ]
    )
    func refuses(_ text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test("orders, adds and subtracts days")
    func arithmetic() throws {
        let date = try #require(LocalDate(iso: "2024-02-28"))
        #expect(date.adding(days: 1).iso == "2024-02-29")
        #expect(date.adding(days: 2).iso == "2024-03-01")
        #expect(date.adding(days: 366).iso == "2025-02-28")
        #expect(date.adding(days: -59).iso == "2023-12-31")
        #expect(date.days(to: LocalDate(iso: "2025-02-28")!) == 366)
        #expect(LocalDate(iso: "2025-01-01")!.days(to: date) == -308)
        #expect(date < date.adding(days: 1))
        #expect(LocalDate(iso: "1970-01-01")!.daysSinceEpoch == 0)
        #expect(LocalDate(iso: "1969-12-31")!.daysSinceEpoch == -1)
        #expect(LocalDate(iso: "0001-01-01")!.daysSinceEpoch == -719_162)
        #expect(LocalDate(iso: "9999-12-31")!.daysSinceEpoch == 2_932_896)
        #expect(LocalDate(daysSinceEpoch: -719_163) == nil)
        #expect(LocalDate(daysSinceEpoch: 2_932_897) == nil)
    }

    @Test("month helpers")
    func monthHelpers() throws {
        let date = try #require(LocalDate(iso: "2024-01-31"))
        #expect(date.adding(months: 1).iso == "2024-02-29")
        #expect(date.adding(months: 13).iso == "2025-02-28")
        #expect(date.adding(months: -1).iso == "2023-12-31")
        #expect(date.adding(months: -12).iso == "2023-01-31")
        #expect(date.firstOfMonth.iso == "2024-01-01")
        #expect(LocalDate(iso: "2024-02-10")!.lastOfMonth.iso == "2024-02-29")
        #expect(LocalDate(iso: "2026-08-19")!.firstOfQuarter.iso == "2026-07-01")
        #expect(LocalDate(iso: "2026-08-19")!.quarter == 3)
        #expect(LocalDate(iso: "2026-08-19")!.firstOfYear.iso == "2026-01-01")
        #expect(LocalDate(iso: "2026-11-25")!.weekday == 3)  // a Wednesday
        #expect(LocalDate(iso: "1970-01-01")!.weekday == 4)
    }

    @Test("day numbering agrees with Foundation's Gregorian calendar")
    func agreesWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = SplitMix64(seed: 2026)
        for _ in 0..<2_000 {
            let days = Int.random(in: -50_000...50_000, using: &random)
            let date = try #require(LocalDate(daysSinceEpoch: days))
            #expect(date.daysSinceEpoch == days)
            let components = calendar.dateComponents(
                [.year, .month, .day],
                from: Date(timeIntervalSince1970: TimeInterval(days) * 86_400)
            )
            #expect(components.year == date.year && components.month == date.month && components.day == date.day)
            #expect(LocalDate(iso: date.iso) == date)
        }
    }

    @Test(
        "today is the calendar date in Oslo",
        arguments: [
            (1_774_740_600, "2026-03-29"),  // 2026-03-28T23:30Z: CET, already the 29th in Oslo
            (1_782_945_000, "2026-07-02"),  // 2026-07-01T22:30Z: CEST, already the 2nd
            (1_782_937_800, "2026-07-01"),  // 2026-07-01T20:30Z
            (1_798_757_999, "2026-12-31"),  // 2026-12-31T22:59:59Z
            (1_798_758_000, "2027-01-01"),  // 2026-12-31T23:00Z
        ]
    )
    func today(_ seconds: Int, _ expected: String) {
        let now = Date(timeIntervalSince1970: TimeInterval(seconds))
        #expect(LocalDate.today(now: now).iso == expected)
    }

    @Test("the built-in Central European rule matches the time zone database")
    func centralEuropeanRule() throws {
        let oslo = try #require(TimeZone(identifier: "Europe/Oslo"))
        // Every hour of 2025 and 2026, which include both switches each year.
        let start = 1_735_689_600  // 2025-01-01T00:00Z
        for hour in stride(from: 0, to: 2 * 365 * 24, by: 1) {
            let seconds = start + hour * 3600
            let expected = oslo.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(LocalDate.centralEuropeanOffset(atSecondsSinceEpoch: seconds) == expected)
        }
    }

    @Test("encodes as an ISO string")
    func codable() throws {
        let date = try #require(LocalDate(iso: "2026-03-12"))
        let encoded = JSONBody.encode([date])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2026-03-12"]"#)
        #expect(try JSONBody.decode([LocalDate].self, from: encoded) == [date])
        #expect(throws: DecodingError.self) {
            try JSONBody.decode([LocalDate].self, from: Array(#"["2025-02-29"]"#.utf8))
        }
    }
}
