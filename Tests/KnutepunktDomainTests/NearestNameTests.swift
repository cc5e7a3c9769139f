import KnutepunktDomain
import Testing

@Suite struct NearestNameTests {
    static let nodeKeys = [
        "id", "region", "hub", "control", "outbox", "taxonomy", "defaultNode", "retention", "maxMessageBytes",
        "window", "batchSize", "heartbeat", "hubTimeout", "retransmitAfter",
    ]
    static let programmeKeys = ["code", "name", "tiers", "ageBands", "targetGroups", "dyadic", "tool", "ratings"]

    @Test(arguments: [
        ("hubb", "hub"), ("HUB", "hub"), ("regoin", "region"), ("retension", "retention"),
        ("default_node", "defaultNode"),
        ("defaultnode", "defaultNode"), ("heartbeats", "heartbeat"), ("hubtimeout", "hubTimeout"),
        ("retentionDays", "retention"), ("batch", "batchSize"), ("ib", "id"),
    ])
    func nodeKey(_ name: String, _ expected: String) {
        #expect(NearestName.suggest(name, from: Self.nodeKeys) == expected)
    }

    @Test(arguments: [
        ("age_bands", "ageBands"), ("agebands", "ageBands"), ("target-groups", "targetGroups"), ("tier", "tiers"),
        ("rating", "ratings"), ("dyadc", "dyadic"), ("naem", "name"),
    ])
    func programmeKey(_ name: String, _ expected: String) {
        #expect(NearestName.suggest(name, from: Self.programmeKeys) == expected)
    }

    @Test(arguments: ["", "xyz", "q", "publishing", "storage", "zz_top"])
    func nothingClose(_ name: String) {
        #expect(NearestName.suggest(name, from: Self.nodeKeys) == nil)
    }

    @Test func noCandidates() {
        #expect(NearestName.suggest("hub", from: []) == nil)
    }

    @Test func tiesGoToTheEarlierCandidate() {
        #expect(NearestName.suggest("cat", from: ["bat", "hat"]) == "bat")
        #expect(NearestName.suggest("cat", from: ["hat", "bat"]) == "hat")
    }
}
