import KnutepunktDomain
import Testing

@testable import KnutepunktProtocol

@Suite struct WireControlCodecTests {
    @Test(arguments: ControlCommand.allCases)
    func roundTrip(command: ControlCommand) throws {
        let message = ControlMessage(command: command, text: "{\"role\":\"node\",\"region\":\"Trøndelag\"}")
        let frames = ControlCodec.encode(message)
        #expect(frames[0] == [0x4B, 0x43, 0x01, command.rawValue])
        #expect(try ControlCodec.decode(frames) == message)
        #expect(try ControlCodec.decode(frames).text == message.text)
    }

    @Test func envelopesOfDealerAndReqClientsAreSplitOff() throws {
        let header: [UInt8] = [0x4B, 0x43, 0x01, 0x03]
        let dealer = try #require(ControlCodec.splitEnvelope([[7], header, [0x7B, 0x7D]]))
        #expect(dealer.envelope == [[7]] && dealer.message == [header, [0x7B, 0x7D]])
        let req = try #require(ControlCodec.splitEnvelope([[7], [], header, [0x7B, 0x7D]]))
        #expect(req.envelope == [[7], []] && req.message == [header, [0x7B, 0x7D]])
        #expect(ControlCodec.splitEnvelope([[7]]) == nil)
    }

    @Test func goldenStatusRequest() throws {
        #expect(ControlCodec.encode(.init(command: .status, text: "{}")).map(Hex.string) == ["4B430103", "7B7D"])
    }

    @Test(
        arguments: [
            ([], WireError.Code.emptyMessage),
            ([[0x4B, 0x50, 1, 1], [0x7B, 0x7D]], .badSignature),
            ([[0x4B, 0x43, 1]], .badFrameLength),
            ([[0x4B, 0x43, 2, 3], [0x7B, 0x7D]], .unsupportedVersion),
            ([[0x4B, 0x43, 1, 0x40], [0x7B, 0x7D]], .unknownCommand),
            ([[0x4B, 0x43, 1, 0x03]], .wrongFrameCount),
            ([[0x4B, 0x43, 1, 0x03], [0x7B, 0x7D], []], .wrongFrameCount),
            ([[0x4B, 0x43, 1, 0x01], [0x5B, 0xFF, 0x5D]], .invalidText),
        ] as [([[UInt8]], WireError.Code)]
    )
    func decodeRejects(frames: [[UInt8]], code: WireError.Code) {
        do {
            let message = try ControlCodec.decode(frames)
            Issue.record("decoded \(message) instead of refusing with \(code)")
        } catch {
            #expect(error.code == code)
        }
    }
}
