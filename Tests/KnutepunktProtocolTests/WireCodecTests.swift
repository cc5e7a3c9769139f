import KnutepunktDomain
import Testing

@testable import KnutepunktProtocol

@Suite struct WireCodecTests {
    /// A message with its exact frames, as docs/protocol.md lists them.
    struct GoldenVector: Sendable, CustomTestStringConvertible {
        var name: String
        var message: WireMessage
        var frames: [String]
        var testDescription: String { name }
    }

    /// A frame set the decoder must refuse, and the code it must refuse it with.
    struct BadFrames: Sendable, CustomTestStringConvertible {
        var name: String
        var frames: [[UInt8]]
        var code: WireError.Code
        var testDescription: String { name }
    }

    static let samples: [WireMessage] = [
        .hello(.init(version: .current, nodeID: "NORD-01", software: "knutepunkt/0.1.0")),
        .hello(.init(version: .init(major: 1, minor: 7), nodeID: "A", software: "")),
        .welcome(.init(version: .current, settledThrough: 0, hubID: "HUB-NASJONAL")),
        .welcome(.init(version: .current, settledThrough: WireLimits.maxSequence, hubID: "nasjonal hub æøå")),
        .events(.init(firstSequence: 1, payloads: [[]])),
        .events(.init(firstSequence: 42, payloads: [Array("{\"n\":1}".utf8), Array("{\"n\":2}".utf8)])),
        .events(.init(firstSequence: 1, payloads: Array(repeating: [0xFF, 0x00], count: 1024))),
        .events(.init(firstSequence: WireLimits.maxSequence - 1, payloads: [[1], [2]])),
        .ack(settledThrough: 0),
        .ack(settledThrough: 0x0102_0304_0506_0708),
        .nack(.init(sequence: 43, reason: .personalData, detail: "field note may hold a name")),
        .nack(.init(sequence: 1, reason: ReasonCode(rawValue: 65535), detail: "")),
        .resend(from: 1),
        .resend(from: UInt64.max),
        .heartbeat,
        .error(.init(reason: .helloRequired, detail: "send HELLO first")),
        .error(.init(reason: ReasonCode(rawValue: 42), detail: "a code from the future")),
    ]

    @Test(arguments: samples)
    func roundTrip(message: WireMessage) throws {
        let frames = WireCodec.encode(message)
        #expect(try WireCodec.decode(frames) == message)
    }

    @Test func samplesCoverEveryCommand() {
        #expect(Set(Self.samples.map(\.command)) == Set(WireCommand.allCases))
    }

    static let golden: [GoldenVector] = [
        GoldenVector(
            name: "HELLO",
            message: .hello(.init(version: .first, nodeID: "NORD-01", software: "knutepunkt/0.1.0")),
            frames: ["4B500101", "0100", "4E4F52442D3031", "6B6E75746570756E6B742F302E312E30"]
        ),
        GoldenVector(
            name: "WELCOME",
            message: .welcome(.init(version: .first, settledThrough: 41, hubID: "HUB-NASJONAL")),
            frames: ["4B500102", "0100", "0000000000000029", "4855422D4E41534A4F4E414C"]
        ),
        GoldenVector(
            name: "EVENT with 2 payloads",
            message: .events(.init(firstSequence: 42, payloads: [Array("{\"n\":1}".utf8), Array("{\"n\":2}".utf8)])),
            frames: ["4B500103", "000000000000002A", "7B226E223A317D", "7B226E223A327D"]
        ),
        GoldenVector(
            name: "ACK",
            message: .ack(settledThrough: 43),
            frames: ["4B500104", "000000000000002B"]
        ),
        GoldenVector(
            name: "NACK",
            message: .nack(.init(sequence: 43, reason: .personalData, detail: "field note may hold a name")),
            frames: ["4B500105", "000000000000002B", "0068", "6669656C64206E6F7465206D617920686F6C642061206E616D65"]
        ),
        GoldenVector(
            name: "RESEND",
            message: .resend(from: 44),
            frames: ["4B500106", "000000000000002C"]
        ),
        GoldenVector(name: "HEARTBEAT", message: .heartbeat, frames: ["4B500107"]),
        GoldenVector(
            name: "ERROR",
            message: .error(.init(reason: .helloRequired, detail: "send HELLO first")),
            frames: ["4B500108", "0004", "73656E642048454C4C4F206669727374"]
        ),
    ]

