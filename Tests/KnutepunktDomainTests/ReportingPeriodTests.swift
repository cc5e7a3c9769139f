import Foundation
import KnutepunktDomain
import KnutepunktTesting
import Testing

/// Reporting periods (DOMAIN.md §6): which monthly returns each local node owes, and how completeness and timeliness
/// are judged — on time, late, missing and nil returns; a node that starts mid-year and one that closes.
@Suite struct ReportingPeriodTests {
    static func day(_ text: String) -> LocalDate { LocalDate(iso: text)! }
    static func month(_ text: String) -> ReportingMonth { ReportingMonth(text: text)! }

    /// The event taxonomy with three NO-VEST nodes reporting: BERGEN all year, STAVANGER from 10 September (mid-year),
    /// FORDE until it closed on 15 June.
    static let taxonomy: Taxonomy = {
        var taxonomy = EventTestTaxonomy.taxonomy
        taxonomy.reportingPeriods = [
            "NO-VEST-BERGEN": .init(active: day("2026-01-01")),
            "NO-VEST-STAVANGER": .init(active: day("2026-09-10")),
            "NO-VEST-FORDE": .init(active: day("2026-01-01"), closed: day("2026-06-15")),
        ]
        return taxonomy
    }()

    static func received(
        _ node: String,
        _ month: String,
        on day: String,
        _ status: MonthlyReturn.Status = .complete
    )
        -> ReceivedReturn
    {
        ReceivedReturn(
            node: node,
            region: "NO-VEST",
            month: Self.month(month),
            version: 1,
            status: status,
            receivedOn: Self.day(day)
        )
    }

    @Test("months: YYYY-MM only, the due day is timelyDays after the month's last day")
    func months() {
        #expect(Self.month("2026-11").text == "2026-11")
        #expect(Self.month("2026-02").last == Self.day("2026-02-28"))
        #expect(Self.month("2026-11").dueDate(timelyDays: 15) == Self.day("2026-12-15"))
        #expect(ReportingMonth(text: "2026-13") == nil && ReportingMonth(text: "2026-1") == nil)
        #expect(ReportingMonth(text: "2026-11-01") == nil)
    }

