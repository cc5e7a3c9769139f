import KnutepunktClient
import KnutepunktGaps
import KnutepunktProtocol
import Testing

/// The Clone-pattern bookkeeping the dashboard's feed and `knutepunkt watch` share.
@Suite struct GapCloneStateMachineTests {
    static func record(_ key: String) -> GapRecord {
        GapRecord(GapFinding(rule: .g1AbsentService, severity: .red, region: key, targetGroup: "HICONF", message: key))
    }

    static func update(_ sequence: UInt64, _ change: String, _ key: String, epoch: String = "e1") throws -> GapUpdate {
        let gap = String(decoding: JSONBody.encode(record(key)), as: UTF8.self)
        let text = #"{"sequence":\#(sequence),"epoch":"\#(epoch)","change":"\#(change)","gap":\#(gap)}"#
        return try JSONBody.decode(GapUpdate.self, from: Array(text.utf8))
    }

    @Test func changesApplyInOrderOnTopOfTheSnapshot() throws {
        var clone = GapCloneStateMachine()
        #expect(clone.receive(try Self.update(1, "opened", "NO-VEST")) == .resnapshot, "nothing to apply to yet")
        clone.snapshot(GapSnapshot(sequence: 5, epoch: "e1", gaps: [Self.record("NO-NORD")]))
        #expect(clone.receive(try Self.update(4, "opened", "NO-VEST")) == .ignore, "already in the snapshot")
        #expect(clone.receive(try Self.update(5, "opened", "NO-VEST")) == .ignore)
        #expect(clone.receive(try Self.update(6, "opened", "NO-VEST")) == .apply)
        #expect(clone.open.count == 2 && clone.sequence == 6)
        #expect(clone.receive(try Self.update(7, "closed", "NO-NORD")) == .apply)
        #expect(clone.open.values.map(\.region) == ["NO-VEST"])
    }

    @Test func aMissingNumberOrANewEpochAsksForASnapshot() throws {
        var clone = GapCloneStateMachine()
        clone.snapshot(GapSnapshot(sequence: 5, epoch: "e1", gaps: []))
        #expect(clone.receive(try Self.update(7, "opened", "NO-VEST")) == .resnapshot, "6 was dropped")
        #expect(clone.receive(try Self.update(1, "opened", "NO-VEST", epoch: "e2")) == .resnapshot, "the hub restarted")
        #expect(clone.open.isEmpty && clone.sequence == 5, "nothing applied")
    }
}
