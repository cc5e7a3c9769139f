import KnutepunktProtocol
import Testing

@testable import KnutepunktDomain

@Suite("SUBMIT_RESULT entries")
struct EventSubmitResultTests {
    @Test("absent optionals are left out and existing is always written")
    func encoding() {
        let queued = {
            var result = SubmitResult(index: 0, id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427", status: .queued)
            result.sequence = 12
            return result
        }()
        #expect(
            String(decoding: JSONBody.encode(queued), as: UTF8.self)
                == #"{"existing":false,"id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","index":0,"sequence":12,"status":"queued"}"#
        )
        let invalid = SubmitResult(
            index: 3,
            id: nil,
            status: .invalid,
            issues: [ValidationIssue(field: "kind", code: .unknownCode, message: "not a kind")]
        )
        #expect(
            String(decoding: JSONBody.encode(invalid), as: UTF8.self)
                == #"{"existing":false,"index":3,"issues":[{"code":"UNKNOWN_CODE","field":"kind","message":"not a kind"}],"status":"invalid"}"#
        )
    }

    @Test("decodes the protocol document's example, with or without existing")
    func decoding() throws {
        let body = """
            [
              {"index": 0, "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "status": "queued", "sequence": 12, "existing": false},
              {"index": 1, "id": "6fa459ea-ee8a-3ca4-894e-db77e160355e", "status": "delivered", "sequence": 7, "existing": true},
              {"index": 2, "id": "16fd2706-8baf-433b-82eb-8c7fada847da", "status": "rejected", "sequence": 9, "existing": true,
               "reason": "PERSONAL_DATA: field note may hold a name"},
              {"index": 3, "status": "invalid",
               "issues": [{"field": "kind", "code": "UNKNOWN_CODE", "message": "kind 'visitt' is not in the taxonomy"}]}
            ]
            """
        let results = try JSONBody.decode([SubmitResult].self, from: Array(body.utf8))
        #expect(results.map(\.status) == [.queued, .delivered, .rejected, .invalid])
        #expect(results.map(\.existing) == [false, true, true, false])
        #expect(results[2].reason == "PERSONAL_DATA: field note may hold a name")
        #expect(results[3].id == nil && results[3].sequence == nil)
        #expect(results[3].issues?.first?.code == .unknownCode)
        #expect(try JSONBody.decode([SubmitResult].self, from: JSONBody.encode(results)) == results)
    }
}
