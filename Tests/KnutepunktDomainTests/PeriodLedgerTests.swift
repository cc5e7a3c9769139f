import Foundation
import KnutepunktDomain
import Testing

/// Sign-off and lock as pure rules: who may take which step in which state, what the locks are, and the history.
@Suite struct PeriodLedgerTests {
    static let today = LocalDate(iso: "2026-12-07")!

    static func step(
        _ kind: PeriodLedger.Step.Kind,
        _ by: String,
        _ role: PeriodLedger.Role,
        reason: String? = nil
    )
        -> PeriodLedger.Step
    {
        PeriodLedger.Step(
            region: "NO-VEST",
            month: "2026-11",
            kind: kind,
            by: by,
            role: role,
            at: "2026-12-0\(kind == .signOff ? 3 : 5)T10:00:00Z",
            reason: reason
        )
    }

    @Test("sign off (the region's lead), accept (the analyst) → locked; reopen with a reason → open; all kept")
    func workflow() throws {
        var ledger = PeriodLedger()
        // Nothing to accept before a sign-off; a lead of another region, or an analyst, does not sign off.
        #expect(throws: PeriodLedger.Refusal.self) {
            try ledger.apply(Self.step(.accept, "nina", .analyst), actorRegion: nil, today: Self.today).get()
        }
        #expect(throws: PeriodLedger.Refusal.self) {
            try ledger.apply(Self.step(.signOff, "ola", .lead), actorRegion: "NO-NORD", today: Self.today).get()
        }
        #expect(throws: PeriodLedger.Refusal.self) {
            try ledger.apply(Self.step(.signOff, "nina", .analyst), actorRegion: nil, today: Self.today).get()
        }
        // The running month cannot be signed off.
        var december = Self.step(.signOff, "liv", .lead)
        december.month = "2026-12"
        #expect(throws: PeriodLedger.Refusal.self) {
            try ledger.apply(december, actorRegion: "NO-VEST", today: Self.today).get()
        }
        _ = try ledger.apply(Self.step(.signOff, "liv", .lead), actorRegion: "NO-VEST", today: Self.today).get()
        #expect(ledger.locks.isEmpty)
        // A lead cannot accept their own sign-off.
        #expect(throws: PeriodLedger.Refusal.self) {
            try ledger.apply(Self.step(.accept, "liv", .lead), actorRegion: "NO-VEST", today: Self.today).get()
        }
        let state = try ledger.apply(Self.step(.accept, "nina", .analyst), actorRegion: nil, today: Self.today).get()
        #expect(PeriodLedger.describe(state) == "locked (accepted by nina at 2026-12-05T10:00:00Z)")
        let lock = try #require(ledger.locks.first)
        #expect(ledger.locks.count == 1)
        #expect(
            lock.refusal
                == "2026-11 is locked for NO-VEST (accepted by nina at 2026-12-05T10:00:00Z); nothing was stored. "
                + "Only the national centre can reopen the month, with a reason"
        )
        let locks = PeriodLocks(version: 2, locks: ledger.locks)
        #expect(locks.lock(region: "NO-VEST", date: LocalDate(iso: "2026-11-30")!) == lock)
        #expect(locks.lock(region: "NO-VEST", date: LocalDate(iso: "2026-12-01")!) == nil)
        #expect(locks.lock(region: "NO-NORD", date: LocalDate(iso: "2026-11-30")!) == nil)
        // Reopening needs a reason.
        #expect(throws: PeriodLedger.Refusal.self) {
            try ledger.apply(Self.step(.reopen, "nina", .analyst), actorRegion: nil, today: Self.today).get()
        }
        _ = try ledger.apply(
            Self.step(.reopen, "nina", .analyst, reason: "late corrections"),
            actorRegion: nil,
            today: Self.today
        ).get()
        #expect(ledger.locks.isEmpty)
        #expect(ledger.history(region: "NO-VEST", month: "2026-11").map(\.kind) == [.signOff, .accept, .reopen])
        #expect(PeriodLedger(steps: ledger.steps) == ledger, "the ledger is its steps: rebuilt from the store")
    }
}
