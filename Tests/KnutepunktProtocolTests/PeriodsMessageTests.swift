import KnutepunktDomain
import KnutepunktProtocol
import Testing

/// PERIODS (KPN/1.3): its bytes, and that a decoder takes it back, and only in a 1.3 session.
@Suite struct PeriodsMessageTests {
    @Test func roundTripAndVersion() throws {
        let locks = PeriodLocks(
            version: 2,
            locks: [.init(region: "NO-VEST", month: "2026-11", lockedBy: "nina", lockedAt: "2026-12-05T10:00:00Z")]
        )
        let frames = PeriodsMessage(locks).frames
        #expect(frames[0] == [0x4B, 0x50, 0x01, 0x0B])
        #expect(frames[1] == [0, 0, 0, 0, 0, 0, 0, 2])
        #expect(
            String(decoding: frames[2], as: UTF8.self)
                == #"[{"lockedAt":"2026-12-05T10:00:00Z","lockedBy":"nina","month":"2026-11","region":"NO-VEST"}]"#
        )
        #expect(try PeriodsMessage.decode(frames) == PeriodsMessage(locks))
        #expect(try PeriodsMessage.decode([[0x4B, 0x50, 0x01, 0x04], [0]]) == nil, "an ACK is not PERIODS")
        #expect(throws: WireError.self) { try PeriodsMessage.decode([frames[0], frames[1], Array("{".utf8)]) }
        #expect(PeriodsMessage.speaks(.periods) && !PeriodsMessage.speaks(.referenceData))
        #expect(ProtocolVersion.current == .periods)
    }
}
