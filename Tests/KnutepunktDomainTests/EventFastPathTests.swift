import Foundation
import KnutepunktDomain
import Testing

/// The hand-written fast paths of the ingest path give exactly what the general code they replace gives.
@Suite struct EventFastPathTests {
    @Test func uuidTextIsFoundationsInLowerCase() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
        }
        let fixed = UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255))
        #expect(fixed.lowercasedText == "00010203-0405-0607-0809-0a0b0c0d0eff")
    }

    @Test(arguments: [
        (1, 1, 1, "0001-01-01"), (999, 12, 31, "0999-12-31"), (2026, 11, 30, "2026-11-30"), (9999, 2, 3, "9999-02-03"),
    ])
    func isoDates(year: Int, month: Int, day: Int, expected: String) throws {
        let date = try #require(LocalDate(year: year, month: month, day: day))
        #expect(date.iso == expected)
        #expect(LocalDate(iso: expected) == date)
    }

    @Test func objectsFindTheirMembersBelowAndAboveTheIndexThreshold() {
        for size in [0, 1, 17, 32, 33, 100] {
            var object = JSONObject()
            for index in 0..<size {
                let inserted = object.insertNew(key: "m\(index)", value: .integer(Int64(index)))
                #expect(inserted)
            }
            #expect(object.count == size)
            for index in 0..<size {
                #expect(object["m\(index)"] == .integer(Int64(index)))
                let repeated = object.insertNew(key: "m\(index)", value: .null)
                #expect(!repeated, "a repeated name must be refused")
            }
            #expect(object["absent"] == nil)
            if size > 0 {
                object["m0"] = nil  // removing re-numbers the positions
                #expect(object.count == size - 1)
                #expect(object["m0"] == nil)
                if size > 1 { #expect(object["m\(size - 1)"] == .integer(Int64(size - 1))) }
                object["m0"] = .bool(true)  // a new key goes last
                #expect(object.keys.last == "m0")
            }
        }
    }

    @Test func equalObjectsAreEqualWhateverTheirIndex() {
        var small = JSONObject()
        var grown = JSONObject()
        for index in 0..<40 { grown.insertNew(key: "m\(index)", value: .integer(Int64(index))) }
        for index in 10..<40 { grown["m\(index)"] = nil }
        for index in 0..<10 { small.insertNew(key: "m\(index)", value: .integer(Int64(index))) }
        #expect(small == grown)
        #expect(small.hashValue == grown.hashValue)
    }
}
