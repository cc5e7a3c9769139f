import Foundation
import Testing

@testable import KnutepunktHub

@Suite struct NodeContactsTests {
    @Test func lastHeardTimesAreWrittenAtMostOncePerIntervalAndAllAtStop() {
        let t0 = ContinuousClock.now
        let then = Date(timeIntervalSince1970: 1_800_000_000)
        var contacts = NodeContacts(recorded: ["NO-NORD": then], flushInterval: .seconds(5), now: t0)
        #expect(contacts.due(now: t0 + .seconds(6)) == nil, "nothing new: nothing to write")

        contacts.heard("NO-VEST", at: then + 1)
        #expect(contacts.lastHeard == ["NO-NORD": then, "NO-VEST": then + 1])
        #expect(contacts.due(now: t0 + .seconds(1)) == nil, "within the interval")
        let due = contacts.due(now: t0 + .seconds(5))
        #expect(due == ["NO-VEST": then + 1])

        // Heard again before the write lands: the newer time stays waiting.
        contacts.heard("NO-VEST", at: then + 2)
        contacts.recorded(due ?? [:])
        #expect(contacts.due(now: t0 + .seconds(6), force: true) == ["NO-VEST": then + 2])
    }

    @Test func aFailedWriteIsTriedAgainAtTheNextInterval() {
        let t0 = ContinuousClock.now
        var contacts = NodeContacts(recorded: [:], flushInterval: .seconds(5), now: t0)
        contacts.heard("NO-SØR", at: Date(timeIntervalSince1970: 1))
        #expect(contacts.due(now: t0 + .seconds(5)) != nil)
        // Not recorded (the store failed): due again after another interval.
        #expect(contacts.due(now: t0 + .seconds(6)) == nil)
        #expect(contacts.due(now: t0 + .seconds(10)) == ["NO-SØR": Date(timeIntervalSince1970: 1)])
    }
}