    @Test("expected: from the month a node became active to the month it closed, months that have ended only")
    func expected() {
        let asOf = Self.day("2026-12-07")
        #expect(Self.taxonomy.reportingPeriod(of: "NO-VEST-BERGEN")!.expectedMonths(asOf: asOf).count == 11)
        #expect(
            Self.taxonomy.reportingPeriod(of: "NO-VEST-STAVANGER")!.expectedMonths(asOf: asOf).map(\.text)
                == ["2026-09", "2026-10", "2026-11"]
        )
        #expect(
            Self.taxonomy.reportingPeriod(of: "NO-VEST-FORDE")!.expectedMonths(asOf: asOf).map(\.text)
                == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
        )
        #expect(Self.taxonomy.reportingPeriod(of: "NO-VEST-FONNA") == nil, "no active: date, no returns expected")
    }

    @Test("completeness: on time, late, missing (overdue or not yet due) and nil returns, rolled up")
    func completeness() throws {
        let returns =
            [
                // BERGEN: October on time (day 15 is the last day on time), September 3 days late, November nil on time.
                Self.received("NO-VEST-BERGEN", "2026-10", on: "2026-11-15"),
                Self.received("NO-VEST-BERGEN", "2026-09", on: "2026-10-18"),
                Self.received("NO-VEST-BERGEN", "2026-11", on: "2026-12-02", .nil),
                // STAVANGER: September on time; October and November missing.
                Self.received("NO-VEST-STAVANGER", "2026-09", on: "2026-10-01"),
                // FORDE: every month until it closed, on time; one for after it closed is not expected and not counted.
            ] + (1...6).map { Self.received("NO-VEST-FORDE", "2026-0\($0)", on: "2026-0\($0 + 1)-05") }
        let table = Completeness(
            taxonomy: Self.taxonomy,
            returns: returns,
            asOf: Self.day("2026-12-07"),
            timelyDays: 15,
            from: Self.month("2026-09")
        )
        func cell(_ node: String, _ month: String) throws -> Completeness.Cell {
            try #require(table.cells.first { $0.node == node && $0.month == Self.month(month) })
        }
        #expect(try cell("NO-VEST-BERGEN", "2026-10").state == .onTime)
        #expect(try cell("NO-VEST-BERGEN", "2026-09").state == .late)
        #expect(try cell("NO-VEST-BERGEN", "2026-09").daysLate == 3)
        #expect(try cell("NO-VEST-BERGEN", "2026-11").state == .onTime)
        #expect(try cell("NO-VEST-BERGEN", "2026-11").status == .nil)
        // October's return was due on 15 November: 22 days overdue on 7 December; November's is not due yet.
        #expect(try cell("NO-VEST-STAVANGER", "2026-10").state == .overdue)
        #expect(try cell("NO-VEST-STAVANGER", "2026-10").daysLate == 22)
        #expect(try cell("NO-VEST-STAVANGER", "2026-11").state == .due)
        #expect(
            try cell("NO-VEST-STAVANGER", "2026-11").dueSentence
                == "return due for 2026-11 (NO-VEST-STAVANGER) by 2026-12-15"
        )
        #expect(
            try cell("NO-VEST-STAVANGER", "2026-10").dueSentence
                == "return due for 2026-10 (NO-VEST-STAVANGER), 22 days overdue"
        )
        // FORDE closed in June: nothing expected from September.
        #expect(!table.cells.contains { $0.node == "NO-VEST-FORDE" })
        // Rolled up: 6 expected (BERGEN 3, STAVANGER 3), 4 received, 3 on time, 1 overdue.
        let region = try #require(table.regions["NO-VEST"])
        #expect(region.expected == 6 && region.received == 4 && region.onTime == 3 && region.overdue == 1)
        #expect(table.national == region)
        #expect(region.reportingRate == 4.0 / 6.0 && region.onTimeRate == 0.5)
        #expect(table.outstanding().map(\.node) == ["NO-VEST-STAVANGER", "NO-VEST-STAVANGER"])

        // The whole year: FORDE's six on time count too.
        let year = Completeness(taxonomy: Self.taxonomy, returns: returns, asOf: Self.day("2026-12-07"), timelyDays: 15)
        #expect(year.nodes["NO-VEST-FORDE"]?.expected == 6 && year.nodes["NO-VEST-FORDE"]?.onTime == 6)
        #expect(year.nodes["NO-VEST-BERGEN"]?.expected == 11 && year.nodes["NO-VEST-BERGEN"]?.overdue == 8)
    }

    @Test("a reopened return no longer counts; made again, its latest version's day is what timeliness reads")
    func reopened() {
        var versions = [Self.received("NO-VEST-BERGEN", "2026-10", on: "2026-11-03")]
        var reopen = Self.received("NO-VEST-BERGEN", "2026-10", on: "2026-11-20", .reopened)
        reopen.version = 2
        versions.append(reopen)
        let asOf = Self.day("2026-12-07")
        var table = Completeness(taxonomy: Self.taxonomy, returns: versions, asOf: asOf, timelyDays: 15)
        #expect(
            table.cells.first { $0.month == Self.month("2026-10") && $0.node == "NO-VEST-BERGEN" }?.state == .overdue
        )
        var again = Self.received("NO-VEST-BERGEN", "2026-10", on: "2026-11-25")
        again.version = 3
        versions.append(again)
        table = Completeness(taxonomy: Self.taxonomy, returns: versions.reversed(), asOf: asOf, timelyDays: 15)
        let cell = table.cells.first { $0.month == Self.month("2026-10") && $0.node == "NO-VEST-BERGEN" }
        #expect(cell?.state == .late && cell?.daysLate == 10)
    }

    @Test("a return's versions: the same statement again is nothing new; any other is the next version")
    func versions() {
        #expect(MonthlyReturn.nextVersion(of: .complete, head: nil)! == (1, nil))
        #expect(MonthlyReturn.nextVersion(of: .reopened, head: nil) == nil)
        #expect(MonthlyReturn.nextVersion(of: .complete, head: (1, .complete, false)) == nil)
        #expect(MonthlyReturn.nextVersion(of: .complete, head: (1, .complete, true))! == (2, 1))
        #expect(MonthlyReturn.nextVersion(of: .reopened, head: (1, .nil, false))! == (2, 1))
        #expect(MonthlyReturn.nextVersion(of: .nil, head: (2, .reopened, false))! == (3, 2))
    }

    @Test("a return document: checked against the taxonomy and the calendar; its id follows from node and month")
    func validation() throws {
        let today = Self.day("2026-12-07")
        func check(_ members: [(String, JSONValue)]) -> Result<MonthlyReturn, ValidationFailure> {
            MonthlyReturn.validate(
                .object(JSONObject([("record", .string("monthly_return"))] + members)),
                taxonomy: Self.taxonomy,
                today: today
            )
        }
        let good = try check([
            ("region", "NO-VEST"), ("node", "NO-VEST-BERGEN"), ("month", "2026-11"), ("status", "nil"),
        ]).get()
        #expect(good.id == MonthlyReturn.id(node: "NO-VEST-BERGEN", month: Self.month("2026-11")))
        #expect(MonthlyReturn(stored: try JSONValue.parse(good.canonicalJSON())) == good)
        #expect(
            String(decoding: good.canonicalJSON(), as: UTF8.self)
                == #"{"record":"monthly_return","id":"\#(good.id.lowercasedText)","schema":1,"version":1,"#
                + #""region":"NO-VEST","node":"NO-VEST-BERGEN","month":"2026-11","status":"nil"}"#
        )
        func codes(_ members: [(String, JSONValue)]) -> [String] {
            guard case .failure(let failure) = check(members) else { return [] }
            return failure.issues.map { "\($0.field) \($0.code)" }
        }
        // The running month is not over; a node closed in June owes nothing for July; FONNA has no active: date.
        #expect(
            codes([("region", "NO-VEST"), ("node", "NO-VEST-BERGEN"), ("month", "2026-12"), ("status", "complete")])
                == ["month DATE_OUT_OF_RANGE"]
        )
        #expect(
            codes([("region", "NO-VEST"), ("node", "NO-VEST-FORDE"), ("month", "2026-07"), ("status", "complete")])
                == ["month DATE_OUT_OF_RANGE"]
        )
        #expect(
            codes([("region", "NO-VEST"), ("node", "NO-VEST-FONNA"), ("month", "2026-07"), ("status", "complete")])
                == ["node UNKNOWN_CODE"]
        )
        #expect(
            codes([("region", "NO-NORD"), ("node", "NO-VEST-BERGEN"), ("month", "2026-07"), ("status", "complete")])
                == ["node NODE_NOT_IN_REGION"]
        )
        // Reopening needs a reason, and the reason is screened like any text.
        #expect(
            codes([("region", "NO-VEST"), ("node", "NO-VEST-BERGEN"), ("month", "2026-07"), ("status", "reopened")])
                == ["reason MISSING_FIELD"]
        )
        #expect(
            codes([
                ("region", "NO-VEST"), ("node", "NO-VEST-BERGEN"), ("month", "2026-07"), ("status", "reopened"),
                ("reason", "family 15108695088"),
            ]) == ["reason PII_NO_FNR"]
        )
        #expect(
            codes([("region", "NO-VEST"), ("node", "NO-VEST-BERGEN"), ("month", "2026-7"), ("status", "done")])
                == ["month BAD_DATE", "status UNKNOWN_CODE"]
        )
    }

    @Test("timeliness by the day a return was made at the node, where the hub can believe it")
    func timelinessByTheDayMade() {
        func made(_ day: String?, received: String) -> ReceivedReturn {
            var item = Self.received("NO-VEST-BERGEN", "2026-10", on: received)
            item.madeOn = day.map(Self.day)
            return item
        }
        // Made on 3 November, received on 20 November (the link was down): judged on 3 November, on time.
        #expect(made("2026-11-03", received: "2026-11-20").timelyOn == Self.day("2026-11-03"))
        // A day in the month itself, a day after it arrived, or none: judged by the day it arrived.
        #expect(made("2026-10-31", received: "2026-11-20").timelyOn == Self.day("2026-11-20"))
        #expect(made("2026-11-21", received: "2026-11-20").timelyOn == Self.day("2026-11-20"))
        #expect(made(nil, received: "2026-11-20").timelyOn == Self.day("2026-11-20"))
        let table = Completeness(
            taxonomy: Self.taxonomy,
            returns: [made("2026-11-03", received: "2026-11-20")],
            asOf: Self.day("2026-12-07"),
            timelyDays: 15,
            region: "NO-VEST",
            from: Self.month("2026-10"),
            to: Self.month("2026-10")
        )
        let cell = table.cells.first { $0.node == "NO-VEST-BERGEN" }
        #expect(cell?.state == .onTime && cell?.madeOn == Self.day("2026-11-03"))
        #expect(cell?.receivedOn == Self.day("2026-11-20") && cell?.daysLate == nil)
        // Made on 20 November: 5 days after the due day of 15 November.
        let late = Completeness(
            taxonomy: Self.taxonomy,
            returns: [made("2026-11-20", received: "2026-11-20")],
            asOf: Self.day("2026-12-07"),
            timelyDays: 15,
            region: "NO-VEST",
            from: Self.month("2026-10"),
            to: Self.month("2026-10")
        )
        #expect(late.cells.first { $0.node == "NO-VEST-BERGEN" }?.daysLate == 5)
    }

    @Test("submitted_at's UTC timestamps read back; anything else is not one")
    func utcTimestamps() {
        let moment = Date(timeIntervalSince1970: 1_796_000_123)
        let text = LocalDate.utcTimestamp(moment)
        #expect(LocalDate.utcTimestamp(text) == moment)
        #expect(LocalDate.utcTimestamp("2026-12-03T09:12:00Z") == Date(timeIntervalSince1970: 1_796_289_120))
        for bad in ["2026-12-03 09:12:00", "2026-12-03T24:00:00Z", "2026-12-03T09:60:00Z", "2026-13-03T09:12:00Z", ""] {
            #expect(LocalDate.utcTimestamp(bad) == nil, "\(bad)")
        }
    }
}
