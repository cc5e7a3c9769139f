import Foundation
import KnutepunktGaps

/// One stored event with everything its row holds, for copying a store (`knutepunkt hub migrate`).
package struct HubStoredEvent: Sendable, Hashable {
    /// The row's place in its store's storage order (pages continue after the last one seen).
    package var position: Int64
    package var source: String
    package var sequence: UInt64
    package var eventID: UUID
    package var region: String
    package var node: String
    package var kind: String
    /// ISO date (YYYY-MM-DD).
    package var occurredOn: String
    /// Seconds since 1970.
    package var receivedAt: Double
    package var payload: [UInt8]
    /// The version it is of its event, whether it is the event's latest, and whether it withdraws the event.
    package var version: Int
    package var latest: Bool
    package var withdrawn: Bool

    package init(
        position: Int64,
        source: String,
        sequence: UInt64,
        eventID: UUID,
        region: String,
        node: String,
        kind: String,
        occurredOn: String,
        receivedAt: Double,
        payload: [UInt8],
        version: Int = 1,
        latest: Bool = true,
        withdrawn: Bool = false
    ) {
        self.version = version
        self.latest = latest
        self.withdrawn = withdrawn
        self.position = position
        self.source = source
        self.sequence = sequence
        self.eventID = eventID
        self.region = region
        self.node = node
        self.kind = kind
        self.occurredOn = occurredOn
        self.receivedAt = receivedAt
        self.payload = payload
    }
}

/// Everything a store holds besides its events, for copying a store: refusals, settled progress, the activity
/// counters and the gap lifecycle with its history.
package struct HubStoreRemainder: Sendable, Hashable {
    package struct Rejection: Sendable, Hashable {
        package var record: HubRejectionRecord
        package var receivedAt: Double
        package init(record: HubRejectionRecord, receivedAt: Double) {
            self.record = record
            self.receivedAt = receivedAt
        }
    }

    package struct Progress: Sendable, Hashable {
        package var settledThrough: UInt64
        package var updatedAt: Double
        package init(settledThrough: UInt64, updatedAt: Double) {
            self.settledThrough = settledThrough
            self.updatedAt = updatedAt
        }
    }

    /// One gap from opening to closing, as stored (dates ISO, the finding as stored JSON).
    package struct Gap: Sendable, Hashable {
        package var key: String
        package var rule: String
        package var region: String?
        package var severity: String
        package var openedOn: String
        package var lastEvaluated: String
        package var closedOn: String?
        package var finding: String
        package init(
            key: String,
            rule: String,
            region: String?,
            severity: String,
            openedOn: String,
            lastEvaluated: String,
            closedOn: String?,
            finding: String
        ) {
            self.key = key
            self.rule = rule
            self.region = region
            self.severity = severity
            self.openedOn = openedOn
            self.lastEvaluated = lastEvaluated
            self.closedOn = closedOn
            self.finding = finding
        }
    }

    /// One numbered change of the gap lifecycle.
    package struct GapChange: Sendable, Hashable {
        package var sequence: UInt64
        package var epoch: String
        package var key: String
        package var change: String
        package var onDate: String
        package var gap: String
        package init(sequence: UInt64, epoch: String, key: String, change: String, onDate: String, gap: String) {
            self.sequence = sequence
            self.epoch = epoch
            self.key = key
            self.change = change
            self.onDate = onDate
            self.gap = gap
        }
    }

    package var rejections: [Rejection] = []
    package var progress: [String: Progress] = [:]
    package var counters = ActivityCounters()
    /// In opening order.
    package var gaps: [Gap] = []
    package var gapChanges: [GapChange] = []
    package var gapState: (epoch: String, sequence: UInt64)?

    package init() {}

    package static func == (lhs: HubStoreRemainder, rhs: HubStoreRemainder) -> Bool {
        lhs.rejections == rhs.rejections && lhs.progress == rhs.progress && lhs.counters == rhs.counters
            && lhs.gaps == rhs.gaps && lhs.gapChanges == rhs.gapChanges
            && lhs.gapState?.epoch == rhs.gapState?.epoch && lhs.gapState?.sequence == rhs.gapState?.sequence
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(rejections)
        hasher.combine(progress)
        hasher.combine(gaps)
        hasher.combine(gapChanges)
    }
}

/// An order-independent checksum of stored events: equal for two stores holding the same events (source, seq, event
/// id, payload), whatever order they were stored in.
package struct HubEventChecksum: Sendable, Hashable, CustomStringConvertible {
    package private(set) var count = 0
    private var sum: UInt64 = 0
    private var xor: UInt64 = 0

    package init() {}

    package mutating func add(_ event: HubStoredEvent) {
        // FNV-1a over the identifying fields and the payload, separated so fields cannot run into each other.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
        }
        mix(event.source.utf8)
        mix(String(event.sequence).utf8)
        mix(event.eventID.uuidString.lowercased().utf8)
        mix(event.payload)
        mix([event.latest ? 1 : 0, event.withdrawn ? 1 : 0])
        count += 1
        sum = sum &+ hash
        xor ^= hash &* 0x9e37_79b9_7f4a_7c15
    }

    package var description: String {
        String(sum, radix: 16).leftPadded16 + String(xor, radix: 16).leftPadded16
    }
}

extension String {
    fileprivate var leftPadded16: String { String(repeating: "0", count: max(0, 16 - count)) + self }
}

extension HubStoredEvent {
    /// Where ``HubCountSummary`` counts it.
    var summaryKey: HubCountSummary.Key { HubCountSummary.Key(source: source, region: region, node: node) }
}
