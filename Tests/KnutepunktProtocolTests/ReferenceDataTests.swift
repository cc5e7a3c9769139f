import Foundation
import Testing

@testable import KnutepunktProtocol

/// Reference data (KPN/1.2): the two messages' bytes, and both sides' decisions, without sockets.
@Suite struct ReferenceMessageTests {
    @Test func theQueryAndTheReferenceHaveTheDocumentedBytes() throws {
        // docs/protocol.md, "Test vectors".
        #expect(
            ReferenceMessage.query(held: 2).frames == [
                [0x4B, 0x50, 0x01, 0x09], [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02],
            ]
        )
        #expect(
            ReferenceMessage.reference(version: 3, document: Array("kinds: []\n".utf8)).frames == [
                [0x4B, 0x50, 0x01, 0x0A], [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03],
                [0x6B, 0x69, 0x6E, 0x64, 0x73, 0x3A, 0x20, 0x5B, 0x5D, 0x0A],
            ]
        )
        for message in [
            ReferenceMessage.query(held: 0), .query(held: 7), .reference(version: 1, document: []),
            .reference(version: 9, document: Array("regions: …\n".utf8)),
        ] {
            #expect(try ReferenceMessage.decode(message.frames) == message)
        }
    }

    @Test func theTestVectorsAreInTheProtocolDocument() throws {
        let document = try ProtocolDocument.text()
        let messages = [
            ReferenceMessage.query(held: 2), .reference(version: 3, document: Array("kinds: []\n".utf8)),
        ]
        for frame in messages.flatMap(\.frames) {
            let spaced = frame.map { String(format: "%02X", $0) }.joined(separator: " ")
            #expect(document.contains(spaced), "docs/protocol.md lacks frame \(spaced)")
        }
    }

    @Test func otherMessagesAreLeftToTheSessionCodec() throws {
        #expect(try ReferenceMessage.decode(WireCodec.encode(.heartbeat)) == nil)
        #expect(try ReferenceMessage.decode(WireCodec.encode(.ack(settledThrough: 4))) == nil)
        #expect(try ReferenceMessage.decode([]) == nil)
        #expect(try ReferenceMessage.decode([[0x4B, 0x50, 0x02, 0x09], WireFrame.bytes(UInt64(1))]) == nil)
    }

    @Test func malformedReferenceMessagesAreRefusedWhole() {
        let header: [UInt8] = [0x4B, 0x50, 0x01, 0x0A]
        let cases: [[[UInt8]]] = [
            [[0x4B, 0x50, 0x01, 0x09]],  // no version frame
            [[0x4B, 0x50, 0x01, 0x09], [1, 2, 3]],  // a short integer
            [header, WireFrame.bytes(UInt64(1))],  // no document frame
            [header, WireFrame.bytes(UInt64(0)), []],  // version 0
            [header, WireFrame.bytes(UInt64(1)), [0xFF, 0xFE]],  // not UTF-8
            [header, WireFrame.bytes(UInt64(1)), [], []],  // a frame too many
        ]
        for frames in cases {
            #expect(throws: WireError.self) { try ReferenceMessage.decode(frames) }
        }
    }
}

@Suite struct ReferenceFollowerStateMachineTests {
    let t0 = ContinuousClock.now
    func at(_ seconds: Int) -> ContinuousClock.Instant { t0 + .seconds(seconds) }
    let document: [UInt8] = Array("kinds: []\n".utf8)

    @Test func aSessionOfOnePointTwoAsksAtOnceAndEveryMinute() {
        var follower = ReferenceFollowerStateMachine(held: 0)
        #expect(follower.sessionOpened(version: .referenceData, now: at(0)) == [.send(.query(held: 0))])
        #expect(follower.tick(now: at(59)).isEmpty)
        #expect(follower.tick(now: at(60)) == [.send(.query(held: 0))])
        #expect(follower.nextDeadline == at(120))
        follower.sessionClosed()
        #expect(follower.tick(now: at(500)).isEmpty && follower.nextDeadline == nil)
    }

    @Test func aSessionOfAnEarlierMinorNeverAsksNorListens() {
        var follower = ReferenceFollowerStateMachine(held: 4)
        #expect(follower.sessionOpened(version: .versions, now: at(0)).isEmpty)
        #expect(follower.tick(now: at(600)).isEmpty)
        #expect(follower.received(.reference(version: 5, document: document), now: at(1)).isEmpty)
        #expect(follower.held == 4)
    }

    @Test func aNewVersionIsAdoptedAndTheCurrentOneConfirmed() {
        var follower = ReferenceFollowerStateMachine(held: 1)
        _ = follower.sessionOpened(version: .current, now: at(0))
        #expect(follower.received(.reference(version: 1, document: []), now: at(1)).isEmpty)
        #expect(follower.lastConfirmed == at(1))
        #expect(
            follower.received(.reference(version: 2, document: document), now: at(2))
                == [.adopt(version: 2, document: document)]
        )
        follower.adopted(2, now: at(2))
        #expect(follower.held == 2)
        // The same version announced again: nothing to do. The next query says what the node holds.
        #expect(follower.received(.reference(version: 2, document: document), now: at(3)).isEmpty)
        #expect(follower.tick(now: at(62)) == [.send(.query(held: 2))])
        // An older version (a hub restored from a backup, another hub): the node follows its hub.
        #expect(
            follower.received(.reference(version: 1, document: document), now: at(70))
                == [.adopt(version: 1, document: document)]
        )
    }

    @Test func anUnusableVersionIsNotTriedAgainUntilAnotherComes() {
        var follower = ReferenceFollowerStateMachine(held: 1)
        _ = follower.sessionOpened(version: .current, now: at(0))
        #expect(follower.received(.reference(version: 2, document: document), now: at(1)).count == 1)
        follower.refused(2)
        #expect(follower.received(.reference(version: 2, document: document), now: at(61)).isEmpty)
        #expect(follower.held == 1)
        #expect(follower.received(.reference(version: 3, document: document), now: at(62)).count == 1)
    }

    @Test func anEmptyAnswerNamingAnotherVersionIsAskedAgain() {
        var follower = ReferenceFollowerStateMachine(held: 1)
        _ = follower.sessionOpened(version: .current, now: at(0))
        #expect(follower.received(.reference(version: 2, document: []), now: at(1)) == [.send(.query(held: 1))])
    }

    @Test func theHubAnswersWithTheDocumentOnlyWhenTheNodeLacksIt() {
        var announcer = ReferenceAnnouncer()
        #expect(announcer.answer(held: 0) == nil, "nothing published: the node keeps its file")
        #expect(announcer.published(version: 1, document: document) == .reference(version: 1, document: document))
        #expect(announcer.answer(held: 0) == .reference(version: 1, document: document))
        #expect(announcer.answer(held: 1) == .reference(version: 1, document: []))
        #expect(announcer.answer(held: 7) == .reference(version: 1, document: document))
        #expect(ReferenceAnnouncer.speaks(.referenceData) && !ReferenceAnnouncer.speaks(.versions))
    }
}
