import Testing

@testable import KnutepunktProtocol

/// The byte limits of docs/protocol.md, "Limits": every control request answered (TOO_LARGE above the limit), EVENT
/// batches cut to fit the hub's message limit.
@Suite struct ProtocolLimitsTests {
    static let header: [UInt8] = [0x4B, 0x43, 0x01, 0x03]

    @Test func aRequestWithinTheLimitIsServed() {
        let intake = ControlIntake.read(
            [[7], Self.header, Array("{}".utf8)],
            byteCount: 7,
            truncated: false,
            requestLimit: 6
        )
        #expect(intake == .request(envelope: [[7]], message: ControlMessage(command: .status, text: "{}")))
    }

    @Test func aRequestOverTheLimitIsAnsweredTooLargeOnItsEnvelope() throws {
        // As the socket hands it over: the body emptied because it passed what the reader keeps.
        let intake = ControlIntake.read(
            [[7], [], Self.header, []],
            byteCount: 1 + 4 + 70_000,
            truncated: true,
            requestLimit: 65_536
        )
        guard case .refuse(let envelope, let failure, let kind) = intake else {
            Issue.record("not refused: \(intake)")
            return
        }
        #expect(envelope == [[7], []], "a REQ client gets its delimiter back")
        #expect(failure.code == ControlFailure.tooLargeCode)
        #expect(failure.message.contains("70004 bytes") && failure.message.contains("65536"))
        #expect(kind == ControlIntake.tooLargeKind)
        // Over the limit without truncation (the reader kept a little more than the limit) is refused the same way.
        let kept = ControlIntake.read(
            [[7], Self.header, [UInt8](repeating: 32, count: 10)],
            byteCount: 15,
            truncated: false,
            requestLimit: 13
        )
        guard case .refuse(_, let tooLarge, _) = kept else {
            Issue.record("not refused: \(kept)")
            return
        }
        #expect(tooLarge.code == ControlFailure.tooLargeCode)
    }

    @Test func anUndecodableRequestIsAnsweredMalformed() {
        guard
            case .refuse(let envelope, let failure, let kind) = ControlIntake.read(
                [[7], [0x00]],
                byteCount: 2,
                truncated: false,
                requestLimit: 100
            )
        else {
            Issue.record("not refused")
            return
        }
        #expect(envelope == [[7]])
        #expect(failure.code == ControlFailure.malformedRequestCode)
        #expect(kind == ControlIntake.malformedKind)
        #expect(ControlIntake.read([[7]], byteCount: 1, truncated: false, requestLimit: 100) == .unanswerable)
    }

    @Test func theHardCeilingIsSixteenTimesTheLimitAndAtLeastOneMebibyte() {
        #expect(WireLimits.controlFrameCeiling(requestLimit: 4 << 20) == 64 << 20)
        #expect(WireLimits.controlFrameCeiling(requestLimit: 65_536) == 1 << 20)
        #expect(WireLimits.controlFrameCeiling(requestLimit: .max) == .max)
    }

    @Test func aBatchIsCutSoThatNoMessagePassesTheLimit() {
        let payloads = (0..<10).map { [UInt8](repeating: UInt8($0), count: 100) }
        let batches = WireMessage.EventBatch.split(firstSequence: 41, payloads: payloads, maxMessageBytes: 12 + 300)
        #expect(batches.map(\.firstSequence) == [41, 44, 47, 50])
        #expect(batches.map(\.payloads.count) == [3, 3, 3, 1])
        #expect(batches.flatMap(\.payloads) == payloads, "every payload once, in order")
        for batch in batches {
            #expect(WireCodec.encode(.events(batch)).reduce(0) { $0 + $1.count } <= 312)
            #expect(WireMessage.EventBatch.messageBytes(payloads: batch.payloads) <= 312)
        }
        // Within the limit: one message, as before.
        #expect(WireMessage.EventBatch.split(firstSequence: 1, payloads: payloads, maxMessageBytes: 4 << 20).count == 1)
        // A payload larger than the limit goes alone (the hub refuses that message; no valid event is that large).
        let huge = [
            [UInt8](repeating: 1, count: 10), [UInt8](repeating: 2, count: 1_000), [UInt8](repeating: 3, count: 10),
        ]
        #expect(
            WireMessage.EventBatch.split(firstSequence: 1, payloads: huge, maxMessageBytes: 100).map(\.payloads.count)
                == [1, 1, 1]
        )
        // Never more payloads than an EVENT may carry.
        let many = Array(repeating: [UInt8](), count: WireLimits.maxPayloadsPerEvent + 1)
        #expect(
            WireMessage.EventBatch.split(firstSequence: 1, payloads: many, maxMessageBytes: 1 << 30).map(
                \.payloads.count
            ) == [1024, 1]
        )
    }
}
