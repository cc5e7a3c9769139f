import Foundation

/// The rules for versions of one event, as pure decisions: which submission is a new version, which is the same
/// version again (harmless), and which is refused and why. The node decides what to accept from a coordinator
/// (``atNode(_:head:knownVersion:correctChanged:)``); the hub decides what to store
/// (``atHub(_:stored:sameContent:)``), and is the authority.
///
/// An event keeps its id for life; version 1 is the event as first published; each correction or withdrawal is the
/// next version and names the version it is based on. Nothing is dropped silently: a submission is stored, or
/// recognised as one already held (and the answer says so), or refused with a code that names the current version.
package enum EventVersioning {
    /// Why a version is refused.
    package struct Refusal: Sendable, Hashable, CustomStringConvertible {
        package enum Code: String, Sendable, Hashable {
            /// The same version of the event is held with other content (or a new event reuses a known id).
            case conflictingContent = "CONFLICTING_CONTENT"
            /// The correction is based on a version other than the current one.
            case staleVersion = "STALE_VERSION"
            /// The event belongs to another node: only the node that published it may correct or withdraw it.
            case foreignEvent = "FOREIGN_EVENT"
            /// The version it replaces is dated in a locked month: a correction or withdrawal would change that month
            /// (DOMAIN.md §6).
            case periodLocked = "PERIOD_LOCKED"
        }

        package var code: Code
        /// The event's current version where it was refused.
        package var current: Int
        /// A sentence for the coordinator: what is held, and what to do.
        package var message: String

        package init(code: Code, current: Int, message: String) {
            self.code = code
            self.current = current
            self.message = message
        }

        package var description: String { "\(code.rawValue): \(message)" }

        /// The same id with other content and no version that corrects it.
        package static func conflictingContent(
            _ id: UUID,
            current: Int,
            version: Int,
            changes: [EventChange],
            place: String
        ) -> Refusal {
            let what = version == current ? "" : " (its version \(version) there has other content)"
            let differs = changes.isEmpty ? "" : "; yours differs in \(EventChange.summary(changes))"
            return Refusal(
                code: .conflictingContent,
                current: current,
                message: "event \(id.lowercasedText) is already at version \(current) \(place)\(what) with other "
                    + "content\(differs). Nothing was stored. To correct it, publish the whole event with "
                    + "\"based_on\": \(current)"
            )
        }

        /// A correction based on a version that is not the current one.
        package static func staleVersion(_ id: UUID, current: Int, basedOn: Int?, place: String) -> Refusal {
            let base =
                switch basedOn {
                case nil: "this is version 1 of it"
                case let base? where base < current: "this correction is based on version \(base), an older one"
                case let base?: "this correction is based on version \(base), which does not exist \(place)"
                }
            return Refusal(
                code: .staleVersion,
                current: current,
                message: "event \(id.lowercasedText) is at version \(current) \(place); \(base). Nothing was stored. "
                    + "Look at version \(current), make your change to it and publish it with \"based_on\": \(current)"
            )
        }
    }

    // MARK: - At the hub

    /// What the hub holds of one version of an event.
    package struct StoredVersion: Sendable, Hashable {
        package var version: Int
        /// The node daemon that sent it, and the sequence it came under.
        package var source: String
        package var sequence: UInt64
        package var withdrawn: Bool

        package init(version: Int, source: String, sequence: UInt64, withdrawn: Bool) {
            self.version = version
            self.source = source
            self.sequence = sequence
            self.withdrawn = withdrawn
        }
    }

    /// A version arriving at the hub.
    package struct Arrival: Sendable, Hashable {
        package var id: UUID
        package var version: Int
        package var basedOn: Int?
        package var source: String
        package var sequence: UInt64

        package init(id: UUID, version: Int, basedOn: Int?, source: String, sequence: UInt64) {
            self.id = id
            self.version = version
            self.basedOn = basedOn
            self.source = source
            self.sequence = sequence
        }
    }

    /// What the hub does with an arriving version.
    package enum HubDecision: Sendable, Hashable {
        /// Store it; it becomes the event's latest version, superseding the stored version at this index (nil: the
        /// first version of the event the hub stores).
        case store(superseding: Int?)
        /// This very (source, sequence) is stored: a resend. Settled, not stored or counted again.
        case alreadyStored
        /// The same version with the same content is stored under another sequence: harmless, nothing stored.
        case identical
        case refused(Refusal)
    }

    /// Decides an arriving version against the versions the hub stores of its event (any order).
    ///
    /// - The first version the hub sees of an event is stored, whatever its number: earlier ones were refused.
    /// - Versions of an event come from the node that published it; another node's are refused.
    /// - A version number already stored is a resend (same sequence), the same version again (same content), or a
    ///   conflict (other content).
    /// - A new number is stored when it is based on the latest stored version or a later one (versions between were
    ///   refused here, which the node learned); based on an earlier one, it is stale.
    ///
    /// - Parameter sameContent: whether the arriving version's content equals that of `stored[index]`
    ///   (``ActivityEvent/comparableContent(ofPayload:)``); asked only when the numbers match.
    package static func atHub(
        _ arrival: Arrival,
        stored: [StoredVersion],
        sameContent: (Int) -> Bool,
        changes: (Int) -> [EventChange] = { _ in [] }
    ) -> HubDecision {
        guard let latestIndex = stored.indices.max(by: { stored[$0].version < stored[$1].version }) else {
            return .store(superseding: nil)
        }
        let latest = stored[latestIndex]
        let place = "at the hub"
        guard latest.source == arrival.source else {
            return .refused(
                Refusal(
                    code: .foreignEvent,
                    current: latest.version,
                    message:
                        "event \(arrival.id.lowercasedText) was published through node \(latest.source); only that "
                        + "node may correct or withdraw it. Nothing was stored"
                )
            )
        }
        if let same = stored.firstIndex(where: { $0.version == arrival.version }) {
            if stored[same].source == arrival.source, stored[same].sequence == arrival.sequence {
                return .alreadyStored
            }
            if sameContent(same) { return .identical }
            return .refused(
                .conflictingContent(
                    arrival.id,
                    current: latest.version,
                    version: arrival.version,
                    changes: changes(same),
                    place: place
                )
            )
        }
        if arrival.version > latest.version, let base = arrival.basedOn, base >= latest.version {
            return .store(superseding: latestIndex)
        }
        return .refused(.staleVersion(arrival.id, current: latest.version, basedOn: arrival.basedOn, place: place))
    }

    // MARK: - At the node

    /// What the node holds of an event: its latest version.
    package struct Head: Sendable, Hashable {
        package var version: Int
        /// The hub refused this version (NACK): nothing of it is stored there.
        package var refusedByHub: Bool

        package init(version: Int, refusedByHub: Bool) {
            self.version = version
            self.refusedByHub = refusedByHub
        }
    }

    /// What a coordinator submitted, as far as versions go.
    package struct Submission: Sendable, Hashable {
        package var id: UUID
        /// The `based_on` given; nil for a submission that names no version it corrects.
        package var basedOn: Int?
        /// The `version` given, if any (an exported document sent again carries it).
        package var version: Int?

        package init(id: UUID, basedOn: Int?, version: Int?) {
            self.id = id
            self.basedOn = basedOn
            self.version = version
        }
    }

    /// What the node does with a submission.
    package enum NodeDecision: Sendable, Hashable {
        /// Append it as this version (based on that one).
        case append(version: Int, basedOn: Int?)
        /// The node holds this version with this content already: nothing is stored, and the answer says so.
        case existing(version: Int)
        case refused(Refusal)
    }

    /// Decides a submission against the node's latest version of its event.
    ///
    /// - Parameters:
    ///   - knownVersion: whether the submission's content equals that of a version the node holds (nil: the node
    ///     no longer has that version's content, or never had it).
    ///   - changes: what the submission changes relative to the head, for the refusal's message.
    ///   - correctChanged: a changed submission that names no version becomes a correction of the head (a
    ///     spreadsheet imported again is the coordinator's record) instead of being refused.
    package static func atNode(
        _ submission: Submission,
        head: Head?,
        knownVersion: (Int) -> Bool?,
        changes: () -> [EventChange] = { [] },
        correctChanged: Bool = false
    ) -> NodeDecision {
        let place = "at this node"
        guard let head else {
            guard let base = submission.basedOn else { return .append(version: 1, basedOn: nil) }
            // The node never had this event (or lost its outbox): the hub decides.
            return .append(version: base + 1, basedOn: base)
        }
        guard let base = submission.basedOn else {
            if let given = submission.version, given < head.version, knownVersion(given) == true {
                return .existing(version: given)
            }
            if knownVersion(head.version) == true { return .existing(version: head.version) }
            // An older version sent again as it was (a file published again after a correction): harmless.
            for older in stride(from: head.version - 1, through: 1, by: -1) where knownVersion(older) == true {
                return .existing(version: older)
            }
            // Nothing of a refused version is stored at the hub: a changed one is its fix, not a conflict.
            if head.refusedByHub || correctChanged { return .append(version: head.version + 1, basedOn: head.version) }
            return .refused(
                .conflictingContent(
                    submission.id,
                    current: head.version,
                    version: head.version,
                    changes: changes(),
                    place: place
                )
            )
        }
        if base == head.version {
            // The same content again is nothing new, unless the hub refused it: then it is sent again, based on it.
            if knownVersion(head.version) == true, !head.refusedByHub { return .existing(version: head.version) }
            return .append(version: head.version + 1, basedOn: base)
        }
        if base < head.version, knownVersion(base + 1) == true { return .existing(version: base + 1) }
        return .refused(.staleVersion(submission.id, current: head.version, basedOn: base, place: place))
    }
}