    @Test(arguments: golden)
    func goldenVector(vector: GoldenVector) throws {
        #expect(WireCodec.encode(vector.message).map(Hex.string) == vector.frames)
        #expect(try WireCodec.decode(Hex.frames(vector.frames)) == vector.message)
    }

    static let hello = WireCodec.encode(.hello(.init(nodeID: "NORD-01", software: "x")))
    static let event = WireCodec.encode(.events(.init(firstSequence: 1, payloads: [[1]])))

    static let bad: [BadFrames] = [
        BadFrames(name: "no frames", frames: [], code: .emptyMessage),
        BadFrames(name: "empty header", frames: [[]], code: .badSignature),
        BadFrames(name: "one header byte", frames: [[0x4B]], code: .badSignature),
        BadFrames(name: "control signature", frames: [[0x4B, 0x43, 1, 1], [0x7B, 0x7D]], code: .badSignature),
        BadFrames(name: "ZMTP-looking garbage", frames: [[0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]], code: .badSignature),
        BadFrames(name: "short header", frames: [[0x4B, 0x50, 1]], code: .badFrameLength),
        BadFrames(name: "long header", frames: [[0x4B, 0x50, 1, 7, 0]], code: .badFrameLength),
        BadFrames(name: "version 2", frames: [[0x4B, 0x50, 2, 7]], code: .unsupportedVersion),
        BadFrames(name: "version 0", frames: [[0x4B, 0x50, 0, 7]], code: .unsupportedVersion),
        BadFrames(name: "command 0x00", frames: [[0x4B, 0x50, 1, 0]], code: .unknownCommand),
        BadFrames(name: "command 0x09", frames: [[0x4B, 0x50, 1, 9]], code: .unknownCommand),
        BadFrames(name: "command 0xFF", frames: [[0x4B, 0x50, 1, 0xFF]], code: .unknownCommand),
        BadFrames(name: "HELLO without software", frames: Array(hello.prefix(3)), code: .wrongFrameCount),
        BadFrames(name: "HELLO with extra frame", frames: hello + [[]], code: .wrongFrameCount),
        BadFrames(name: "HEARTBEAT with a frame", frames: [[0x4B, 0x50, 1, 7], []], code: .wrongFrameCount),
        BadFrames(name: "ACK without value", frames: [[0x4B, 0x50, 1, 4]], code: .wrongFrameCount),
        BadFrames(name: "ERROR without detail", frames: [[0x4B, 0x50, 1, 8], [0, 1]], code: .wrongFrameCount),
        BadFrames(
            name: "NACK without detail",
            frames: [[0x4B, 0x50, 1, 5], [0, 0, 0, 0, 0, 0, 0, 1], [0, 100]],
            code: .wrongFrameCount
        ),
        BadFrames(name: "EVENT without payload", frames: Array(event.prefix(2)), code: .wrongFrameCount),
        BadFrames(
            name: "WELCOME without hub id",
            frames: [[0x4B, 0x50, 1, 2], [1, 0], [0, 0, 0, 0, 0, 0, 0, 0]],
            code: .wrongFrameCount
        ),
        BadFrames(
            name: "short u64 in ACK",
            frames: [[0x4B, 0x50, 1, 4], [0, 0, 0, 0, 0, 0, 0]],
            code: .badFrameLength
        ),
        BadFrames(
            name: "long u64 in ACK",
            frames: [[0x4B, 0x50, 1, 4], Array(repeating: 0, count: 9)],
            code: .badFrameLength
        ),
        BadFrames(name: "empty u64 in RESEND", frames: [[0x4B, 0x50, 1, 6], []], code: .badFrameLength),
        BadFrames(name: "short u16 in ERROR", frames: [[0x4B, 0x50, 1, 8], [4], []], code: .badFrameLength),
        BadFrames(name: "short u64 in EVENT", frames: [[0x4B, 0x50, 1, 3], [0, 1], [1]], code: .badFrameLength),
        BadFrames(
            name: "short version in HELLO",
            frames: [[0x4B, 0x50, 1, 1], [1], Array("N".utf8), []],
            code: .badFrameLength
        ),
        BadFrames(
            name: "invalid UTF-8 in software",
            frames: [[0x4B, 0x50, 1, 1], [1, 0], Array("N".utf8), [0xC3]],
            code: .invalidText
        ),
        BadFrames(
            name: "overlong UTF-8 in ERROR",
            frames: [[0x4B, 0x50, 1, 8], [0, 1], [0xC0, 0xAF]],
            code: .invalidText
        ),
        BadFrames(
            name: "surrogate in NACK detail",
            frames: [[0x4B, 0x50, 1, 5], [0, 0, 0, 0, 0, 0, 0, 1], [0, 100], [0xED, 0xA0, 0x80]],
            code: .invalidText
        ),
        BadFrames(
            name: "software of 65 bytes",
            frames: [[0x4B, 0x50, 1, 1], [1, 0], Array("N".utf8), Array(repeating: 0x61, count: 65)],
            code: .invalidText
        ),
        BadFrames(
            name: "detail of 4097 bytes",
            frames: [[0x4B, 0x50, 1, 8], [0, 1], Array(repeating: 0x61, count: 4097)],
            code: .invalidText
        ),
        BadFrames(
            name: "empty hub id",
            frames: [[0x4B, 0x50, 1, 2], [1, 0], [0, 0, 0, 0, 0, 0, 0, 0], []],
            code: .invalidText
        ),
        BadFrames(
            name: "lower-case node id",
            frames: [[0x4B, 0x50, 1, 1], [1, 0], Array("nord-01".utf8), []],
            code: .invalidNodeID
        ),
        BadFrames(
            name: "node id with space",
            frames: [[0x4B, 0x50, 1, 1], [1, 0], Array("NORD 01".utf8), []],
            code: .invalidNodeID
        ),
        BadFrames(
            name: "node id with Ø",
            frames: [[0x4B, 0x50, 1, 1], [1, 0], Array("TRØNDELAG".utf8), []],
            code: .invalidNodeID
        ),
        BadFrames(name: "empty node id", frames: [[0x4B, 0x50, 1, 1], [1, 0], [], []], code: .invalidNodeID),
        BadFrames(
            name: "node id of 65 bytes",
            frames: [[0x4B, 0x50, 1, 1], [1, 0], Array(repeating: 0x41, count: 65), []],
            code: .invalidNodeID
        ),
        BadFrames(
            name: "1025 payloads",
            frames: [[0x4B, 0x50, 1, 3], [0, 0, 0, 0, 0, 0, 0, 1]] + Array(repeating: [0x7B, 0x7D], count: 1025),
            code: .tooManyPayloads
        ),
        BadFrames(
            name: "EVENT from sequence 0",
            frames: [[0x4B, 0x50, 1, 3], [0, 0, 0, 0, 0, 0, 0, 0], [1]],
            code: .invalidSequence
        ),
        BadFrames(
            name: "EVENT past u64",
            frames: [[0x4B, 0x50, 1, 3], Array(repeating: 0xFF, count: 8), [1], [2]],
            code: .sequenceOverflow
        ),
        BadFrames(
            name: "EVENT ending on 2^64-1",
            frames: [[0x4B, 0x50, 1, 3], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE], [1], [2]],
            code: .sequenceOverflow
        ),
        BadFrames(
            name: "ACK of 2^64-1",
            frames: [[0x4B, 0x50, 1, 4], Array(repeating: 0xFF, count: 8)],
            code: .sequenceOverflow
        ),
        BadFrames(
            name: "NACK of sequence 0",
            frames: [[0x4B, 0x50, 1, 5], [0, 0, 0, 0, 0, 0, 0, 0], [0, 100], []],
            code: .invalidSequence
        ),
        BadFrames(
            name: "RESEND from 0",
            frames: [[0x4B, 0x50, 1, 6], [0, 0, 0, 0, 0, 0, 0, 0]],
            code: .invalidSequence
        ),
    ]

    @Test(arguments: bad)
    func decodeRejects(bad: BadFrames) {
        do {
            let message = try WireCodec.decode(bad.frames)
            Issue.record("decoded \(message) instead of refusing with \(bad.code)")
        } catch {
            #expect(error.code == bad.code, "\(error)")
            #expect(!error.detail.isEmpty)
        }
    }

    @Test func errorsMapToTheReasonTheHubAnswersWith() throws {
        func reason(_ frames: [[UInt8]]) -> ReasonCode? {
            do {
                _ = try WireCodec.decode(frames)
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(reason([[0x4B, 0x50, 2, 1]]) == .versionUnsupported)
        #expect(reason([[0x4B, 0x50, 1, 0x42]]) == .unknownCommand)
        #expect(reason([[0x4B, 0x50, 1, 4]]) == .malformedMessage)
        #expect(reason([]) == .malformedMessage)
    }

    @Test func unsupportedVersionNamesTheMajor() {
        do {
            _ = try WireCodec.decode([[0x4B, 0x50, 3, 1]])
            Issue.record("version 3 decoded")
        } catch {
            #expect(error.code == .unsupportedVersion)
            #expect(error.detail.contains("3"))
        }
    }

    @Test func longTextIsTruncatedOnACharacterBoundary() throws {
        // 'ø' is two bytes; 2049 of them do not fit in 4096 bytes, and the cut must not split one.
        let detail = String(repeating: "ø", count: 2049)
        let frames = WireCodec.encode(.error(.init(reason: .invalidEvent, detail: detail)))
        #expect(frames[2].count == 4096)
        guard case .error(let decoded) = try WireCodec.decode(frames) else {
            Issue.record("not an ERROR")
            return
        }
        #expect(decoded.detail == String(repeating: "ø", count: 2048))

        let software = String(repeating: "€", count: 30)  // 3 bytes each: 21 fit in 64.
        let hello = WireCodec.encode(.hello(.init(nodeID: "N", software: software)))
        #expect(hello[3].count == 63)
        let expected = WireMessage.hello(.init(nodeID: "N", software: String(repeating: "€", count: 21)))
        #expect(try WireCodec.decode(hello) == expected)
    }

    @Test func eventBatchSequences() {
        let batch = WireMessage.EventBatch(firstSequence: 10, payloads: [[], [], []])
        #expect(batch.lastSequence == 12)
        #expect(batch.sequences == 10...12)
    }

    @Test func descriptionsNeverShowPayloads() {
        let message = WireMessage.events(.init(firstSequence: 5, payloads: [Array("secret".utf8)]))
        #expect(message.description == "EVENT 5...5")
    }
}

extension WireCodecTests {
    @Test(arguments: golden)
    func goldenVectorIsInTheProtocolDocument(vector: GoldenVector) throws {
        // The document lists each frame as spaced hex ("4B 50 01 01"), one frame per line.
        let document = try ProtocolDocument.text()
        for frame in vector.frames {
            let spaced = stride(from: 0, to: frame.count, by: 2).map { index in
                String(Array(frame)[index...index + 1])
            }.joined(separator: " ")
            #expect(document.contains(spaced), "docs/protocol.md lacks frame \(spaced) of \(vector.name)")
        }
    }
}
