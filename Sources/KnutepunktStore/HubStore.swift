import Foundation

/// One event the hub accepted, ready to store.
package struct HubEventRecord: Sendable, Hashable {
    /// The node daemon that sent it (the sequence space it belongs to).
    package var source: String
    package var sequence: UInt64
    package var eventID: UUID
    package var region: String
    /// The local node (town) the activity belongs to.
    package var node: String
    package var kind: String
    /// ISO date the activity happened.
    package var occurredOn: String
    /// The canonical payload, exactly as it will be published.
    package var payload: [UInt8]

    package init(
        source: String,
        sequence: UInt64,
        eventID: UUID,
        region: String,
        node: String,
        kind: String,
        occurredOn: String,
        payload: [UInt8]
    ) {
        self.source = source
        self.sequence = sequence
        self.eventID = eventID
        self.region = region
        self.node = node
        self.kind = kind
        self.occurredOn = occurredOn
        self.payload = payload
    }
}

/// One event the hub refused; kept so the refusal is on record and its sequence counts as settled.
package struct HubRejectionRecord: Sendable, Hashable {
    package var source: String
    package var sequence: UInt64
    package var reason: String
    package var detail: String

    package init(source: String, sequence: UInt64, reason: String, detail: String) {
        self.source = source
        self.sequence = sequence
        self.reason = reason
        self.detail = detail
    }
}

/// Everything one group commit writes: stored events, refusals and each source's new settled-through.
package struct HubBatch: Sendable {
    package var events: [HubEventRecord] = []
    package var rejections: [HubRejectionRecord] = []
    package var settled: [String: UInt64] = [:]
    package init() {}
    package var isEmpty: Bool { events.isEmpty && rejections.isEmpty && settled.isEmpty }
}

/// What a commit found: events whose id was already stored under another sequence are not stored again.
package struct HubCommitResult: Sendable, Hashable {
    /// Indices into `HubBatch.events` of events refused as duplicates of a stored event id.
    package var duplicateIDs: [Int] = []
    package init(duplicateIDs: [Int] = []) { self.duplicateIDs = duplicateIDs }
}

/// Counts of what the hub holds, for status reports.
package struct HubCounts: Sendable, Hashable, Codable {
    package var total: Int
    package var byRegion: [String: Int]
    package var byNode: [String: Int]
    package var bySource: [String: Int]
    package var rejected: Int
}

/// The hub's durable state behind one protocol: SQLite is the default; other engines conform to the same contract.
///
/// Contract: `commit` is atomic and durable when it returns (the hub ACKs right after); an event id and a
/// (source, sequence) pair are each stored at most once; settled-through never goes backwards.
package protocol HubStore: AnyObject, Sendable {
    /// Each source's committed settled-through.
    func settledProgress() throws(StoreError) -> [String: UInt64]
    /// Writes one batch in one transaction.
    func commit(_ batch: HubBatch, receivedAt: Date) throws(StoreError) -> HubCommitResult
    /// What the hub holds.
    func counts() throws(StoreError) -> HubCounts
    /// Every stored event's (source, sequence, id) in source and sequence order, for verification.
    func storedKeys() throws(StoreError) -> [(source: String, sequence: UInt64, eventID: UUID)]
    /// Calls `body` with every stored event's payload, in storage order, without loading them all at once.
    func forEachPayload(_ body: ([UInt8]) throws -> Void) throws(StoreError)
    /// Releases the store.
    func close() throws(StoreError)
}
