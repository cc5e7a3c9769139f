import KnutepunktDomain
import Testing

@testable import KnutepunktProtocol

@Suite struct WireReasonCodeTests {
    @Test(
        arguments: [
            (ReasonCode.malformedMessage, 1, "MALFORMED_MESSAGE"),
            (.unknownCommand, 2, "UNKNOWN_COMMAND"),
            (.versionUnsupported, 3, "VERSION_UNSUPPORTED"),
            (.helloRequired, 4, "HELLO_REQUIRED"),
            (.unknownNode, 5, "UNKNOWN_NODE"),
            (.notAuthorized, 6, "NOT_AUTHORIZED"),
            (.rateLimited, 7, "RATE_LIMITED"),
            (.invalidEvent, 100, "INVALID_EVENT"),
            (.malformedPayload, 101, "MALFORMED_PAYLOAD"),
            (.foreignRegion, 102, "FOREIGN_REGION"),
            (.duplicateEventID, 103, "DUPLICATE_EVENT_ID"),
            (.personalData, 104, "PERSONAL_DATA"),
            (.unsupportedSchema, 105, "UNSUPPORTED_SCHEMA"),
            (.payloadTooLarge, 106, "PAYLOAD_TOO_LARGE"),
        ] as [(ReasonCode, UInt16, String)]
    )
    func stableNumbersAndNames(code: ReasonCode, number: UInt16, name: String) {
        #expect(code.rawValue == number)
        #expect(code.name == name)
        #expect(code.explanation.hasSuffix("."))
        #expect(code.description == "\(name) (\(number))")
        #expect(code.isSessionLevel == (number < 100))
        #expect(code.isEventLevel == (number >= 100))
    }

    @Test func allKnownIsCompleteAndOrdered() {
        #expect(ReasonCode.allKnown.count == 17)
        #expect(ReasonCode.allKnown.map(\.rawValue) == ReasonCode.allKnown.map(\.rawValue).sorted())
        #expect(Set(ReasonCode.allKnown.map(\.name)).count == 17)
    }

    @Test func unknownCodesStillHaveANameAndMeaning() {
        let future = ReasonCode(rawValue: 150)
        #expect(future.name == "UNKNOWN_150")
        #expect(future.isEventLevel)
        #expect(future.explanation.contains("150"))
    }

    @Test func everyKnownCodeIsDocumented() throws {
        // The protocol document is the contract: its table must list each code by number and name.
        let document = try ProtocolDocument.text()
        for code in ReasonCode.allKnown {
            #expect(document.contains("| \(code.rawValue) | \(code.name) |"), "docs/protocol.md lacks \(code)")
        }
    }
}
