import Foundation

/// A test event the hub accepted (docs/events.md, "Test events"): committed with the batch it came in, its sequence
/// settled like any other, but kept apart from the events: never counted, published or exported.
package struct HubTestEventRecord: Sendable, Hashable {
    package var source: String
    package var sequence: UInt64
    package var eventID: UUID
    package var region: String
    /// The local node the event names.
    package var node: String
    package var payload: [UInt8]

    package init(source: String, sequence: UInt64, eventID: UUID, region: String, node: String, payload: [UInt8]) {
        self.source = source
        self.sequence = sequence
        self.eventID = eventID
        self.region = region
        self.node = node
        self.payload = payload
    }
}

/// A stored test event, as status reports show it.
package struct HubStoredTestEvent: Sendable, Hashable {
    package var source: String
    package var sequence: UInt64
    package var eventID: UUID
    package var region: String
    package var node: String
    package var receivedAt: Date

    package init(source: String, sequence: UInt64, eventID: UUID, region: String, node: String, receivedAt: Date) {
        self.source = source
        self.sequence = sequence
        self.eventID = eventID
        self.region = region
        self.node = node
        self.receivedAt = receivedAt
    }
}

/// One published version of the taxonomy: the hub's reference data, numbered 1, 2, 3, … as it changes. The document
/// is the taxonomy file's text as it was published; every version is kept, so an event's `taxonomy_version` can
/// always be looked up.
package struct TaxonomyVersionRecord: Sendable, Hashable {
    package var version: Int
    package var publishedAt: Date
    package var document: String

    package init(version: Int, publishedAt: Date, document: String) {
        self.version = version
        self.publishedAt = publishedAt
        self.document = document
    }
}

/// What the hub store keeps for operations rather than for the national figures: test events, and the versions of
/// the taxonomy the hub has published. Part of ``HubStore``'s contract, checked for both backends by the
/// conformance tests.
package protocol HubOperationsStore {
    /// How many test events are stored, and the newest `limit` of them, newest first.
    func testEvents(limit: Int) throws(StoreError) -> (total: Int, latest: [HubStoredTestEvent])
    /// Every published taxonomy version, oldest first.
    func taxonomyVersions() throws(StoreError) -> [TaxonomyVersionRecord]
    /// Publishes `document` as the next taxonomy version, unless it equals the latest one's document, which is then
    /// returned unchanged (`published` false). Versions only go up, also with several hubs on one database.
    func publishTaxonomy(
        _ document: String,
        at date: Date
    ) throws(StoreError) -> (record: TaxonomyVersionRecord, published: Bool)
}

extension HubOperationsStore {
    /// The latest published taxonomy version; nil before the first.
    package func latestTaxonomyVersion() throws(StoreError) -> TaxonomyVersionRecord? {
        try taxonomyVersions().last
    }
}
