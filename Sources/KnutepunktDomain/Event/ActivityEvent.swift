import Foundation

/// One activity a local node reports: what kind, where, when, for whom and how many — never who (DOMAIN.md §5).
///
/// Only ``EventValidator`` should make these from submitted JSON, so every `ActivityEvent` in the system has passed
/// the schema, the taxonomy and the privacy guard. Schema version 1.1; docs/events.md describes every member.
///
/// An event keeps its `id` for life. What the id names changes only by new *versions*: a correction is the whole
/// event again with the next `version` and the version it was `basedOn`; a withdrawal is a version that carries a
/// `withdrawalReason`. Every version is delivered like an event of its own; whatever counts reads the latest.
package struct ActivityEvent: Sendable, Hashable {
    /// The schema version this build reads and writes (the `schema` member; minor versions only add members).
    package static let currentSchema = 1
    /// The schema's minor version: 1.1 added versions (corrections and withdrawals) and their submitter, 1.2 test
    /// events and the taxonomy version an event was checked against.
    package static let currentSchemaMinor = 2

    /// Chosen by the coordinator (to make re-publishing harmless) or by the node; unique across the network.
    package var id: UUID
    package var schema: Int
    /// This version's number: 1 for the event as first published, then 2, 3, … for each correction or withdrawal.
    package var version: Int
    /// The version this one corrects or withdraws; nil for version 1.
    package var basedOn: Int?
    /// The regional centre's area, e.g. `NO-VEST`.
    package var region: String
    /// The local node (hospital-trust catchment area) that did the activity, e.g. `NO-VEST-FONNA`.
    package var node: String
    /// The activity kind, e.g. `TRAINING`.
    package var kind: String
    /// The day it took place (for a multi-day activity, the first day).
    package var date: LocalDate
    /// Norwegian kommunenummer or Swedish kommunkod (4 digits), if the activity belongs to one municipality.
    package var municipality: String?
    /// Target groups; `ALL` stands alone.
    package var targetGroups: [String]
    /// Programme codes delivered or trained; may be empty (e.g. a consultation).
    package var programmes: [String]
    /// `U`, `S`, `I`, `T` or `NA`.
    package var tier: String
    package var ageBands: [String]
    /// The professions taking part (not groups such as `PHYSICIAN_ANY`).
    package var professions: [String]
    /// People taking part (professionals at a training, parents and infants at a delivery).
    package var participants: Int
    /// Families reached (0 for activities aimed at professionals).
    package var families: Int
    package var sessions: Int
    /// `PERMANENT` or `TEMPORARY_PROJECT`.
    package var funding: String
    /// At most 280 characters, free of identity numbers.
    package var note: String?
    /// Why the event was withdrawn; set, this version is a withdrawal and the event no longer counts anywhere.
    package var withdrawalReason: String?
    /// Who submitted this version: the coordinator's name, or the operating-system user of the command-line tool.
    /// Filled in by the node from the request, never trusted from the event text.
    package var submittedBy: String?
    /// When the node accepted this version, UTC, `YYYY-MM-DDThh:mm:ssZ`; filled in by the node.
    package var submittedAt: String?

    /// True when this version withdraws the event.
    package var isWithdrawn: Bool { withdrawalReason != nil }
    /// A dry run (`"test": true`): the event travels end to end — outbox, wire, the hub's commit — but the hub keeps
    /// it apart and it is never counted (docs/events.md, "Test events").
    package var isTest = false
    /// The taxonomy version the event was checked against, as the hub announced it (nil: checked against a taxonomy
    /// file the hub did not announce, e.g. before the first announcement or with a hub of KPN/1.0).
    package var taxonomyVersion: Int?
    /// The trace this event belongs to, as the tracer's propagation fields (W3C: `traceparent`, `tracestate`): how an
    /// activity is followed from the coordinator's submission to the hub's commit and the gap evaluation. Empty when
    /// tracing is off.
    package var trace: [String: String] = [:]

    package init(
        id: UUID,
        schema: Int = ActivityEvent.currentSchema,
        region: String,
        node: String,
        kind: String,
        date: LocalDate,
        municipality: String? = nil,
        targetGroups: [String],
        programmes: [String] = [],
        tier: String,
        ageBands: [String],
        professions: [String],
        participants: Int,
        families: Int,
        sessions: Int,
        funding: String,
        note: String? = nil,
        version: Int = 1,
        basedOn: Int? = nil,
        withdrawalReason: String? = nil,
        submittedBy: String? = nil,
        submittedAt: String? = nil
    ) {
        self.id = id
        self.schema = schema
        self.version = version
        self.basedOn = basedOn
        self.withdrawalReason = withdrawalReason
        self.submittedBy = submittedBy
        self.submittedAt = submittedAt
        self.region = region
        self.node = node
        self.kind = kind
        self.date = date
        self.municipality = municipality
        self.targetGroups = targetGroups
        self.programmes = programmes
        self.tier = tier
        self.ageBands = ageBands
        self.professions = professions
        self.participants = participants
        self.families = families
        self.sessions = sessions
        self.funding = funding
        self.note = note
    }
}
